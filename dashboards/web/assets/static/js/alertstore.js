// The live alerts a board holds, as data: a Map by id and the same alerts
// kept sorted as the API sorts them, updated one alert at a time (a stream
// event moves, inserts or removes one entry; nothing is sorted again), and
// the window of rows an alert table draws. No DOM here (alerts.js draws the
// tables), so a unit test can drive it in node.
'use strict';

(function (CG) {
  const sevRank = { P0: 0, P1: 1, P2: 2, P3: 3 };

  // keyOf is what the order looks at: severity, start (ms), id.
  function keyOf(a) {
    const t = Date.parse(a.started_at);
    return { r: sevRank[a.severity] ?? 4, t: Number.isNaN(t) ? 0 : t, id: String(a.id) };
  }
  // cmpKey orders most severe first, then newest, then by id (so that the
  // order is total and a row never swaps with its twin between frames).
  function cmpKey(x, y) {
    if (x.r !== y.r) return x.r - y.r;
    if (x.t !== y.t) return y.t - x.t;
    return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
  }

  // alertOrder sorts as the API does: most severe first, then newest.
  CG.alertOrder = (a, b) => cmpKey(keyOf(a), keyOf(b));

  // AlertSet keeps alerts by id; with keepResolved it also keeps those
  // that resolve (the market board counts them). Listeners get every
  // change, one by one (event, alert; "snapshot", null after a bulk load):
  // they should only note it and draw once per frame.
  CG.AlertSet = class {
    constructor(opts) {
      this.byId = new Map(); // id → alert
      this.keys = new Map(); // id → keyOf(alert), as it sits in sorted
      this.sorted = []; // the alerts in alertOrder
      this.keepResolved = !!(opts && opts.keepResolved);
      this.listeners = [];
      this.version = 0; // counts changes (a board can skip a frame with none)
    }
    onChange(fn) {
      this.listeners.push(fn);
    }
    emit(event, alert) {
      this.version++;
      this.listeners.forEach((fn) => fn(event, alert));
    }
    get size() {
      return this.byId.size;
    }
    // resort builds the order from byId: after a bulk load only.
    resort() {
      this.keys = new Map();
      const all = [];
      for (const a of this.byId.values()) {
        this.keys.set(a.id, keyOf(a));
        all.push(a);
      }
      all.sort((a, b) => cmpKey(this.keys.get(a.id), this.keys.get(b.id)));
      this.sorted = all;
    }
    // index returns where key sits (or would go) in sorted.
    index(key) {
      let lo = 0;
      let hi = this.sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cmpKey(this.keys.get(this.sorted[mid].id), key) < 0) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }
    remove(id) {
      const key = this.keys.get(id);
      if (!key) return;
      const i = this.index(key);
      if (this.sorted[i] && this.sorted[i].id === id) this.sorted.splice(i, 1);
      else this.sorted = this.sorted.filter((a) => a.id !== id); // cannot happen; stay right anyway
      this.keys.delete(id);
      this.byId.delete(id);
    }
    put(a) {
      const key = keyOf(a);
      const old = this.keys.get(a.id);
      if (old && cmpKey(old, key) === 0) {
        // Same place (the usual update): swap the alert in place.
        const i = this.index(key);
        if (this.sorted[i] && this.sorted[i].id === a.id) {
          this.sorted[i] = a;
          this.byId.set(a.id, a);
          return;
        }
      }
      if (old) this.remove(a.id);
      const i = this.index(key);
      this.keys.set(a.id, key); // after index: it compares the others' keys only
      this.sorted.splice(i, 0, a);
      this.byId.set(a.id, a);
    }
    // snapshot replaces the open alerts (resolved ones kept stay).
    snapshot(alerts) {
      for (const [id, a] of this.byId) {
        if (a.state !== 'resolved') this.byId.delete(id);
      }
      alerts.forEach((a) => this.byId.set(a.id, a));
      this.resort();
      this.emit('snapshot', null);
    }
    add(alerts) {
      alerts.forEach((a) => {
        if (a.state !== 'resolved' || this.keepResolved) this.byId.set(a.id, a);
      });
      this.resort();
      this.emit('snapshot', null);
    }
    // apply records one change of the stream: one entry moves, comes or
    // goes.
    apply(event, a) {
      if (a.state === 'resolved' && !this.keepResolved) this.remove(a.id);
      else this.put(a);
      this.emit(event, a);
    }
    get(id) {
      return this.byId.get(id);
    }
    // list returns the alerts filter selects (all without one), in order.
    list(filter) {
      return filter ? this.sorted.filter(filter) : this.sorted.slice();
    }
    // count returns how many alerts filter selects, without a list.
    count(filter) {
      if (!filter) return this.sorted.length;
      let n = 0;
      for (const a of this.sorted) if (filter(a)) n++;
      return n;
    }
  };

  // rowWindow says which rows of a virtual table to draw: n rows of
  // rowH px, of which the part from top px (from the first row) for view
  // px is in sight; margin rows more on each side. {first, end} (end
  // excluded), before and after: the px the rows not drawn stand for.
  CG.rowWindow = function (n, rowH, top, view, margin) {
    const h = rowH > 0 ? rowH : 1;
    const m = margin || 0;
    let first = Math.max(0, Math.floor(Math.max(0, top) / h) - m);
    let end = Math.min(n, Math.ceil((Math.max(0, top) + Math.max(0, view)) / h) + m);
    if (first > end) first = Math.max(0, n - Math.ceil(Math.max(0, view) / h) - m); // past the end: the list shrank
    end = Math.max(end, first);
    return { first, end, before: first * h, after: (n - end) * h };
  };
})(globalThis.CG);
