// Alarm test windows on the school board (报警测试登记, issue 8): the
// school registers the window of its test press in advance, so the press
// is recorded as a test and raises no P0; it may cancel a window before it
// ends. Police and education see the list; the registry's monthly
// schedule is listed too. Times are Beijing time (Asia/Shanghai).
'use strict';

(function () {
  const { T, h, $ } = CG;
  const box = $('#alarm-tests');
  if (!box) return;
  const state = { school: '', role: '', windows: [], alarms: [] };
  const mayWrite = () => state.role === 'school' || state.role === 'admin';

  function windowState(w) {
    const now = CG.now();
    if (new Date(w.end) <= now) return 'ended';
    if (new Date(w.start) > now) return 'pending';
    return 'active';
  }

  // formError shows the API's refusal in Chinese first, English second.
  function formError(text, err) {
    const e = CG.clear($('#alarm-test-error'));
    const b = err && err.body && err.body.error;
    if (b && b.message_zh) {
      e.append(h('span', { lang: 'zh-CN', text: b.message_zh }));
      if (b.message_en) e.append(h('br'), h('span', { lang: 'en', text: b.message_en }));
    } else {
      e.textContent = text || '';
    }
    e.hidden = !text && !b;
  }

  function build() {
    CG.clear(box);
    box.append(h('h2', { text: T('alarmtests.title') }), h('p', { class: 'muted', text: T('alarmtests.help') }));
    if (mayWrite()) {
      const minutes = [15, 30, 60, 120].map((m) => h('option', { value: String(m), text: T('alarmtests.minutes', m), selected: m === 30 }));
      box.append(h('form', { id: 'alarm-test-form', class: 'stack', novalidate: true, onsubmit: submit },
        h('label', { class: 'field' }, T('alarmtests.device') + ' ', h('select', { id: 'alarm-test-device' })),
        h('label', { class: 'field' }, T('alarmtests.start') + ' ', h('input', { id: 'alarm-test-start', type: 'datetime-local', required: true })),
        h('label', { class: 'field' }, T('alarmtests.duration') + ' ', h('select', { id: 'alarm-test-minutes' }, minutes)),
        h('label', { class: 'field' }, T('alarmtests.note') + ' ', h('input', { id: 'alarm-test-note', maxlength: '500', placeholder: T('alarmtests.note_placeholder') })),
        h('button', { type: 'submit', id: 'alarm-test-submit', text: T('alarmtests.submit') }),
        h('p', { id: 'alarm-test-error', class: 'error', role: 'alert', hidden: true })));
    }
    box.append(h('table', { id: 'alarm-test-list', class: 'grid-table' },
      h('thead', {}, h('tr', {}, ['alarmtests.when', 'alarmtests.device', 'alarmtests.note', 'alarmtests.by', 'alarmtests.state']
        .map((k) => h('th', { text: T(k) })), mayWrite() ? h('th') : null)),
      h('tbody')), h('p', { id: 'alarm-test-empty', class: 'empty', text: T('alarmtests.none') }));
  }

  function render() {
    const sel = $('#alarm-test-device');
    if (sel) {
      const keep = sel.value;
      CG.clear(sel).append(h('option', { value: '', text: T('alarmtests.all_devices') }),
        ...state.alarms.map((d) => h('option', { value: d.id, text: d.id + (d.location ? ' (' + d.location + ')' : '') })));
      sel.value = keep;
    }
    const tbody = CG.clear($('#alarm-test-list tbody'));
    state.windows.forEach((w) => {
      const st = windowState(w);
      tbody.append(h('tr', { class: 'alarm-test-' + st, dataset: { alarmTestId: w.id || '' } },
        h('td', { text: CG.fmtTime(w.start) + ' – ' + CG.fmtTime(w.end) }),
        h('td', { text: w.device || T('alarmtests.all_devices') }),
        h('td', { text: w.scheduled ? '' : w.note || '' }), // a schedule's note is bilingual; the next column names it
        h('td', { text: w.scheduled ? T('alarmtests.scheduled') : w.created_by || '' }),
        h('td', { text: T('alarmtests.state_' + st) }),
        mayWrite() ? h('td', {}, w.scheduled || st === 'ended' ? null : h('button', {
          type: 'button', class: 'danger small', text: T('alarmtests.cancel'), onclick: () => cancel(w),
        })) : null));
    });
    $('#alarm-test-empty').hidden = state.windows.length > 0;
  }

  async function load() {
    if (!state.school) return;
    try {
      const q = '?school=' + encodeURIComponent(state.school);
      const [list, page] = await Promise.all([CG.api('GET', '/api/v1/alarm-tests' + q),
        CG.api('GET', '/api/v1/schools/' + encodeURIComponent(state.school))]);
      state.windows = list.alarm_tests;
      state.alarms = (page.devices || []).filter((d) => d.kind === 'alarm');
    } catch (e) {
      CG.message(e.message, 'error');
      state.windows = [];
    }
    render();
  }

  async function submit(ev) {
    ev.preventDefault();
    formError('');
    const local = $('#alarm-test-start').value; // "YYYY-MM-DDTHH:MM", read as Beijing time
    if (!local) {
      formError(T('alarmtests.need_start'));
      return;
    }
    const start = new Date(local + ':00+08:00');
    const end = new Date(start.getTime() + Number($('#alarm-test-minutes').value) * 60000);
    const btn = $('#alarm-test-submit');
    btn.disabled = true;
    try {
      await CG.api('POST', '/api/v1/alarm-tests', {
        school: state.school, device: $('#alarm-test-device').value, start: start.toISOString(), end: end.toISOString(),
        note: $('#alarm-test-note').value.trim(),
      });
      CG.message(T('alarmtests.created'));
      $('#alarm-test-form').reset();
      load();
    } catch (e) {
      formError(e.message, e);
    } finally {
      btn.disabled = false;
    }
  }

  async function cancel(w) {
    if (!window.confirm(T('alarmtests.confirm_cancel'))) return;
    try {
      await CG.api('DELETE', '/api/v1/alarm-tests/' + encodeURIComponent(w.id));
      CG.message(T('alarmtests.cancelled'));
    } catch (e) {
      CG.message(e.message, 'error');
    }
    load();
  }

  CG.onLang(() => {
    build();
    render();
  });

  CG.ready((s) => {
    state.role = s.role;
    if (state.role === 'market') {
      box.hidden = true;
      return;
    }
    build();
    render();
    // school.js picks the school on the same list first.
    CG.schools().then(() => {
      state.school = $('#school-select').value;
      load();
    });
    $('#school-select').addEventListener('change', (ev) => {
      state.school = ev.target.value;
      load();
    });
  });
})();
