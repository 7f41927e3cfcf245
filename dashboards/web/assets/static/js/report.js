// The printable monthly kitchen audit report
// (/board/market/report?region=130802&month=2026-11).
'use strict';

(function () {
  const { T, h, $ } = CG;
  const params = new URLSearchParams(location.search);
  const state = { region: params.get('region') || '', month: params.get('month') || CG.today().slice(0, 7), report: null };

  function query() {
    const q = new URLSearchParams();
    if (state.region) q.set('region', state.region);
    if (state.month) q.set('month', state.month);
    return q.toString() ? '?' + q.toString() : '';
  }

  async function load() {
    $('#report-csv').href = '/api/v1/kitchen/report.csv' + query();
    try {
      state.report = await CG.api('GET', '/api/v1/kitchen/report' + query());
      CG.learnRegion(state.report.region, state.report.region_name);
      state.report.schools.forEach((s) => CG.learnRegion(s.region, s.region_name));
    } catch (e) {
      state.report = null;
      CG.message(e.message, 'error');
    }
    render();
  }

  function render() {
    const r = state.report;
    const tbody = CG.clear($('#report-table tbody'));
    const tfoot = CG.clear($('#report-table tfoot'));
    const meta = $('#report-meta');
    if (!r) {
      meta.textContent = '';
      return;
    }
    const where = r.region ? CG.regionName(r.region) : T('report.all_regions');
    $('#report-title').textContent = T('report.heading', where, r.month);
    meta.textContent = T('report.meta', r.from, r.to, CG.fmtTime(r.generated_at, 'full'), r.schools.length);
    const total = { cameras: 0, days: 0, days_ok: 0, tier1: 0, tier2: 0, tier3: 0, repeats: 0, overdue: 0, open_rectifications: 0 };
    r.schools.forEach((s) => {
      Object.keys(total).forEach((k) => {
        total[k] += s[k];
      });
      const cats = Object.keys(s.categories).sort().map((c) => CG.categoryName(c) + '×' + s.categories[c]).join('，');
      tbody.append(h('tr', { dataset: { school: s.school } },
        h('td', { text: s.name || s.school }), h('td', { text: CG.regionName(s.region) }),
        h('td', { class: 'num', text: String(s.cameras) }), h('td', { class: 'num', text: String(s.days) }),
        h('td', { class: 'num', text: String(s.days_ok) }),
        h('td', { class: 'num', text: s.camera_online_rate === null ? '—' : CG.pct(s.camera_online_rate) }),
        h('td', { class: 'num', text: String(s.tier1) }), h('td', { class: 'num', text: String(s.tier2) }),
        h('td', { class: 'num', text: String(s.tier3) }), h('td', { class: 'num', text: String(s.repeats) }),
        h('td', { class: 'num', text: String(s.overdue) }), h('td', { class: 'num', text: String(s.open_rectifications) }),
        h('td', { text: cats })));
    });
    if (!r.schools.length) tbody.append(h('tr', {}, h('td', { colspan: '13', class: 'empty', text: T('common.none') })));
    const rates = r.schools.filter((s) => s.camera_online_rate !== null);
    const mean = rates.length ? rates.reduce((a, s) => a + s.camera_online_rate, 0) / rates.length : null;
    tfoot.append(h('tr', { class: 'total' }, h('td', { colspan: '2', text: T('col.total') }),
      ['cameras', 'days', 'days_ok'].map((k) => h('td', { class: 'num', text: String(total[k]) })),
      h('td', { class: 'num', text: CG.pct(mean) }),
      ['tier1', 'tier2', 'tier3', 'repeats', 'overdue', 'open_rectifications'].map((k) => h('td', { class: 'num', dataset: { key: k }, text: String(total[k]) })),
      h('td', {})));
  }

  const form = $('#report-controls');
  $('#report-month').value = state.month;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.region = $('#report-region').value;
    state.month = $('#report-month').value;
    history.replaceState(null, '', location.pathname + query());
    load();
  });
  $('#print-button').addEventListener('click', () => window.print());
  CG.onLang(render);

  CG.ready(() => {
    CG.schools().then((list) => {
      const sel = $('#report-region');
      sel.append(h('option', { value: '', 'data-i18n': 'report.all_regions', text: T('report.all_regions') }));
      CG.fillRegionSelect(sel, CG.regionsOf(list));
      sel.value = state.region;
      render();
    }, (e) => CG.message(e.message, 'error'));
    load();
  });
})();
