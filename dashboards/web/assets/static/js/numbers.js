// Numbers that tell the truth (the education board's figures): reading
// the compact compliance answer (GET /api/v1/compliance, docs/api.md),
// rates over judged schools only, the counts beside every rate, and the
// colour of a headline from its worst member — a county or measure with
// one failing school is never green, and "99.9 %" with a failure is red,
// not amber. Pure functions (no DOM), checked in node by TestNumbersJS.
'use strict';

(function () {
  const CG = globalThis.CG;

  // VERDICTS maps the compact answer's verdict characters.
  const VERDICTS = { 1: 'met', 0: 'not_met', '-': 'not_applicable', '?': 'not_judged' };

  const N = {};

  // verdict returns the verdict of column i of a compact school's v.
  N.verdict = (school, i) => VERDICTS[(school.v || '')[i]] || 'not_judged';

  // counts turns a compact [met, not met, n/a, not judged] into an object.
  N.counts = (c) => {
    const [met, notMet, na, nj] = c || [0, 0, 0, 0];
    return { met, not_met: notMet, not_applicable: na, not_judged: nj, all: met + notMet + na + nj, judged: met + notMet };
  };

  // rate is met ÷ judged, null when nothing is judged (never 0 % or 100 %).
  N.rate = (c) => (c.judged ? c.met / c.judged : null);

  // tone is a headline's colour from its worst member: bad when any
  // school fails, na when none is judged, pending when some are not
  // judged yet (and none fails), good only when every judged school
  // meets it and none waits.
  N.tone = (c) => {
    if (c.not_met > 0) return 'bad';
    if (!c.judged) return 'na';
    if (c.not_judged > 0) return 'pending';
    return 'good';
  };

  // num formats a count for the page's language ("1,594").
  N.num = (n, lang) => Number(n).toLocaleString(lang === 'en' ? 'en-US' : 'zh-CN');

  // countsText: "3 所未达标 / 1,594", then the not judged and not
  // applicable apart ("12 所尚未判定", "4 所不适用"); T is CG.T.
  N.countsText = (c, T, lang) => {
    const parts = [T('numbers.failing_of', N.num(c.not_met, lang), N.num(c.all, lang))];
    if (c.not_judged) parts.push(T('numbers.not_judged_n', N.num(c.not_judged, lang)));
    if (c.not_applicable) parts.push(T('numbers.na_n', N.num(c.not_applicable, lang)));
    return parts;
  };

  // noData reports whether a rollup has no record at all (a day or
  // period campusguard has nothing for: "no data recorded", not 0 schools).
  N.noData = (r) => !!r && r.s > 0 && !r.rec;

  // split keeps one language of a "中文 / English" detail.
  N.split = (text, lang) => {
    const s = text || '';
    const i = s.indexOf(' / ');
    if (i < 0) return s;
    return lang === 'en' ? s.slice(i + 3) : s.slice(0, i);
  };

  CG.Numbers = N;
})();
