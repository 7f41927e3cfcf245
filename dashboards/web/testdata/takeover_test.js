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

// A press: full screen, sound.
let a = panic('p1', 'firing', 1, '10:00');
let d = step('fired', a, [a]);
assert.ok(d && d.alert.id === 'p1' && !d.docked && d.changed && d.sound && !d.retrigger, 'fired: ' + JSON.stringify(d));
d = step('updated', a, [a]);
assert.ok(!d.changed && !d.retrigger, 'nothing new: ' + JSON.stringify(d));

// Acknowledged: docked, silent.
a = { ...a, state: 'acknowledged' };
d = step('acknowledged', a, [a]);
assert.ok(d.docked && !d.sound && d.changed && !d.retrigger, 'acknowledged: ' + JSON.stringify(d));

// Pressed again: the lifecycle fires it again ("repeated", firing):
// full screen, the sound and the takeover start over.
a = { ...a, state: 'firing', count: 2 };
d = step('repeated', a, [a]);
assert.ok(!d.docked && d.sound && d.changed && d.retrigger && d.alert.count === 2, 'repeated after ack: ' + JSON.stringify(d));
d = step('updated', a, [a]);
assert.ok(!d.retrigger && !d.changed, 'only once per press: ' + JSON.stringify(d));

// Pressed again while still firing: retriggered too.
a = { ...a, count: 3 };
d = step('repeated', a, [a]);
assert.ok(d.retrigger && !d.docked, 'repeated while firing: ' + JSON.stringify(d));

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

// Both resolved: nothing to show.
d = step('resolved', { ...a, state: 'resolved' }, []);
assert.strictEqual(d, null);
console.log('ok');
