// Market regulation / health board (/board/market). Actions first: the
// open kitchen violations by rectification deadline (overdue first, with
// how long), then kitchen cameras offline or covered in a meal window;
// below them the reports waiting for review, every kitchen's online rate
// a page at a time, violations by tier and category, and the monthly
// audit report.
'use strict';

(function () {
  const { T, h, $ } = CG;
  const H = CG.Handling;
  const KITCHEN_RULES = ['kitchen_violation', 'kitchen_repeat', 'kitchen_overdue', 'kitchen_cam_offline', 'kitchen_cam_occluded'];
  const CAMERA_RULES = ['kitchen_cam_offline', 'kitchen_cam_occluded'];
  const CATEGORIES = ['rodent', 'flame_unattended', 'smoking', 'bin_open', 'phone', 'stranger',
    'no_hat', 'no_mask', 'no_uniform', 'no_gloves', 'shirtless'];
  const KITCHENS_PER_PAGE = 25;
  // Action rows shown before "show more", and how many more each press adds:
  // both lists and the cards fit the first screen at 1366×768.
  const FIRST = { violations: 6, cameras: 4 };
  const MORE = 25;

  // Resolved violations stay in the set: the tier matrix covers the alerts
  // the API still holds (open ones and those resolved within its retention).
  const set = new CG.AlertSet({ keepResolved: true });
  const panel = new CG.AlertPanel(set);
  const state = { region: '', compliance: null, page: 0, shown: { violations: FIRST.violations, cameras: FIRST.cameras } };
  let who = CG.Handling.actor(null); // the viewer as the API sees it acting

  const inRegion = (x) => !state.region || x.region === state.region;
  const isViolation = (a) => a.rule === 'kitchen_violation';
  // openViolation is the server's one definition of an open violation
  // (alerting.OpenViolation, sent as open_violation), the one the monthly
  // report counts too.
  const openViolation = (a) => a.open_violation === true;
  const occurrences = (a) => Math.max(a.count || 1, 1);
  const keyOf = (a) => a.school + '\u0000' + a.subject;

  function kitchenAlerts(filter) {
    return set.list((a) => KITCHEN_RULES.includes(a.rule) && inRegion(a) && (!filter || filter(a)));
  }

  // overdueKeys are the violations the lifecycle has declared overdue
  // (an open kitchen_overdue of the same school and subject): the server's
  // clock decides, not the browser's.
  function overdueKeys() {
    const out = new Map();
    kitchenAlerts((a) => a.rule === 'kitchen_overdue' && CG.isOpen(a)).forEach((o) => out.set(keyOf(o), o));
    return out;
  }

  // actionViolations orders the open violations: overdue first (longest
  // overdue first), then by deadline, those without one last.
  function actionViolations() {
    const late = overdueKeys();
    const due = (a) => (a.due_at ? new Date(a.due_at).getTime() : Infinity);
    return kitchenAlerts(openViolation)
      .map((a) => ({ a, overdue: late.has(keyOf(a)) }))
      .sort((x, y) => (x.overdue === y.overdue ? 0 : x.overdue ? -1 : 1) || due(x.a) - due(y.a) ||
        new Date(x.a.started_at) - new Date(y.a.started_at));
  }

  // actionCameras are the open camera alerts: the rules raise them only
  // inside a kitchen's meal-window operating hours and end them with it.
  function actionCameras() {
    return kitchenAlerts((a) => CAMERA_RULES.includes(a.rule) && CG.isOpen(a))
      .sort((x, y) => new Date(x.started_at) - new Date(y.started_at));
  }

  // ---- Rendering.

  let pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      render();
    }, 50);
  }

  function render() {
    const vs = actionViolations();
    renderSummary(vs);
    renderViolations(vs);
    renderCameras();
    CG.renderReview($('#review-list tbody'), $('#review-empty'), set.list(inRegion), who, (id) => panel.show(id));
    renderKitchens();
    renderMatrix();
  }

  function kitchenSchools() {
    const c = state.compliance;
    if (!c) return [];
    return c.schools.filter((sd) => inRegion(sd) && sd.measures.bright_kitchen && sd.measures.bright_kitchen.applicable);
  }

  function renderSummary(vs) {
    const ks = kitchenSchools();
    const mean = ks.length ? ks.reduce((s, sd) => s + sd.measures.bright_kitchen.value, 0) / ks.length : null;
    // The mean never hides a failing kitchen: the card takes the colour of
    // the worst one and says how many are below 95 %.
    const below = ks.filter((sd) => sd.measures.bright_kitchen.value < 0.95).length;
    const overdue = vs.filter((x) => x.overdue).length;
    const box = CG.clear($('#summary'));
    const card = (id, label, value, cls) => h('div', { class: 'card ' + (cls || ''), id },
      h('span', { class: 'card-value', text: value }), h('span', { class: 'card-label', text: label }));
    box.append(card('card-kitchens', T('market.kitchens_monitored'), String(ks.length)));
    const online = card('card-online', T('market.online_rate'), CG.pct(mean), 'main ' + (mean === null ? 'na' : below ? 'bad' : 'good'));
    if (ks.length) online.append(h('span', { class: 'card-label mkt-below', text: T('mkt.below', below, ks.length) }));
    box.append(online);
    box.append(card('card-open', T('market.open_violations'), String(vs.length), vs.length ? 'fair' : 'good'));
    box.append(card('card-overdue', T('market.overdue'), String(overdue), overdue ? 'bad' : 'good'));
  }

  // snapshotCell shows a violation's evidence: a link (new tab, no opener,
  // no referrer) to an http(s) snapshot; another reference (an object key)
  // as text; nothing without one.
  function snapshotCell(a) {
    const url = H.safeURL(a.snapshot);
    if (url) {
      return h('td', { class: 'mkt-snap' }, h('a', { class: 'snapshot-link', href: url, target: '_blank', rel: 'noopener noreferrer',
        title: url, text: T('mkt.snapshot'), onclick: (ev) => ev.stopPropagation() }));
    }
    return h('td', { class: 'mkt-snap muted', title: a.snapshot || '', text: a.snapshot ? T('mkt.snapshot_ref') : '' });
  }

  function deadlineCell(a, overdue) {
    if (!a.due_at) return h('td', { class: 'mkt-due', text: '—' });
    const late = overdue ? h('span', { class: 'tag tag-hot mkt-overdue',
      text: T('mkt.overdue_for', CG.fmtAge(CG.now() - new Date(a.due_at).getTime())) }) : null;
    return h('td', { class: 'mkt-due time' + (overdue ? ' late' : ''), title: CG.fmtTime(a.due_at, 'full') },
      CG.fmtTime(a.due_at), late ? ' ' : null, late);
  }

  // selects makes a row open the alert panel by click or Enter.
  const selects = (a) => ({
    tabindex: '0',
    onclick: () => panel.show(a.id),
    onkeydown: (ev) => {
      if (ev.key === 'Enter') panel.show(a.id);
    },
  });

  function violationRow(x) {
    const a = x.a;
    const tags = H.tags(a).map((k) => h('span', { class: 'tag', text: T(k) }));
    return h('tr', { class: 'alert-row mkt-row sev-' + a.severity + (x.overdue ? ' overdue' : ''), dataset: { alertId: a.id }, ...selects(a) },
    deadlineCell(a, x.overdue),
    h('td', { text: T('tier.' + CG.tierOf(a)) }),
    h('td', { text: CG.categoryName(CG.violationCategory(a.subject)) + (a.count > 1 ? ' ×' + a.count : '') }),
    h('td', { text: CG.schoolName(a.school) }),
    h('td', { class: 'time', title: CG.fmtTime(a.started_at, 'full'), text: CG.fmtTime(a.started_at) }),
    h('td', {}, h('span', { class: 'state state-' + a.state, text: CG.stateName(a.state) }), tags),
    snapshotCell(a));
  }

  function cameraRow(a) {
    return h('tr', { class: 'alert-row mkt-row sev-' + a.severity, dataset: { alertId: a.id }, ...selects(a) },
      h('td', { text: CG.ruleName(a.rule) }),
      h('td', { text: CG.schoolName(a.school) }),
      h('td', { text: a.device || a.subject }),
      h('td', { class: 'time', title: CG.fmtTime(a.started_at, 'full'), text: CG.fmtTime(a.started_at) }),
      h('td', { class: 'msg', text: CG.alertMessage(a) }));
  }

  // renderList fills a bounded action list: the first state.shown[name]
  // rows, a "show more" button for the rest.
  function renderList(name, rows, rowOf) {
    const tbody = CG.clear($('#action-' + name + ' tbody'));
    const n = Math.min(rows.length, state.shown[name]);
    for (let i = 0; i < n; i++) tbody.append(rowOf(rows[i]));
    $('#action-' + name).hidden = rows.length === 0;
    $('#action-' + name + '-empty').hidden = rows.length > 0;
    $('#action-' + name + '-count').textContent = rows.length ? T('mkt.count', rows.length) : '';
    const more = $('#action-' + name + '-more');
    more.hidden = rows.length <= FIRST[name];
    more.textContent = n < rows.length ? T('mkt.more', Math.min(MORE, rows.length - n), rows.length) : T('mkt.less');
    more.dataset.expanded = n < rows.length ? 'no' : 'yes';
  }

  function renderViolations(vs) {
    renderList('violations', vs, violationRow);
  }

  function renderCameras() {
    renderList('cameras', actionCameras(), cameraRow);
  }

  ['violations', 'cameras'].forEach((name) => {
    $('#action-' + name + '-more').addEventListener('click', (ev) => {
      state.shown[name] = ev.currentTarget.dataset.expanded === 'yes' ? FIRST[name] : state.shown[name] + MORE;
      render();
    });
  });

  function renderKitchens() {
    const tbody = CG.clear($('#kitchen-table tbody'));
    const openBy = {};
    const overdueBy = {};
    actionViolations().forEach((x) => {
      openBy[x.a.school] = (openBy[x.a.school] || 0) + 1;
      if (x.overdue) overdueBy[x.a.school] = (overdueBy[x.a.school] || 0) + 1;
    });
    const ks = kitchenSchools().sort((a, b) => a.measures.bright_kitchen.value - b.measures.bright_kitchen.value);
    const pages = Math.max(1, Math.ceil(ks.length / KITCHENS_PER_PAGE));
    state.page = Math.min(state.page, pages - 1);
    ks.slice(state.page * KITCHENS_PER_PAGE, (state.page + 1) * KITCHENS_PER_PAGE).forEach((sd) => {
      const r = sd.measures.bright_kitchen;
      tbody.append(h('tr', { dataset: { school: sd.school } },
        h('td', { text: CG.schoolName(sd.school) }),
        h('td', { text: CG.regionName(sd.region) }),
        h('td', { class: 'num ' + (r.value >= 0.95 ? 'good' : 'bad'), text: CG.pct(r.value) }),
        h('td', { class: 'm ' + CG.verdictClass(CG.verdict(r)), title: CG.detailText(r) },
          h('span', { class: 'mark', text: { met: '✓', not_met: '✗' }[CG.verdict(r)] || '–' }), ' ', CG.verdictText(CG.verdict(r))),
        h('td', { class: 'num', text: String(openBy[sd.school] || 0) }),
        h('td', { class: 'num' + (overdueBy[sd.school] ? ' bad' : ''), text: String(overdueBy[sd.school] || 0) })));
    });
    if (!ks.length) tbody.append(h('tr', {}, h('td', { colspan: '6', class: 'empty', text: T('common.none') })));
    $('#kitchen-pager').hidden = ks.length <= KITCHENS_PER_PAGE;
    $('#kitchen-page').textContent = T('mkt.page', state.page + 1, pages, ks.length);
    $('#kitchen-prev').disabled = state.page === 0;
    $('#kitchen-next').disabled = state.page >= pages - 1;
  }
  $('#kitchen-prev').addEventListener('click', () => {
    state.page = Math.max(0, state.page - 1);
    renderKitchens();
  });
  $('#kitchen-next').addEventListener('click', () => {
    state.page++;
    renderKitchens();
  });

  function renderMatrix() {
    const counts = {};
    kitchenAlerts(isViolation).forEach((a) => {
      const c = CG.violationCategory(a.subject);
      counts[c] = counts[c] || { 1: 0, 2: 0, 3: 0 };
      counts[c][CG.tierOf(a)] += occurrences(a);
    });
    const cats = CATEGORIES.concat(Object.keys(counts).filter((c) => !CATEGORIES.includes(c)));
    const tbody = CG.clear($('#violation-table tbody'));
    const total = { 1: 0, 2: 0, 3: 0 };
    cats.forEach((c) => {
      const n = counts[c] || { 1: 0, 2: 0, 3: 0 };
      [1, 2, 3].forEach((t) => {
        total[t] += n[t];
      });
      const sum = n[1] + n[2] + n[3];
      tbody.append(h('tr', { class: sum ? '' : 'zero', dataset: { category: c } },
        h('td', { text: CG.categoryName(c) }),
        [1, 2, 3].map((t) => h('td', { class: 'num' + (n[t] ? ' tier-' + t : ''), text: String(n[t]) })),
        h('td', { class: 'num', text: String(sum) })));
    });
    tbody.append(h('tr', { class: 'total' }, h('td', { text: T('col.total') }),
      [1, 2, 3].map((t) => h('td', { class: 'num', text: String(total[t]) })),
      h('td', { class: 'num', text: String(total[1] + total[2] + total[3]) })));
  }

  // ---- The monthly report links.

  function updateReportLinks() {
    const region = $('#report-region').value;
    const month = $('#report-month').value;
    const q = new URLSearchParams();
    if (region) q.set('region', region);
    if (month) q.set('month', month);
    const qs = q.toString() ? '?' + q.toString() : '';
    $('#report-csv').href = '/api/v1/kitchen/report.csv' + qs;
    $('#report-print').href = '/board/market/report' + qs;
  }
  $('#report-month').value = CG.today().slice(0, 7);
  $('#report-month').max = CG.today().slice(0, 7);
  $('#report-region').addEventListener('change', updateReportLinks);
  $('#report-month').addEventListener('change', updateReportLinks);
  $('#report-form').addEventListener('submit', (ev) => ev.preventDefault());

  $('#region-filter').addEventListener('change', (ev) => {
    state.region = ev.target.value;
    state.page = 0;
    render();
  });

  set.onChange(schedule);
  CG.onLang(render);

  CG.ready((s) => {
    who = CG.Handling.actor(s);
    CG.schools().then((list) => {
      const regions = CG.regionsOf(list);
      CG.fillRegionSelect($('#region-filter'), regions);
      const sel = $('#report-region');
      CG.clear(sel);
      sel.append(h('option', { value: '', 'data-i18n': 'filter.all_regions', text: T('filter.all_regions') }));
      CG.fillRegionSelect(sel, regions);
      if (regions.length === 1) sel.value = regions[0];
      updateReportLinks();
      render();
    }, (e) => CG.message(e.message, 'error'));
    CG.api('GET', '/api/v1/alerts?rule=' + KITCHEN_RULES.join(',')).then((got) => {
      set.add(got.alerts);
      CG.stream(set);
    }, (e) => CG.message(e.message, 'error'));
    CG.every(60000, () => CG.api('GET', '/api/v1/compliance?format=full').then((c) => {
      state.compliance = c;
      schedule();
    }, (e) => CG.message(e.message, 'error')));
  });

  // For the browser test: the alerts, the panel and the action order.
  CG.market = { set, panel, actionViolations, actionCameras };
})();
