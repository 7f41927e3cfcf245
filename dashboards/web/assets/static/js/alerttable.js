// A virtual alert table: a table of any length (5,000 open alerts on a
// city-wide police board) of which only the rows in sight, and a few on
// each side, are in the DOM; spacer rows stand for the others, so the
// scroll bar and the keyboard behave as if all were there. Rows are one
// line each (fixed height, measured once drawn). A row is drawn again only
// when its alert changed (the set hands a new object for every change),
// and the drawing happens at most once per animation frame, however many
// events came in between.
'use strict';

(function () {
  const { T, h } = CG;

  // frame runs fn at the next animation frame, or after a quarter second
  // when the page is not painted (a background tab gets no frames).
  function frame(fn) {
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      cancelAnimationFrame(raf);
      clearTimeout(timer);
      fn();
    };
    const raf = requestAnimationFrame(run);
    const timer = setTimeout(run, 250);
  }

  // numberFormat writes counts in the page's language (5,000).
  const formats = {};
  function numberFormat() {
    const loc = CG.lang() === 'en' ? 'en' : 'zh-CN';
    if (!formats[loc]) formats[loc] = new Intl.NumberFormat(loc);
    return formats[loc];
  }

  const STEP = { ArrowDown: 1, ArrowUp: -1, PageDown: 'page', PageUp: '-page', Home: '-all', End: 'all' };

  // AlertTable draws the <table> table (with a <thead> and a <tbody>) as a
  // virtual list. opts: cols (the cells of CG.alertRow), onSelect (a row
  // clicked or Enter), empty (the element shown when there are no rows),
  // margin (rows drawn beyond sight on each side, default 8).
  CG.AlertTable = class {
    constructor(table, opts) {
      this.table = table;
      this.tbody = table.tBodies[0];
      this.cols = opts.cols;
      this.onSelect = opts.onSelect;
      this.empty = opts.empty || null;
      this.margin = opts.margin ?? 8;
      this.rows = []; // the alerts to list, in order
      this.drawn = new Map(); // id → {a, tr}: the rows in the DOM
      // Layout figures, read only when the layout may have changed (a
      // read after the frame's writes would lay the page out twice).
      this.rowH = 0; // a row's height
      this.headH = 0; // the sticky header's
      this.viewH = 0; // the box's inner height
      this.top = 0; // the box's scrollTop, as its scroll events tell
      this.measured = false;
      this.focusId = null; // the row the keyboard is on
      this.pending = false;
      this.statusText = '';

      table.classList.add('vtable');
      const ths = table.tHead ? Array.from(table.tHead.rows[0].cells) : [];
      this.cols.forEach((c, i) => {
        if (ths[i]) ths[i].dataset.col = c;
      });
      this.box = h('div', { class: 'vtable-box', tabindex: '0', role: 'region', 'aria-label': T('vtable.label') });
      table.before(this.box);
      this.box.append(table);
      this.status = h('p', { class: 'vtable-status', 'aria-live': 'polite' });
      this.box.before(this.status);
      const pad = (where) => h('tr', { class: 'vpad vpad-' + where, 'aria-hidden': 'true', hidden: true },
        h('td', { colspan: String(this.cols.length) }));
      this.padTop = pad('top');
      this.padBottom = pad('bottom');
      CG.clear(this.tbody).append(this.padTop, this.padBottom);

      this.box.addEventListener('scroll', () => {
        this.top = this.box.scrollTop;
        this.schedule();
      }, { passive: true });
      // Measure again when the box changes size (the window, the type
      // size, or the list growing past what fits).
      const remeasure = () => {
        this.measured = false;
        this.schedule();
      };
      if (window.ResizeObserver) new ResizeObserver(remeasure).observe(this.box);
      window.addEventListener('resize', remeasure);
      this.box.addEventListener('keydown', (ev) => this.key(ev));
      this.box.addEventListener('focusin', (ev) => {
        const tr = ev.target.closest && ev.target.closest('tr.alert-row');
        if (tr) this.focusId = tr.dataset.alertId;
      });
      // Rows drawn before the school names were known show ids: draw
      // them again once the names are in (the board asks for them too;
      // the request is made once per page).
      CG.schools().then(() => this.redrawAll(), () => {});
      CG.onLang(() => {
        this.box.setAttribute('aria-label', T('vtable.label'));
        this.redrawAll();
      });
    }

    // show sets the rows (alerts in display order); they are drawn at the
    // next frame.
    show(rows) {
      this.rows = rows;
      this.schedule();
    }

    // redrawAll draws every row again at the next frame (the language or
    // the names changed); until then the old rows stay.
    redrawAll() {
      this.measured = false;
      for (const d of this.drawn.values()) d.a = null;
      this.statusText = '';
      this.schedule();
    }

    schedule() {
      if (this.pending) return;
      this.pending = true;
      frame(() => {
        this.pending = false;
        this.draw();
      });
    }

    // measure reads the layout figures (a forced layout: once, and after
    // a resize or a change of language); true when they changed.
    measure(tr) {
      const rowH = tr.getBoundingClientRect().height;
      const headH = this.table.tHead ? this.table.tHead.offsetHeight : 0;
      const viewH = this.box.clientHeight;
      this.top = this.box.scrollTop;
      this.measured = true;
      const changed = Math.abs(rowH - this.rowH) > 0.5 || headH !== this.headH || viewH !== this.viewH;
      this.rowH = rowH;
      this.headH = headH;
      this.viewH = viewH;
      return changed;
    }

    // draw puts the rows in sight into the DOM, reusing every row whose
    // alert has not changed.
    draw() {
      const n = this.rows.length;
      const rowH = this.rowH || 40;
      const view = this.viewH || window.innerHeight;
      const w = CG.rowWindow(n, rowH, this.top - this.headH, view, this.margin);
      const active = document.activeElement;
      let refocus = null;
      const keep = new Map();
      const trs = [];
      for (let i = w.first; i < w.end; i++) {
        const a = this.rows[i];
        const d = this.drawn.get(a.id);
        let tr;
        if (d && d.a === a) {
          tr = d.tr;
        } else {
          tr = CG.alertRow(a, this.cols, this.onSelect);
          if (d && d.tr === active) refocus = tr;
        }
        keep.set(a.id, { a, tr });
        trs.push(tr);
      }
      for (const [id, d] of this.drawn) {
        const k = keep.get(id);
        if (k && k.tr === d.tr) continue;
        if (d.tr === active && !refocus) this.box.focus({ preventScroll: true }); // the keyboard stays in the table
        d.tr.remove();
      }
      this.drawn = keep;

      // Put the rows in order between the spacers, moving only those out
      // of place.
      let prev = this.padTop;
      if (this.tbody.firstChild !== prev) this.tbody.prepend(prev);
      for (const tr of trs) {
        if (prev.nextSibling !== tr) prev.after(tr);
        prev = tr;
      }
      if (prev.nextSibling !== this.padBottom) prev.after(this.padBottom);
      this.padTop.hidden = w.before === 0;
      this.padTop.firstChild.style.height = w.before + 'px';
      this.padBottom.hidden = w.after === 0;
      this.padBottom.firstChild.style.height = w.after + 'px';
      if (refocus) refocus.focus({ preventScroll: true });

      if (this.empty) this.empty.hidden = n > 0;
      this.table.dataset.total = String(n);
      this.table.dataset.first = String(w.first);
      this.table.dataset.drawn = String(trs.length);
      this.showStatus(n, view);

      // One line per row: measure one once drawn; draw again if the
      // spacers assumed otherwise.
      if (!this.measured && trs.length && this.measure(trs[0])) this.schedule();
    }

    // showStatus writes "rows x–y of n" above the table.
    showStatus(n, view) {
      const rowH = this.rowH || 40;
      const top = Math.max(0, this.top);
      const from = n ? Math.min(n, Math.floor(top / rowH) + 1) : 0;
      const to = Math.min(n, Math.max(from, Math.floor((top + view - this.headH) / rowH)));
      const f = numberFormat();
      const text = T('vtable.status', f.format(from), f.format(to), f.format(n));
      if (text !== this.statusText) {
        this.status.textContent = text;
        this.statusText = text;
      }
      this.status.dataset.total = String(n);
    }

    // key moves the keyboard through the rows: arrows, page up/down,
    // home/end (Enter on a row selects it: CG.alertRow).
    key(ev) {
      const step = STEP[ev.key];
      const n = this.rows.length;
      if (step === undefined || !n || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      ev.preventDefault();
      const page = Math.max(1, Math.floor(((this.viewH || window.innerHeight) - this.headH) / (this.rowH || 40)) - 1);
      const cur = this.focusId === null ? -1 : this.rows.findIndex((a) => a.id === this.focusId);
      let i;
      if (step === 'all') i = n - 1;
      else if (step === '-all') i = 0;
      else if (step === 'page') i = cur + page;
      else if (step === '-page') i = Math.max(0, cur) - page;
      else i = cur < 0 ? 0 : cur + step;
      this.focusRow(Math.min(n - 1, Math.max(0, i)));
    }

    // focusRow scrolls row i into sight (below the sticky header), draws
    // it and gives it the keyboard.
    focusRow(i) {
      const a = this.rows[i];
      if (!a) return;
      this.focusId = a.id;
      const rowH = this.rowH || 40;
      const headH = this.headH;
      const view = this.viewH || this.box.clientHeight;
      const top = headH + i * rowH;
      if (top < this.top + headH) this.box.scrollTop = top - headH;
      else if (top + rowH > this.top + view) this.box.scrollTop = top + rowH - view;
      this.top = this.box.scrollTop; // as the browser clamped it
      this.draw();
      const d = this.drawn.get(a.id);
      if (d) d.tr.focus({ preventScroll: true });
    }
  };
})();
