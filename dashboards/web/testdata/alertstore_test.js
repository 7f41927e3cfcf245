// Unit check of the boards' alert store (alertstore.js), run by
// TestAlertStoreJS with node: node alertstore_test.js <path of alertstore.js>.
// Every step is checked against the old way (sort everything again).
'use strict';
const assert = require('assert');

globalThis.CG = {};
require(process.argv[2]);
const CG = globalThis.CG;

// A reproducible random walk (no Math.random: a failure replays).
let seed = 42;
const rnd = (n) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const SEVS = ['P0', 'P1', 'P2', 'P3'];
const STATES = ['firing', 'acknowledged', 'resolved'];
const at = (min) => new Date(Date.UTC(2026, 10, 30, 0, 0) + min * 60000).toISOString();
const alert = (id) => ({ id: 'a' + id, severity: SEVS[rnd(4)], started_at: at(rnd(50)), state: 'firing', n: rnd(1000) });

// The reference: the alerts by id, sorted from scratch.
const ref = new Map();
const refList = () => Array.from(ref.values()).sort(CG.alertOrder);
const same = (set, what) => {
  const got = set.list().map((a) => a.id + '/' + a.n);
  const want = refList().map((a) => a.id + '/' + a.n);
  assert.deepStrictEqual(got, want, what);
  assert.strictEqual(set.size, ref.size, what + ': size');
  assert.strictEqual(set.count(), ref.size, what + ': count');
};

const set = new CG.AlertSet();
let events = 0;
set.onChange(() => events++);

// A snapshot of 3,000 alerts.
const snap = [];
for (let i = 0; i < 3000; i++) snap.push(alert(i));
snap.forEach((a) => ref.set(a.id, a));
set.snapshot(snap);
same(set, 'snapshot');
assert.strictEqual(events, 1, 'one change for the snapshot');

// 20,000 stream events: updates in place (same severity and start),
// moves (the severity changes), new alerts and resolutions.
for (let k = 0; k < 20000; k++) {
  const kind = rnd(4);
  let a;
  if (kind === 0 || ref.size === 0) {
    a = alert(3000 + k); // a new one
  } else {
    const ids = Array.from(ref.keys());
    const old = ref.get(ids[rnd(ids.length)]);
    if (kind === 1) a = { ...old, n: rnd(1000) }; // updated in place
    else if (kind === 2) a = { ...old, severity: SEVS[rnd(4)], started_at: at(rnd(50)), n: rnd(1000) }; // moves
    else a = { ...old, state: STATES[rnd(3)] }; // acknowledged or resolved
  }
  if (a.state === 'resolved') ref.delete(a.id);
  else ref.set(a.id, a);
  set.apply('updated', a);
  if (k % 997 === 0) same(set, 'after event ' + k);
  assert.strictEqual(set.get(a.id), a.state === 'resolved' ? undefined : a, 'get after event ' + k);
}
same(set, 'after the stream');
assert.strictEqual(events, 20001, 'one change per event');

// An update of one alert swaps that alert only: every other entry is the
// same object as before.
const before = set.list();
const target = before[Math.floor(before.length / 2)];
const upd = { ...target, state: 'acknowledged' };
set.apply('acknowledged', upd);
const after = set.list();
assert.strictEqual(after.length, before.length, 'same length');
let changed = 0;
after.forEach((a, i) => {
  if (a !== before[i]) changed++;
});
assert.strictEqual(changed, 1, 'one entry changed');
assert.strictEqual(after[before.indexOf(target)], upd, 'in its place');

// list(filter) keeps the order; count(filter) agrees with it.
const p1 = (a) => a.severity === 'P1';
assert.deepStrictEqual(set.list(p1), set.list().filter(p1), 'filtered list');
assert.strictEqual(set.count(p1), set.list(p1).length, 'filtered count');

// A snapshot replaces the open alerts; keepResolved keeps the resolved.
const kept = new CG.AlertSet({ keepResolved: true });
kept.add([{ id: 'x', severity: 'P2', started_at: at(1), state: 'resolved' }]);
kept.snapshot([{ id: 'y', severity: 'P0', started_at: at(2), state: 'firing' }]);
assert.deepStrictEqual(kept.list().map((a) => a.id), ['y', 'x'], 'resolved kept across a snapshot');
kept.apply('resolved', { id: 'y', severity: 'P0', started_at: at(2), state: 'resolved' });
assert.strictEqual(kept.size, 2, 'keepResolved keeps a resolution');
const plain = new CG.AlertSet();
plain.snapshot([{ id: 'y', severity: 'P0', started_at: at(2), state: 'firing' }]);
plain.apply('resolved', { id: 'y', severity: 'P0', started_at: at(2), state: 'resolved' });
plain.apply('resolved', { id: 'never-seen', severity: 'P0', started_at: at(2), state: 'resolved' });
assert.strictEqual(plain.size, 0, 'a resolution removes; an unknown one is nothing');

// rowWindow: which rows a virtual table draws.
let w = CG.rowWindow(5000, 40, 0, 800, 8);
assert.deepStrictEqual([w.first, w.end, w.before, w.after], [0, 28, 0, (5000 - 28) * 40], 'top');
w = CG.rowWindow(5000, 40, 4000, 800, 8);
assert.deepStrictEqual([w.first, w.end], [92, 128], 'scrolled');
assert.strictEqual(w.before + (w.end - w.first) * 40 + w.after, 5000 * 40, 'the spacers stand for the rest');
w = CG.rowWindow(5000, 40, 5000 * 40 - 800, 800, 8);
assert.deepStrictEqual([w.first, w.end, w.after], [4972, 5000, 0], 'bottom');
w = CG.rowWindow(10, 40, 100000, 800, 8); // scrolled far below a list that shrank
assert.ok(w.first <= w.end && w.end === 10 && w.end - w.first > 0, 'shrunk: ' + JSON.stringify(w));
w = CG.rowWindow(0, 40, 0, 800, 8);
assert.deepStrictEqual([w.first, w.end, w.before, w.after], [0, 0, 0, 0], 'empty');
w = CG.rowWindow(3, 0, 0, 0, 8); // not laid out yet
assert.ok(w.end <= 3 && w.first === 0, 'no height: ' + JSON.stringify(w));

console.log('ok');
