// Silences (/silences): list, create (school / region / rule, a duration,
// a reason), expire. The API decides what each viewer may silence.
'use strict';

(function () {
  const { T, h, $ } = CG;
  const state = { silences: [], schools: [] };

  function silenceState(s) {
    const now = CG.now();
    if (s.expired_by || new Date(s.ends_at) <= now) return 'expired';
    if (new Date(s.starts_at) > now) return 'pending';
    return 'active';
  }

  function matcherText(m) {
    let v = m.value;
    if (!m.regex) {
      if (m.name === 'school') v = CG.schoolName(v);
      else if (m.name === 'region') v = CG.regionName(v);
      else if (m.name === 'rule') v = CG.ruleName(v);
    }
    return T('matcher.' + m.name) + (m.regex ? ' ~ ' : ' = ') + v;
  }

  async function load() {
    try {
      const q = $('#active-only').checked ? '?active=true' : '';
      state.silences = (await CG.api('GET', '/api/v1/silences' + q)).silences;
    } catch (e) {
      CG.message(e.message, 'error');
      state.silences = [];
    }
    render();
  }

  function render() {
    const tbody = CG.clear($('#silence-list tbody'));
    state.silences.forEach((s) => {
      const st = silenceState(s);
      tbody.append(h('tr', { class: 'silence-' + st, dataset: { silenceId: s.id } },
        h('td', {}, s.matchers.map((m) => h('div', { text: matcherText(m) }))),
        h('td', { text: s.reason }),
        h('td', { text: s.created_by }),
        h('td', { text: CG.fmtTime(s.starts_at) }),
        h('td', { text: CG.fmtTime(s.ends_at) }),
        h('td', {}, h('span', { class: 'state silence-state-' + st, text: T('silence.' + st) }),
          s.expired_by ? h('small', { text: ' ' + T('silences.expired_by', s.expired_by) }) : null),
        h('td', {}, st === 'expired' ? null : h('button', {
          type: 'button', class: 'danger small expire-button', dataset: { silenceId: s.id }, text: T('silences.expire'),
          onclick: () => expire(s),
        }))));
    });
    $('#silence-empty').hidden = state.silences.length > 0;
  }

  async function expire(s) {
    if (!window.confirm(T('silences.confirm_expire'))) return;
    try {
      await CG.api('DELETE', '/api/v1/silences/' + encodeURIComponent(s.id));
      CG.message(T('silences.expired_done'));
    } catch (e) {
      CG.message(e.message, 'error');
    }
    load();
  }

  // formError shows text, or the API's refusal of err in Chinese first and
  // English second (whatever the page language: an official may forward
  // it), so that the reason (role, jurisdiction, limit) is plain.
  function formError(text, err) {
    const e = CG.clear($('#silence-error'));
    const b = err && err.body && err.body.error;
    if (b && b.message_zh) {
      e.append(h('span', { lang: 'zh-CN', class: 'error-zh', text: b.message_zh }));
      if (b.message_en) e.append(h('br'), h('span', { lang: 'en', class: 'error-en', text: b.message_en }));
    } else {
      e.textContent = text;
    }
    e.hidden = !text && !b;
  }

  // schoolId takes the school input as an id, or as a name the viewer sees.
  function schoolId(text) {
    const t = text.trim();
    if (!t) return '';
    const hit = state.schools.find((s) => s.school === t || s.name === t);
    return hit ? hit.school : t;
  }

  $('#silence-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    formError('');
    const matchers = [];
    const school = schoolId($('#silence-school').value);
    if (school) matchers.push({ name: 'school', value: school });
    if ($('#silence-region').value) matchers.push({ name: 'region', value: $('#silence-region').value });
    if ($('#silence-rule').value) matchers.push({ name: 'rule', value: $('#silence-rule').value });
    const reason = $('#silence-reason').value.trim();
    if (!matchers.length) {
      formError(T('silences.need_matcher'));
      return;
    }
    if (!$('#silence-rule').value) {
      formError(T('silences.need_rule'));
      $('#silence-rule').focus();
      return;
    }
    if (!reason) {
      formError(T('silences.need_reason'));
      $('#silence-reason').focus();
      return;
    }
    const btn = $('#silence-submit');
    btn.disabled = true;
    try {
      await CG.api('POST', '/api/v1/silences', { matchers, duration: $('#silence-duration').value, reason });
      CG.message(T('silences.created'));
      $('#silence-form').reset();
      load();
    } catch (e) {
      formError(e.message, e);
    } finally {
      btn.disabled = false;
    }
  });

  $('#active-only').addEventListener('change', load);
  CG.onLang(render);

  CG.ready(() => {
    CG.schools().then((list) => {
      state.schools = list;
      const dl = CG.clear($('#school-options'));
      list.forEach((s) => dl.append(h('option', { value: s.school, label: s.name })));
      CG.fillRegionSelect($('#silence-region'), CG.regionsOf(list));
      render();
    }, (e) => CG.message(e.message, 'error'));
    load();
  });
})();
