// School board (/board/school): one school's to-do (alerts waiting for its
// receipt or report, those sent back first), open alerts, duty and post
// status, devices and kitchen — for its security office. The school
// acknowledges receipt and reports what it did; it never closes.
'use strict';

(function () {
  const { T, h, $ } = CG;
  const MEASURES = ['closed_campus', 'guard_staffing', 'protection_post', 'alarm_link', 'bright_kitchen'];
  const DUTY_RULES = ['guard_understaffed', 'guardroom_unmanned', 'guard_unlicensed', 'patrol_shortfall',
    'post_unstaffed', 'post_understaffed', 'post_left_early'];
  const KITCHEN_RULES = ['kitchen_cam_offline', 'kitchen_cam_occluded', 'kitchen_violation', 'kitchen_repeat', 'kitchen_overdue'];

  const set = new CG.AlertSet();
  const panel = new CG.AlertPanel(set, { noClose: true });
  const state = { id: new URLSearchParams(location.search).get('school') || '', page: null };
  let who = CG.Handling.actor({ role: 'school' }); // until the session is known

  const mine = (a) => a.school === state.id;

  // ---- Rendering.

  // A burst of events (a school under attack presses, gates fire, devices
  // drop) is drawn once per animation frame, from one pass over the
  // school's alerts; the open-alert table is a virtual list, and the
  // short lists show their first LIST_MAX with how many more.
  const LIST_MAX = 30;
  let pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    const run = () => {
      if (!pending) return;
      pending = false;
      render();
    };
    requestAnimationFrame(run);
    setTimeout(run, 250); // a background tab gets no frames
  }

  const openTable = new CG.AlertTable($('#school-alerts'), {
    cols: ['severity', 'rule', 'message', 'owner', 'started', 'state'],
    onSelect: (id) => panel.show(id), empty: $('#school-alerts-empty'),
  });

  function render() {
    const open = set.list(mine);
    renderAlerts(open);
    const p = state.page;
    if (!p) return;
    $('#school-name').textContent = p.name;
    $('#school-meta').textContent = [CG.regionName(p.region), T('type.' + p.type), T('school.pupils', p.pupils),
      p.boarders ? T('school.boarders', p.boarders) : '', p.address].filter(Boolean).join(' · ');
    renderCompliance();
    renderDuty(open);
    renderDevices(open);
    renderKitchen(open);
  }

  function renderAlerts(open) {
    const todo = CG.renderTodo($('#school-todo tbody'), $('#school-todo-empty'), open, state.id, who, (id) => panel.show(id), LIST_MAX);
    $('#school-todo-more').hidden = todo.length <= LIST_MAX;
    $('#school-todo-more').textContent = T('school.more', todo.length - LIST_MAX);
    openTable.show(open);
  }

  function result(m) {
    const c = state.page && state.page.compliance;
    return c ? c.measures[m] : null;
  }

  function measureLine(m) {
    const r = result(m);
    const v = CG.verdict(r);
    const status = r ? CG.verdictText(v) : T('common.no_record');
    return h('div', { class: 'lapse ' + CG.verdictClass(v), dataset: { measure: m, verdict: v } },
      h('strong', { text: CG.measureName(m) }), ' ', h('span', { class: 'status', text: status }),
      v === 'met' || v === 'not_met' ? h('span', { class: 'value', text: ' ' + CG.pct(r.value) }) : null,
      CG.detailText(r) ? h('p', { class: 'detail', text: CG.detailText(r) }) : null);
  }

  function renderCompliance() {
    const box = CG.clear($('#school-compliance'));
    const c = state.page.compliance;
    const four = !c ? '' : c.four_hundred_status || (c.four_hundred ? 'met' : 'not_met');
    const light = { met: 'green', not_met: 'red' }[four] || 'grey';
    box.append(h('p', { class: 'four ' + CG.verdictClass(four), dataset: { verdict: four } },
      h('span', { class: 'light light-' + light }), ' ',
      T('measure.four_hundred') + ': ' + (c ? CG.verdictText(four) : T('common.no_record'))));
    MEASURES.forEach((m) => box.append(measureLine(m)));
  }

  function windows(list) {
    return list.map((w) => (w.name ? CG.windowName(w.name) + ' ' : '') + w.start + '–' + w.end).join(CG.lang() === 'en' ? ', ' : '，') || '—';
  }

  function alertList(rows) {
    if (!rows.length) return h('p', { class: 'empty ok', text: T('school.all_clear') });
    return h('div', {}, h('ul', { class: 'alert-list' }, rows.slice(0, LIST_MAX).map((a) => h('li', {
      class: 'sev-' + a.severity, dataset: { alertId: a.id }, tabindex: '0', onclick: () => panel.show(a.id),
    }, h('span', { class: 'badge sev-' + a.severity, text: a.severity }), ' ', CG.ruleName(a.rule), ' — ', CG.alertMessage(a)))),
    rows.length > LIST_MAX ? h('p', { class: 'more muted', text: T('school.more', rows.length - LIST_MAX) }) : null);
  }

  function renderDuty(open) {
    const p = state.page;
    const box = CG.clear($('#duty-status'));
    box.append(measureLine('guard_staffing'), measureLine('protection_post'));
    box.append(h('dl', { class: 'details' },
      h('dt', { text: T('school.licensed_guards') }), h('dd', { text: String(p.licensed_guards) }),
      h('dt', { text: T('school.posts') }), h('dd', { text: p.posts.map((x) => x.name || x.id).join('，') || '—' }),
      h('dt', { text: T('school.peaks') }), h('dd', { text: windows(p.windows.peaks) }),
      h('dt', { text: T('school.gates') }), h('dd', { text: windows(p.windows.gate) })));
    box.append(alertList(open.filter((a) => DUTY_RULES.includes(a.rule))));
  }

  function renderDevices(open) {
    const tbody = CG.clear($('#device-table tbody'));
    const byDevice = new Map();
    open.forEach((a) => {
      new Set([a.device, a.subject]).forEach((id) => {
        if (!id) return;
        if (!byDevice.has(id)) byDevice.set(id, []);
        byDevice.get(id).push(a);
      });
    });
    state.page.devices.forEach((d) => {
      const about = byDevice.get(d.id) || [];
      const status = CG.deviceStatus(about);
      tbody.append(h('tr', { dataset: { device: d.id, status } },
        h('td', { text: d.id }),
        h('td', { text: CG.has('kind.' + d.kind) ? T('kind.' + d.kind) : d.kind }),
        h('td', { text: d.location || d.post || d.kitchen || d.gate || '' }),
        h('td', {}, h('span', { class: 'dev dev-' + status, text: T('device.' + status) }),
          about.length ? h('small', { text: ' ' + about.map((a) => CG.ruleName(a.rule)).join('，') }) : null)));
    });
    if (!state.page.devices.length) tbody.append(h('tr', {}, h('td', { colspan: '4', class: 'empty', text: T('common.none') })));
  }

  function renderKitchen(open) {
    const p = state.page;
    const box = CG.clear($('#kitchen-status'));
    box.append(measureLine('bright_kitchen'));
    box.append(h('dl', { class: 'details' },
      h('dt', { text: T('school.kitchens') }), h('dd', { text: p.kitchens.map((k) => k.name || k.id).join('，') || '—' }),
      h('dt', { text: T('school.meals') }), h('dd', { text: windows(p.windows.meals) })));
    box.append(alertList(open.filter((a) => KITCHEN_RULES.includes(a.rule))));
  }

  // ---- Loading.

  async function loadSchool() {
    if (!state.id) return;
    try {
      state.page = await CG.api('GET', '/api/v1/schools/' + encodeURIComponent(state.id));
      CG.learnRegion(state.page.region, state.page.region_name);
    } catch (e) {
      CG.message(e.message, 'error');
      state.page = null;
    }
    render();
  }

  function choose(id) {
    state.id = id;
    $('#school-select').value = id;
    history.replaceState(null, '', location.pathname + '?school=' + encodeURIComponent(id));
    panel.hide();
    loadSchool();
  }

  $('#school-select').addEventListener('change', (ev) => choose(ev.target.value));
  set.onChange(schedule);
  CG.onLang(render);

  CG.ready((s) => {
    who = CG.Handling.actor(s);
    CG.stream(set);
    CG.schools().then((list) => {
      const sel = $('#school-select');
      CG.clear(sel);
      list.forEach((x) => sel.append(h('option', { value: x.school, text: x.name + ' (' + CG.regionName(x.region) + ')' })));
      $('#school-select-label').hidden = list.length <= 1;
      const ids = list.map((x) => x.school);
      const pick = ids.includes(state.id) ? state.id : ids.includes(s.schools[0]) ? s.schools[0] : ids[0];
      if (!pick) {
        CG.message(T('school.none'), 'error');
        return;
      }
      state.id = pick;
      sel.value = pick;
      CG.every(60000, loadSchool);
    }, (e) => CG.message(e.message, 'error'));
  });

  // For the browser test: the alerts and the panel.
  CG.school = { set, panel };
})();
