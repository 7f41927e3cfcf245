// Market regulation / health board (/board/market): kitchen cameras'
// online rate in meal windows, violations by tier and category, open and
// overdue rectifications, and the monthly audit report.
'use strict';

(function () {
  const { T, h, $ } = CG;
  const KITCHEN_RULES = ['kitchen_violation', 'kitchen_repeat', 'kitchen_overdue'];
  const CATEGORIES = ['rodent', 'flame_unattended', 'smoking', 'bin_open', 'phone', 'stranger',
    'no_hat', 'no_mask', 'no_uniform', 'no_gloves', 'shirtless'];

  // Resolved violations stay in the set: the counts cover the alerts the
  // API still holds (open ones and those resolved within its retention).
  const set = new CG.AlertSet({ keepResolved: true });
  const panel = new CG.AlertPanel(set);
  const state = { region: '', compliance: null };
  let who = CG.Handling.actor(null); // the viewer as the API sees it acting

  const inRegion = (x) => !state.region || x.region === state.region;
  const isViolation = (a) => a.rule === 'kitchen_violation';
  const occurrences = (a) => Math.max(a.count || 1, 1);

  function kitchenAlerts(filter) {
    return set.list((a) => KITCHEN_RULES.includes(a.rule) && inRegion(a) && (!filter || filter(a)));
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
    renderSummary();
    renderKitchens();
    renderMatrix();
    renderRectifications();
    CG.renderReview($('#review-list tbody'), $('#review-empty'), set.list(inRegion), who, (id) => panel.show(id));
  }

  function kitchenSchools() {
    const c = state.compliance;
    if (!c) return [];
    return c.schools.filter((sd) => inRegion(sd) && sd.measures.bright_kitchen && sd.measures.bright_kitchen.applicable);
  }

  function renderSummary() {
    const ks = kitchenSchools();
    const mean = ks.length ? ks.reduce((s, sd) => s + sd.measures.bright_kitchen.value, 0) / ks.length : null;
    const open = kitchenAlerts((a) => isViolation(a) && CG.isOpen(a)).length;
    const overdue = kitchenAlerts((a) => a.rule === 'kitchen_overdue' && CG.isOpen(a)).length;
    const box = CG.clear($('#summary'));
    const card = (label, value, cls) => h('div', { class: 'card ' + (cls || '') },
      h('span', { class: 'card-value', text: value }), h('span', { class: 'card-label', text: label }));
    box.append(card(T('market.kitchens_monitored'), String(ks.length)));
    box.append(card(T('market.online_rate'), CG.pct(mean), 'main ' + (mean === null ? 'na' : mean >= 0.95 ? 'good' : 'bad')));
    box.append(card(T('market.open_violations'), String(open), open ? 'fair' : 'good'));
    box.append(card(T('market.overdue'), String(overdue), overdue ? 'bad' : 'good'));
  }

  function renderKitchens() {
    const tbody = CG.clear($('#kitchen-table tbody'));
    const openBy = {};
    const overdueBy = {};
    kitchenAlerts(CG.isOpen).forEach((a) => {
      if (isViolation(a)) openBy[a.school] = (openBy[a.school] || 0) + 1;
      if (a.rule === 'kitchen_overdue') overdueBy[a.school] = (overdueBy[a.school] || 0) + 1;
    });
    const ks = kitchenSchools().sort((a, b) => a.measures.bright_kitchen.value - b.measures.bright_kitchen.value);
    ks.forEach((sd) => {
      const r = sd.measures.bright_kitchen;
      tbody.append(h('tr', { dataset: { school: sd.school } },
        h('td', { text: CG.schoolName(sd.school) }),
        h('td', { text: CG.regionName(sd.region) }),
        h('td', { class: 'num ' + (r.value >= 0.95 ? 'good' : 'bad'), text: CG.pct(r.value) }),
        h('td', { class: 'm ' + CG.verdictClass(CG.verdict(r)), title: r.detail || '' },
          h('span', { class: 'mark', text: { met: '✓', not_met: '✗' }[CG.verdict(r)] || '–' }), ' ', CG.verdictText(CG.verdict(r))),
        h('td', { class: 'num', text: String(openBy[sd.school] || 0) }),
        h('td', { class: 'num' + (overdueBy[sd.school] ? ' bad' : ''), text: String(overdueBy[sd.school] || 0) })));
    });
    if (!ks.length) tbody.append(h('tr', {}, h('td', { colspan: '6', class: 'empty', text: T('common.none') })));
  }

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

  function renderRectifications() {
    const rows = kitchenAlerts((a) => CG.isOpen(a) && (a.due_at || a.rule === 'kitchen_overdue' || a.severity === 'P1'))
      .sort((a, b) => new Date(a.due_at || a.started_at) - new Date(b.due_at || b.started_at));
    const tbody = CG.clear($('#rectification-table tbody'));
    rows.forEach((a) => tbody.append(CG.alertRow(a, ['severity', 'rule', 'school', 'category', 'started', 'due', 'state'], (id) => panel.show(id))));
    $('#rectification-empty').hidden = rows.length > 0;
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

  // For the browser test: the alerts and the panel.
  CG.market = { set, panel };
})();
