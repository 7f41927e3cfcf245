// Education bureau board (/board/education): the five measures per region
// and per school on a day, the trend of the last 30 days, a school's
// lapses and alerts, the CSV export, and the reports of the alerts the
// bureau owns that wait for its verification (待复核).
'use strict';

(function () {
  const { T, h, $ } = CG;
  const MEASURES = ['closed_campus', 'guard_staffing', 'protection_post', 'alarm_link', 'bright_kitchen'];
  const TREND_DAYS = 31; // today and the last 30 days

  const state = { date: CG.today(), region: '', onlyFailing: false, report: null, trend: null, detail: '' };
  const hiddenSeries = new Set();

  // The live alerts the bureau sees (the event stream), for its
  // verification queue; the drill-down's alerts join them, closed ones
  // too, so that the panel can show any of them.
  const set = new CG.AlertSet({ keepResolved: true });
  const panel = new CG.AlertPanel(set);
  let who = CG.Handling.actor(null); // the viewer as the API sees it acting
  const showAlert = (id) => panel.show(id);

  function renderReview() {
    const rows = set.list((a) => !state.region || a.region === state.region);
    CG.renderReview($('#review-list tbody'), $('#review-empty'), rows, who, showAlert);
  }
  let pending = false;
  set.onChange(() => {
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      renderReview();
      renderDetailAlerts();
    }, 50);
  });

  // ---- Loading.

  async function loadReport() {
    try {
      state.report = await CG.api('GET', '/api/v1/compliance?date=' + encodeURIComponent(state.date));
      state.report.regions.forEach((r) => CG.learnRegion(r.region, r.name));
      if (state.report.city) CG.learnRegion(state.report.city.region, state.report.city.name);
    } catch (e) {
      CG.message(e.message, 'error');
      state.report = { schools: [], regions: [] };
    }
    $('#export-csv').href = '/api/v1/compliance/export.csv?date=' + encodeURIComponent(state.date);
    render();
  }

  async function loadTrend() {
    try {
      state.trend = await CG.api('GET', '/api/v1/compliance/trend?days=' + TREND_DAYS);
    } catch (e) {
      CG.message(e.message, 'error');
      return;
    }
    renderTrend();
    if (state.detail) renderHistory(state.detail);
  }

  // ---- Rendering.

  function render() {
    if (!state.report) return;
    renderSummary();
    renderRegions();
    renderSchools();
    renderTrend();
    if (state.detail) renderDetail(state.detail);
  }

  function visibleSchools() {
    return state.report.schools.filter((sd) => !state.region || sd.region === state.region);
  }

  // status is a measure's verdict: met, not_met, not_applicable or
  // not_judged (a day without school, a window not over, no record).
  function status(r) {
    if (!r) return 'not_judged';
    if (r.status) return r.status;
    return !r.applicable ? 'not_applicable' : r.ok ? 'met' : 'not_met';
  }

  // rollup recomputes the counts and rates of schools, as the server rolls
  // up a region: rate = met ÷ (met + not met), every school counted.
  function rollup(schools) {
    const rates = {}, counts = {};
    const count = (sts) => {
      const c = { all: sts.length, met: 0, not_met: 0, not_applicable: 0, not_judged: 0 };
      sts.forEach((st) => { c[st] = (c[st] || 0) + 1; });
      return c;
    };
    const rate = (c) => (c.met + c.not_met ? c.met / (c.met + c.not_met) : null);
    MEASURES.forEach((m) => {
      counts[m] = count(schools.map((sd) => status(sd.measures[m])));
      const v = rate(counts[m]);
      if (v !== null) rates[m] = v;
    });
    const four = count(schools.map((sd) => sd.four_hundred_status || (sd.four_hundred ? 'met' : 'not_met')));
    return { schools: schools.length, rates, counts, four_hundred_counts: four, four_hundred_rate: rate(four) };
  }

  function card(label, value, cls, sub) {
    return h('div', { class: 'card ' + (cls || '') }, h('span', { class: 'card-value', text: value }),
      h('span', { class: 'card-label', text: label }), sub ? h('span', { class: 'card-sub', text: sub }) : null);
  }

  // countsText: "3 所未达标 / 1,594" and what is not judged or not applicable.
  function countsText(c) {
    if (!c) return '';
    let s = T('education.counts', c.not_met.toLocaleString(), c.all.toLocaleString());
    if (c.not_judged) s += ' · ' + T('education.counts_nj', c.not_judged.toLocaleString());
    if (c.not_applicable) s += ' · ' + T('education.counts_na', c.not_applicable.toLocaleString());
    return s;
  }

  function rateClass(v) {
    if (v === null || v === undefined) return 'na';
    return v >= 1 ? 'good' : v >= 0.9 ? 'fair' : 'bad';
  }

  function renderSummary() {
    const r = rollup(visibleSchools());
    const box = CG.clear($('#summary'));
    box.append(card(T('col.schools'), String(r.schools)));
    box.append(card(T('measure.four_hundred'), CG.pct(r.four_hundred_rate), 'main ' + rateClass(r.four_hundred_rate), countsText(r.four_hundred_counts)));
    MEASURES.forEach((m) => box.append(card(CG.measureName(m), CG.pct(r.rates[m]), rateClass(r.rates[m]), countsText(r.counts[m]))));
  }

  function rateCells(r) {
    return [h('td', { class: 'num ' + rateClass(r.four_hundred_rate), text: CG.pct(r.four_hundred_rate) })]
      .concat(MEASURES.map((m) => {
        const v = (r.rates || {})[m];
        return h('td', { class: 'num ' + rateClass(v), text: CG.pct(v) });
      }));
  }

  function renderRegions() {
    const tbody = CG.clear($('#region-table tbody'));
    const rows = state.report.regions.filter((r) => !state.region || r.region === state.region);
    rows.forEach((r) => {
      tbody.append(h('tr', {
        dataset: { region: r.region }, class: 'clickable',
        onclick: () => setRegion(state.region === r.region ? '' : r.region),
      }, h('td', { text: CG.regionName(r.region) }), h('td', { class: 'num', text: String(r.schools) }), rateCells(r)));
    });
    if (state.report.city && state.report.city.schools && !state.region) {
      const c = state.report.city;
      tbody.append(h('tr', { class: 'total' }, h('td', { text: CG.regionName(c.region) || c.name }),
        h('td', { class: 'num', text: String(c.schools) }), rateCells(c)));
    }
    if (!tbody.children.length) {
      tbody.append(h('tr', {}, h('td', { colspan: '8', class: 'empty', text: T('education.no_rollup') })));
    }
  }

  function measureCell(r) {
    if (status(r) === 'not_judged') return h('td', { class: 'm na', title: CG.detailText(r), text: T('measure.not_judged') });
    if (!r || !r.applicable) return h('td', { class: 'm na', title: CG.detailText(r), text: '—' });
    return h('td', { class: 'm ' + (r.ok ? 'ok' : 'fail'), title: CG.detailText(r) },
      h('span', { class: 'mark', text: r.ok ? '✓' : '✗' }), ' ', CG.pct(r.value));
  }

  function renderSchools() {
    let rows = visibleSchools();
    if (state.onlyFailing) rows = rows.filter((sd) => !sd.four_hundred);
    const tbody = CG.clear($('#compliance-table tbody'));
    rows.forEach((sd) => {
      tbody.append(h('tr', {
        class: 'clickable' + (state.detail === sd.school ? ' selected' : ''), dataset: { school: sd.school },
        onclick: () => openDetail(sd.school),
      },
      h('td', { text: CG.schoolName(sd.school) }),
      h('td', { text: CG.regionName(sd.region) }),
      MEASURES.map((m) => measureCell(sd.measures[m])),
      h('td', { class: 'm ' + (sd.four_hundred ? 'ok' : 'fail') },
        h('span', { class: 'mark', text: sd.four_hundred ? '✓' : '✗' }), ' ', T(sd.four_hundred ? 'measure.ok' : 'measure.fail'))));
    });
    if (!rows.length) tbody.append(h('tr', {}, h('td', { colspan: '8', class: 'empty', text: T('common.none') })));
    $('#table-count').textContent = T('education.count', rows.length, visibleSchools().length);
  }

  function renderTrend() {
    const t = state.trend;
    if (!t) return;
    // A region filter draws that region's rollup when the viewer sees it
    // whole; otherwise the viewer's own scope.
    const pick = (d) => {
      if (state.region) {
        const r = d.regions.find((x) => x.region === state.region);
        if (r) return r;
      }
      return d.scope;
    };
    const val = (d, f) => {
      const r = pick(d);
      if (!r || !r.schools) return null;
      const v = f(Object.assign({ rates: {} }, r, { rates: r.rates || {} }));
      return v === undefined ? null : v;
    };
    const series = [{ key: 'four_hundred', label: T('measure.four_hundred'), main: true, values: t.days.map((d) => val(d, (r) => r.four_hundred_rate)) }]
      .concat(MEASURES.map((m) => ({ key: m, label: CG.measureName(m), values: t.days.map((d) => val(d, (r) => r.rates[m])) })));
    CG.lineChart($('#trend-svg'), $('#trend-legend'), { dates: t.days.map((d) => d.date), series }, hiddenSeries);
  }

  // ---- Drill-down: one school's lapses, history and alerts.

  function openDetail(id) {
    state.detail = id;
    $('#school-detail').hidden = false;
    renderSchools();
    renderDetail(id);
    loadAlerts(id);
  }

  function renderDetail(id) {
    const sd = state.report.schools.find((s) => s.school === id);
    $('#detail-title').textContent = CG.schoolName(id) + ' · ' + state.date;
    const box = CG.clear($('#detail-measures'));
    if (!sd) {
      box.append(h('p', { class: 'empty', text: T('common.no_record') }));
    } else {
      MEASURES.forEach((m) => {
        const r = sd.measures[m];
        const cls = !r || !r.applicable ? 'na' : r.ok ? 'ok' : 'fail';
        const label = !r ? T('common.no_record') : status(r) === 'not_judged' ? T('measure.not_judged')
          : !r.applicable ? T('measure.na') : r.ok ? T('measure.ok') : T('measure.fail');
        box.append(h('div', { class: 'lapse ' + (status(r) === 'not_judged' ? 'na' : cls), dataset: { measure: m } },
          h('strong', { text: CG.measureName(m) }), ' ', h('span', { class: 'status', text: label }),
          r && r.applicable ? h('span', { class: 'value', text: ' ' + CG.pct(r.value) }) : null,
          CG.detailText(r) ? h('p', { class: 'detail', text: CG.detailText(r) }) : null));
      });
    }
    renderHistory(id);
  }

  function renderHistory(id) {
    const box = CG.clear($('#detail-history'));
    if (!state.trend) return;
    state.trend.days.forEach((d) => {
      const v = d.four_hundred[id];
      const cls = v === true ? 'ok' : v === false ? 'fail' : 'na';
      const label = v === true ? T('measure.ok') : v === false ? T('measure.fail') : T('common.no_record');
      box.append(h('span', { class: 'day ' + cls, title: d.date + ' ' + T('measure.four_hundred') + ': ' + label }));
    });
  }

  async function loadAlerts(id) {
    CG.clear($('#detail-alerts tbody'));
    detailLoaded = '';
    try {
      const got = await CG.api('GET', '/api/v1/alerts?school=' + encodeURIComponent(id));
      if (state.detail !== id) return;
      detailLoaded = id;
      set.add(got.alerts);
    } catch (e) {
      CG.message(e.message, 'error');
    }
  }

  // renderDetailAlerts lists the drill-down school's alerts, as loaded and
  // as they change since; a click opens the alert panel.
  let detailLoaded = ''; // the school whose alerts are in the set
  function renderDetailAlerts() {
    const id = state.detail;
    if (!id || detailLoaded !== id) return;
    const rows = set.list((a) => a.school === id);
    const tbody = CG.clear($('#detail-alerts tbody'));
    rows.forEach((a) => tbody.append(CG.alertRow(a, ['severity', 'rule', 'message', 'owner', 'started', 'state'], showAlert)));
    $('#detail-alerts-empty').hidden = rows.length > 0;
  }

  $('#detail-close').addEventListener('click', () => {
    state.detail = '';
    $('#school-detail').hidden = true;
    renderSchools();
  });

  // ---- Controls.

  function setRegion(r) {
    state.region = r;
    $('#region-filter').value = r;
    render();
    renderReview();
  }

  const dateInput = $('#date-input');
  dateInput.value = state.date;
  dateInput.max = state.date;
  dateInput.min = CG.addDays(state.date, -(TREND_DAYS - 1));
  dateInput.addEventListener('change', () => {
    if (!dateInput.value) return;
    state.date = dateInput.value;
    loadReport();
  });
  $('#region-filter').addEventListener('change', (ev) => setRegion(ev.target.value));
  $('#only-failing').addEventListener('change', (ev) => {
    state.onlyFailing = ev.target.checked;
    renderSchools();
  });
  CG.onLang(render);
  CG.onLang(() => {
    renderReview();
    renderDetailAlerts();
  });

  CG.ready((s) => {
    who = CG.Handling.actor(s);
    CG.stream(set);
    CG.schools().then((list) => {
      CG.fillRegionSelect($('#region-filter'), CG.regionsOf(list));
      render();
    }, (e) => CG.message(e.message, 'error'));
    loadReport();
    loadTrend();
    // Today moves: refresh it every five minutes.
    setInterval(() => {
      if (state.date === CG.today()) loadReport();
      loadTrend();
    }, 300000);
  });

  // For the browser test: the alerts and the panel.
  CG.education = { set, panel };
})();
