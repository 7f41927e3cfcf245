// Unit check of the police board's takeover data flow (takeover.js), run
// by TestTakeoverJS with node: node takeover_test.js <path of takeover.js>.
'use strict';
const assert = require('assert');

globalThis.CG = {};
require(process.argv[2]);

const t = new globalThis.CG.Takeover();
const at = (hhmm) => '2026-11-30T' + hhmm + ':00+08:00';
const panic = (id, state, count, started) => ({ id, rule: 'alarm_panic', state, count, started_at: at(started) });
const step = (event, alert, open) => {
  if (alert) t.note(event, alert);
  return t.decide(open);
};
const ids = (list) => list.map((a) => a.id).join(',');

// A press: full screen, sound, nothing docked.
let a = panic('p1', 'firing', 1, '10:00');
let d = step('fired', a, [a]);
assert.ok(d && d.alert.id === 'p1' && d.changed && d.sound && !d.retrigger && d.docked.length === 0, 'fired: ' + JSON.stringify(d));
d = step('updated', a, [a]);
assert.ok(!d.changed && !d.retrigger, 'nothing new: ' + JSON.stringify(d));

// Acknowledged: no full screen, docked, silent.
a = { ...a, state: 'acknowledged' };
d = step('acknowledged', a, [a]);
assert.ok(d.alert === null && ids(d.docked) === 'p1' && !d.sound && d.changed && !d.retrigger, 'acknowledged: ' + JSON.stringify(d));

// Pressed again: the lifecycle fires it again ("repeated", firing):
// full screen, the sound and the takeover start over.
a = { ...a, state: 'firing', count: 2 };
d = step('repeated', a, [a]);
assert.ok(d.alert.id === 'p1' && d.sound && d.changed && d.retrigger && d.alert.count === 2 && d.docked.length === 0, 'repeated after ack: ' + JSON.stringify(d));
d = step('updated', a, [a]);
assert.ok(!d.retrigger && !d.changed, 'only once per press: ' + JSON.stringify(d));

// Pressed again while still firing: retriggered too.
a = { ...a, count: 3 };
d = step('repeated', a, [a]);
assert.ok(d.retrigger && d.alert.id === 'p1', 'repeated while firing: ' + JSON.stringify(d));

// A press the stream did not name (it came in a snapshot after a
// reconnect): the press count went up, so it takes the screen too.
a = { ...a, state: 'acknowledged' };
d = step('acknowledged', a, [a]);
a = { ...a, state: 'firing', count: 4 };
d = step('snapshot', null, [a]);
assert.ok(d.retrigger && d.alert.id === 'p1' && d.sound, 'press seen by its count: ' + JSON.stringify(d));

// Another school's older panic fires: the one in view stays; a new press
// on the older one takes the overlay.
let b = panic('p0', 'firing', 1, '09:58');
d = step('fired', b, [a, b]);
assert.ok(d.alert.id === 'p1' && d.others === 1 && !d.retrigger, 'second panic: ' + JSON.stringify(d));
b = { ...b, count: 2 };
d = step('repeated', b, [a, b]);
assert.ok(d.alert.id === 'p0' && d.retrigger && d.changed, 'repeat of the other panic: ' + JSON.stringify(d));

// A repeat of something that is not a panic changes nothing.
d = step('repeated', { id: 'g1', rule: 'gate_forced', state: 'firing' }, [a, b]);
assert.ok(!d.retrigger, 'not a panic: ' + JSON.stringify(d));

// Both acknowledged: both docked, oldest first, nothing full screen.
a = { ...a, state: 'acknowledged' };
b = { ...b, state: 'acknowledged' };
t.note('acknowledged', a);
d = step('acknowledged', b, [a, b]);
assert.ok(d.alert === null && ids(d.docked) === 'p0,p1' && !d.sound, 'two acknowledged: ' + JSON.stringify(d));

// One of them closed: the other stays docked.
d = step('resolved', { ...b, state: 'resolved' }, [a]);
assert.ok(d && d.alert === null && ids(d.docked) === 'p1', 'the other stays docked: ' + JSON.stringify(d));

// A fresh page (reload): an acknowledged open panic is docked at once,
// without any event, and its count is no new press.
const fresh = new globalThis.CG.Takeover();
d = fresh.decide([a]);
assert.ok(d && d.alert === null && ids(d.docked) === 'p1' && !d.retrigger, 'after a reload: ' + JSON.stringify(d));

// A new panic while one is docked: full screen over the dock.
let c = panic('p2', 'firing', 1, '10:05');
d = step('fired', c, [a, c]);
assert.ok(d.alert.id === 'p2' && ids(d.docked) === 'p1' && d.sound && d.others === 1, 'new panic over the dock: ' + JSON.stringify(d));

// All closed: nothing to show.
d = step('resolved', { ...a, state: 'resolved' }, []);
assert.strictEqual(d, null);

// The 1-3-5 stages and absolute Shanghai time.
const S = globalThis.CG.Takeover.stageOf;
assert.deepStrictEqual([S(0), S(59e3), S(60e3), S(179e3), S(180e3), S(299e3), S(300e3)].map((x) => x.stage + (x.late ? 'L' : '')),
  ['1', '1', '3', '3', '5', '5', '5L']);
const abs = globalThis.CG.Takeover.absTime;
assert.strictEqual(abs('2026-12-02T06:03:05Z'), '2026-12-02 14:03:05');
assert.strictEqual(abs('2026-12-02T23:59:59+08:00'), '2026-12-02 23:59:59');
assert.strictEqual(abs('2026-12-02T16:00:00Z'), '2026-12-03 00:00:00', 'midnight is 00, not 24');
assert.strictEqual(abs(''), '');
console.log('ok');
