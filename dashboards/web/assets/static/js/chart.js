// A small inline-SVG line chart of daily rates (0–100%), drawn by hand:
// gaps where a day has no value, a point with a tooltip per value, a
// legend that shows and hides each series.
'use strict';

(function () {
  const { h, svg } = CG;

  const W = 720;
  const H = 300;
  const M = { left: 46, right: 14, top: 14, bottom: 34 };

  // lineChart draws spec into the <svg> el and its legend into legend:
  // spec = {dates: ['YYYY-MM-DD', ...], series: [{key, label, values:
  // [0..1 | null, ...], main}]}; hidden is a Set of series keys not drawn.
  CG.lineChart = function (el, legend, spec, hidden) {
    const off = hidden || new Set();
    CG.clear(el);
    el.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    const n = spec.dates.length;
    const iw = W - M.left - M.right;
    const ih = H - M.top - M.bottom;
    const x = (i) => M.left + (n <= 1 ? iw / 2 : (i * iw) / (n - 1));
    const y = (v) => M.top + ih - v * ih;

    const grid = svg('g', { class: 'grid' });
    [0, 0.25, 0.5, 0.75, 1].forEach((v) => {
      grid.append(svg('line', { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v) }));
      grid.append(svg('text', { x: M.left - 6, y: y(v) + 4, 'text-anchor': 'end', text: Math.round(v * 100) + '%' }));
    });
    const step = Math.max(1, Math.ceil(n / 8));
    spec.dates.forEach((d, i) => {
      if (i % step !== 0 && i !== n - 1) return;
      grid.append(svg('text', { x: x(i), y: H - M.bottom + 18, 'text-anchor': 'middle', text: CG.fmtDate(d, 'day') }));
    });
    el.append(grid);

    spec.series.forEach((s, si) => {
      if (off.has(s.key)) return;
      const g = svg('g', { class: 'series series-' + si + (s.main ? ' main' : ''), 'data-series': s.key });
      let d = '';
      let pen = false;
      s.values.forEach((v, i) => {
        if (v === null || v === undefined) {
          pen = false;
          return;
        }
        d += (pen ? ' L' : ' M') + x(i).toFixed(1) + ' ' + y(v).toFixed(1);
        pen = true;
      });
      if (d) g.append(svg('path', { d: d.trim(), fill: 'none' }));
      s.values.forEach((v, i) => {
        if (v === null || v === undefined) return;
        g.append(svg('circle', { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: s.main ? 4 : 3 },
          svg('title', { text: s.label + ' ' + spec.dates[i] + ': ' + CG.pct(v) })));
      });
      el.append(g);
    });

    if (!legend) return;
    CG.clear(legend);
    spec.series.forEach((s, si) => {
      legend.append(h('button', {
        type: 'button', class: 'legend-item series-' + si + (off.has(s.key) ? ' off' : ''), dataset: { series: s.key },
        'aria-pressed': off.has(s.key) ? 'false' : 'true',
        onclick: () => {
          if (off.has(s.key)) off.delete(s.key);
          else off.add(s.key);
          CG.lineChart(el, legend, spec, off);
        },
      }, h('span', { class: 'swatch' }), s.label));
    });
  };
})();
