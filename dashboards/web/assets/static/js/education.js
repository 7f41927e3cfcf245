// Education bureau board (/board/education): the headline rates with the
// counts beside them, coloured by their worst member; the schools that
// need attention, failing first, in the first screen; the counties; the
// 30-day trend; one school's detail fetched when it is opened; a day,
// week, month or term; the CSV export; and the reports of the alerts the
// bureau owns that wait for its verification (待复核).
'use strict';

(function () {
  const { T, h, $ } = CG;
  const N = CG.Numbers;
  const MEASURES = ['closed_campus', 'guard_staffing', 'protection_post', 'alarm_link', 'bright_kitchen'];
  const FOUR = 5; // the four-100% column of the compact answer
  const TREND_DAYS = 31; // today and the last 30 days
  const HISTORY_DAYS = 400; // the days the server keeps (compliance.HistoryDays)
  const PAGE = 200; // schools per page

  const state = {
    // date: the day asked for (CG.today follows the server's clock).
    period: 'day', date: CG.today(), region: '', onlyFailing: false, all: false,
    report: null, rows: [], trend: null, detail: '', detailDay: null, detailTrend: null,
  };
  const hiddenSeries = new Set();
  const lang = () => CG.lang();
  const num = (n) => N.num(n, lang());

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

  const list = () => (state.all ? 'all' : state.onlyFailing ? 'failing' : 'attention');

  function reportURL(offset) {
    let u = '/api/v1/compliance?period=' + state.period + '&date=' + encodeURIComponent(state.date) +
      '&schools=' + list() + '&limit=' + PAGE;
    if (state.region) u += '&region=' + encodeURIComponent(state.region);
    if (offset) u += '&offset=' + offset;
    return u;
  }

  let seq = 0; // the newest report asked for: older answers are dropped
  async function loadReport() {
    const mine = ++seq;
    let got;
    try {
      got = await CG.api('GET', reportURL(0));
    } catch (e) {
      if (mine === seq) CG.message(e.message, 'error');
      return;
    }
    if (mine !== seq) return;
    state.report = got;
    state.rows = got.schools.slice();
    got.regions.forEach((r) => CG.learnRegion(r.r, r.n));
    if (got.city) CG.learnRegion(got.city.r, got.city.n);
    $('#export-csv').href = '/api/v1/compliance/export.csv?date=' + encodeURIComponent(state.date);
    render();
  }

  async function loadMore() {
    const mine = seq;
    try {
      const got = await CG.api('GET', reportURL(state.rows.length));
      if (mine !== seq) return;
      state.rows = state.rows.concat(got.schools);
      state.report.total = got.total;
      renderSchools();
    } catch (e) {
      CG.message(e.message, 'error');
    }
  }

  // loadTrend fetches the 30-day trend of the viewer's scope (the county
  // picked, if any): no per-school data, no rollups (the chart draws the
  // scope only).
  let trendSeq = 0;
  async function loadTrend() {
    const mine = ++trendSeq;
    let u = '/api/v1/compliance/trend?per_school=false&rollups=false&days=' + TREND_DAYS;
    if (state.region) u += '&region=' + encodeURIComponent(state.region);
    let got;
    try {
      got = await CG.api('GET', u);
    } catch (e) {
      if (mine === trendSeq) CG.message(e.message, 'error');
      return;
    }
    if (mine !== trendSeq) return;
    state.trend = got;
    renderTrend();
  }

  // ---- Rendering.

  function render() {
    if (!state.report) return;
    renderRange();
    renderSummary();
    renderSchools();
    renderRegions();
    renderTrend();
    if (state.detail) renderDetail();
  }

  function renderRange() {
    const r = state.report;
    let s = state.period === 'day' ? '' : T('numbers.range', r.from, r.to);
    if (!r.complete) s += (s ? ' ' : '') + T('numbers.so_far');
    $('#period-range').textContent = s;
    $('#no-data').hidden = !N.noData(r.scope);
  }

  // headline: a rate (or why there is none) with its counts beneath.
  function headline(label, col, c, noData, main) {
    const rate = N.rate(c);
    const tone = noData ? 'na' : N.tone(c);
    const value = noData ? T('common.no_record') : rate !== null ? CG.pct(rate) : c.not_judged ? T('numbers.not_judged_value') : '—';
    return h('div', { class: 'card numbers-card ' + tone + (main ? ' main' : ''), dataset: { col, tone } },
      h('span', { class: 'card-value' + (rate === null || noData ? ' numbers-word' : ''), text: value }),
      h('span', { class: 'card-label', text: label }),
      noData ? null : N.countsText(c, T, lang()).map((t, i) => h('span', { class: 'card-sub' + (i === 0 ? ' numbers-count' : ''), text: t })));
  }

  function renderSummary() {
    const sc = state.report.scope;
    const noData = N.noData(sc);
    const box = CG.clear($('#summary'));
    box.append(h('div', { class: 'card' }, h('span', { class: 'card-value', text: num(sc.s) }),
      h('span', { class: 'card-label', text: T('col.schools') }),
      h('span', { class: 'card-sub', text: T('numbers.recorded', num(sc.rec)) })));
    box.append(headline(T('measure.four_hundred'), 'four_hundred', N.counts(sc.c[FOUR]), noData, true));
    MEASURES.forEach((m, i) => box.append(headline(CG.measureName(m), m, N.counts(sc.c[i]), noData)));
  }

  // rateCell: a county's rate with its failing and not-judged counts.
  function rateCell(c, noData) {
    const rate = N.rate(c);
    const tone = noData ? 'na' : N.tone(c);
    return h('td', { class: 'num numbers-cell ' + tone, dataset: { tone } },
      h('span', { class: 'rate', text: noData ? T('common.no_record') : CG.pct(rate) }),
      !noData && c.not_met ? h('small', { class: 'cnt bad', text: T('numbers.cell_failing', num(c.not_met)) }) : null,
      !noData && c.not_judged ? h('small', { class: 'cnt', text: T('numbers.cell_nj', num(c.not_judged)) }) : null);
  }

  function regionRow(r, cls, onclick) {
    const noData = N.noData(r);
    return h('tr', { dataset: { region: r.r }, class: cls, onclick },
      h('td', { text: CG.regionName(r.r) || r.n }), h('td', { class: 'num', text: num(r.s) }),
      rateCell(N.counts(r.c[FOUR]), noData), MEASURES.map((m, i) => rateCell(N.counts(r.c[i]), noData)));
  }

  function renderRegions() {
    const tbody = CG.clear($('#region-table tbody'));
    const rep = state.report;
    rep.regions.filter((r) => !state.region || r.r === state.region).forEach((r) => {
      tbody.append(regionRow(r, 'clickable', () => setRegion(state.region === r.r ? '' : r.r)));
    });
    if (rep.city && rep.city.s && !state.region) tbody.append(regionRow(rep.city, 'total'));
    if (!tbody.children.length) {
      tbody.append(h('tr', {}, h('td', { colspan: '8', class: 'empty', text: T('education.no_rollup') })));
    }
  }

  // measureCell shows column i of a compact school: ✓/✗ with the value
  // (a day) or the days not met (a period), 未判定, or — (not applicable).
  function measureCell(s, i) {
    const v = N.verdict(s, i);
    const attrs = (cls, title) => ({ class: 'm ' + cls, title: title || '', dataset: { verdict: v, col: i === FOUR ? 'four_hundred' : MEASURES[i] } });
    if (v === 'not_judged') return h('td', attrs('na nj'), s.nr ? T('common.no_record') : T('measure.not_judged'));
    if (v === 'not_applicable') return h('td', attrs('na', T('measure.na')), '—');
    // A day shows the value of a met measure; a failure says so (its
    // value, an online share say, may be 100 % when the link failed), the
    // value in the tooltip. A period shows the days.
    const ok = v === 'met';
    let extra = T(ok ? 'measure.ok' : 'measure.fail');
    if (i !== FOUR && s.d) extra = ok ? T('numbers.days_met', s.d[i][0]) : T('numbers.days_failed', s.d[i][1]);
    else if (i !== FOUR && s.x && ok) extra = CG.pct(s.x[i]);
    const title = i !== FOUR && s.x ? CG.pct(s.x[i]) : '';
    return h('td', attrs(ok ? 'ok' : 'fail', title), h('span', { class: 'mark', text: ok ? '✓' : '✗' }), ' ', extra);
  }

  function renderSchools() {
    const rep = state.report;
    const tbody = CG.clear($('#compliance-table tbody'));
    state.rows.forEach((s) => {
      tbody.append(h('tr', {
        class: 'clickable' + (state.detail === s.id ? ' selected' : '') + (N.verdict(s, FOUR) === 'not_met' ? ' failing' : ''),
        dataset: { school: s.id, verdict: N.verdict(s, FOUR) },
        onclick: () => openDetail(s.id),
      },
      h('td', { text: CG.schoolName(s.id) }),
      h('td', { text: CG.regionName(s.r) }),
      MEASURES.map((m, i) => measureCell(s, i)),
      measureCell(s, FOUR)));
    });
    if (!state.rows.length) {
      const why = N.noData(rep.scope) ? T('common.no_record') : T('numbers.all_met');
      tbody.append(h('tr', {}, h('td', { colspan: '8', class: 'empty', text: why })));
    }
    $('#table-count').textContent = '· ' + T('numbers.listed', num(state.rows.length), num(rep.total));
    const more = $('#schools-more');
    const left = rep.total - state.rows.length;
    more.hidden = left <= 0;
    more.textContent = T('numbers.more', num(Math.min(PAGE, left)));
    $('#schools-all').textContent = T(state.all ? 'numbers.show_attention' : 'numbers.show_all');
  }

  // fromLong reads a trend rollup's counts ({met, not_met, ...}).
  const fromLong = (c) => N.counts(c ? [c.met, c.not_met, c.not_applicable, c.not_judged] : null);

  function renderTrend() {
    const t = state.trend;
    if (!t) return;
    // The scope is the viewer's schools (of the county picked). A day
    // without any record is a gap, and counted in the note: never a 0 %.
    const empty = (d) => !d.scope.recorded;
    const val = (d, f) => (empty(d) ? null : N.rate(f(d.scope)));
    const series = [{ key: 'four_hundred', label: T('measure.four_hundred'), main: true, values: t.days.map((d) => val(d, (r) => fromLong(r.four_hundred_counts))) }]
      .concat(MEASURES.map((m) => ({ key: m, label: CG.measureName(m), values: t.days.map((d) => val(d, (r) => fromLong((r.counts || {})[m]))) })));
    CG.lineChart($('#trend-svg'), $('#trend-legend'), { dates: t.days.map((d) => d.date), series }, hiddenSeries);
    const without = t.days.filter(empty).length;
    $('#trend-note').textContent = without ? T('numbers.trend_no_data', num(without)) : '';
  }

  // ---- Drill-down: one school's measures, history and alerts, fetched
  // when it is opened (the board's list carries verdicts only).

  async function openDetail(id) {
    state.detail = id;
    state.detailDay = null;
    state.detailTrend = null;
    $('#school-detail').hidden = false;
    renderSchools();
    renderDetail();
    loadAlerts(id);
    const day = CG.api('GET', '/api/v1/compliance/schools/' + encodeURIComponent(id) + '?date=' + encodeURIComponent(state.date))
      .then((sd) => ({ sd }), (e) => ({ err: e }));
    const trend = CG.api('GET', '/api/v1/compliance/trend?days=' + TREND_DAYS + '&school=' + encodeURIComponent(id))
      .catch(() => null);
    const [d, tr] = await Promise.all([day, trend]);
    if (state.detail !== id) return;
    state.detailDay = d;
    state.detailTrend = tr;
    renderDetail();
  }

  function renderDetail() {
    const id = state.detail;
    $('#detail-title').textContent = CG.schoolName(id) + ' · ' + state.date;
    const box = CG.clear($('#detail-measures'));
    const row = state.rows.find((s) => s.id === id);
    if (row && row.d) { // a period: its verdict and days per measure
      box.append(h('p', { class: 'muted', text: T('numbers.period_verdict') + ' ' + T('numbers.range', state.report.from, state.report.to) }));
      MEASURES.forEach((m, i) => {
        const v = N.verdict(row, i);
        box.append(h('div', { class: 'lapse ' + CG.verdictClass(v), dataset: { measure: m, verdict: v, period: state.period } },
          h('strong', { text: CG.measureName(m) }), ' ', h('span', { class: 'status', text: CG.verdictText(v) }),
          h('span', { class: 'value', text: ' ' + T('numbers.days_failed', row.d[i][1]) + ' · ' + T('numbers.days_met', row.d[i][0]) })));
      });
      box.append(h('p', { class: 'muted', text: T('numbers.day_detail', state.date) }));
    }
    const got = state.detailDay;
    if (!got) return renderHistory();
    if (!got.sd) {
      box.append(h('p', { class: 'empty', text: T('common.no_record') }));
    } else {
      MEASURES.forEach((m) => {
        const r = got.sd.measures[m];
        const v = CG.verdict(r);
        box.append(h('div', { class: 'lapse ' + CG.verdictClass(v), dataset: { measure: m, verdict: v } },
          h('strong', { text: CG.measureName(m) }), ' ', h('span', { class: 'status', text: CG.verdictText(v) }),
          r && v !== 'not_applicable' && v !== 'not_judged' ? h('span', { class: 'value', text: ' ' + CG.pct(r.value) }) : null,
          CG.detailText(r) ? h('p', { class: 'detail', text: CG.detailText(r) }) : null));
      });
    }
    renderHistory();
  }

  function renderHistory() {
    const box = CG.clear($('#detail-history'));
    const t = state.detailTrend;
    if (!t) return;
    t.days.forEach((d) => {
      const v = (d.four_hundred || {})[state.detail];
      const cls = v === true ? 'ok' : v === false ? 'fail' : 'na';
      const label = v === true ? T('measure.ok') : v === false ? T('measure.fail') : d.scope.recorded ? T('measure.not_judged') : T('common.no_record');
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
    loadReport();
    loadTrend();
    renderReview();
  }

  const dateInput = $('#date-input');
  dateInput.value = state.date;
  dateInput.max = state.date;
  dateInput.min = CG.addDays(state.date, -(HISTORY_DAYS - 1));
  dateInput.addEventListener('change', () => {
    if (!dateInput.value) return;
    state.date = dateInput.value;
    loadReport();
  });
  $('#period-select').addEventListener('change', (ev) => {
    state.period = ev.target.value;
    loadReport();
  });
  $('#region-filter').addEventListener('change', (ev) => setRegion(ev.target.value));
  $('#only-failing').addEventListener('change', (ev) => {
    state.onlyFailing = ev.target.checked;
    state.all = false;
    loadReport();
  });
  $('#schools-more').addEventListener('click', loadMore);
  $('#schools-all').addEventListener('click', () => {
    state.all = !state.all;
    if (state.all) {
      state.onlyFailing = false;
      $('#only-failing').checked = false;
    }
    loadReport();
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
      if (!state.report || !state.report.complete) loadReport();
      loadTrend();
    }, 300000);
  });

  // For the browser test: the alerts, the panel and the board's state.
  CG.education = { set, panel, state };
})();
