// Unit check of the handling loop on the page (handling.js), run by
// TestHandlingJS with node: node handling_test.js <handling.js> <matrix.json>.
// matrix.json holds {cases: [{alert, who, act, permit}], rules} where permit
// is alerting.Permit's answer.
'use strict';
const assert = require('assert');
const fs = require('fs');

globalThis.CG = {};
require(process.argv[2]);
const H = globalThis.CG.Handling;
const { cases, rules } = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const ACTS = ['ack', 'report', 'close', 'return'];

// 1. The matrix: the page's fallback is alerting.Permit, case by case,
// with the alert's owner and with the catalogue's (an alert without one).
assert.ok(cases.length > 1000, 'matrix of ' + cases.length);
let checked = 0;
for (const c of cases) {
  const got = H.permit(c.alert, c.who, c.act, rules);
  assert.strictEqual(got, c.permit, 'permit ' + JSON.stringify(c));
  const noOwner = { ...c.alert, owner: '' };
  assert.strictEqual(H.permit(noOwner, c.who, c.act, rules), c.permit, 'permit by the catalogue owner ' + JSON.stringify(c));
  assert.strictEqual(H.ackStopsEscalation(c.alert, c.who, rules), c.stops, 'ackStopsEscalation ' + JSON.stringify(c));
  assert.strictEqual(H.ackStopsEscalation(noOwner, c.who, rules), c.stops, 'ackStopsEscalation by the catalogue owner ' + JSON.stringify(c));
  checked++;
}

// 2. A school never closes, and the school board never shows close, even
// to an administrator or when the API's "can" names it.
const school = H.actor({ role: 'school' });
const admin = H.actor({ role: 'admin' });
const police = H.actor({ role: 'police' });
const market = H.actor({ role: 'market' });
assert.deepStrictEqual(school, { agency: 'school', admin: false });
assert.deepStrictEqual(admin, { agency: '', admin: true });
assert.deepStrictEqual(H.actor({ role: 'education' }), { agency: 'education', admin: false });
assert.deepStrictEqual(H.actor({ role: 'nobody' }), { agency: '', admin: false });
for (const c of cases) {
  assert.ok(!H.offered(c.alert, school, rules).includes('close'), 'school offered close: ' + c.alert.id);
  for (const who of [school, admin, police]) {
    assert.ok(!H.offered(c.alert, who, rules, { noClose: true }).includes('close'), 'noClose: ' + c.alert.id);
    assert.ok(!H.offered({ ...c.alert, can: ACTS }, who, rules, { noClose: true }).includes('close'), 'noClose with can: ' + c.alert.id);
  }
}

// 3. The API's "can" decides over the matrix; the alert's state still
// rules out what cannot be done.
const at = (hhmm) => '2026-12-02T' + hhmm + ':00+08:00';
const base = {
  id: 'k1', rule: 'kitchen_violation', severity: 'P2', state: 'firing', school: 's1', owner: 'market',
  audience: ['market', 'school'], started_at: at('08:00'), updated_at: at('08:00'),
};
assert.deepStrictEqual(H.offered(base, school, rules), ['ack', 'report'], 'school on a kitchen violation');
assert.deepStrictEqual(H.offered(base, market, rules), ['ack', 'close'], 'market on its kitchen violation');
assert.deepStrictEqual(H.offered(base, police, rules), [], 'police on a kitchen violation');
assert.deepStrictEqual(H.offered({ ...base, can: ['report'] }, school, rules), ['report'], 'can narrows');
assert.deepStrictEqual(H.offered({ ...base, can: [] }, market, rules), [], 'can: nothing');
assert.deepStrictEqual(H.offered({ ...base, can: ['return'] }, market, rules), [], 'no return without a report');
assert.deepStrictEqual(H.offered({ ...base, handling: 'reported', can: ['close', 'return'] }, market, rules), ['close', 'return']);
assert.deepStrictEqual(H.offered({ ...base, handling: 'reported' }, market, rules), ['ack', 'close', 'return'], 'reported: verify or send back');
assert.deepStrictEqual(H.offered({ ...base, handling: 'reported' }, school, rules), ['ack', 'report'], 'a new report replaces the last');
assert.deepStrictEqual(H.offered({ ...base, handling: 'returned' }, school, rules), ['ack', 'report'], 'returned: report again');
assert.deepStrictEqual(H.offered({ ...base, state: 'resolved', can: ACTS }, admin, rules), [], 'nothing on a closed alert');
assert.deepStrictEqual(H.offered({ ...base, state: 'acknowledged' }, market, rules), ['close'], 'acknowledged once');

// A panic: the school's acknowledgement is a receipt (签收), the police's
// an acknowledgement; after the school's receipt the police still
// acknowledge (the panic stays firing: only they stop the escalation).
const panic = { ...base, id: 'p1', rule: 'alarm_panic', severity: 'P0', owner: 'police', audience: ['police', 'education', 'school'] };
assert.deepStrictEqual(H.offered(panic, school, rules), ['ack', 'report']);
assert.strictEqual(H.ackLabel(school), 'action.receive');
assert.strictEqual(H.ackLabel(police), 'action.ack');
assert.strictEqual(H.ackLabel(admin), 'action.ack');
assert.strictEqual(H.ackLabel(market), 'action.confirm');
assert.strictEqual(H.ackLabel(H.actor({ role: 'education' })), 'action.confirm');
assert.deepStrictEqual(H.offered(panic, H.actor({ role: 'education' }), rules), [], 'education may not acknowledge a P0');
assert.deepStrictEqual(H.offered({ ...panic, received_by: 'school-a' }, police, rules), ['ack', 'close']);
assert.deepStrictEqual(H.offered({ ...panic, received_by: 'school-a' }, school, rules), ['report'], 'receipt once');
assert.deepStrictEqual(H.offered({ ...panic, state: 'acknowledged', acked_by: 'police' }, school, rules), ['ack', 'report'],
  'the school signs for a panic the police acknowledged');
assert.deepStrictEqual(H.offered({ ...panic, state: 'acknowledged', acked_by: 'police' }, police, rules), ['close']);
assert.strictEqual(H.closeLabel(panic), 'action.resolve');
assert.strictEqual(H.closeLabel({ ...panic, handling: 'reported' }), 'action.verify');

// 4. Tags: cleared only while open; receipt; reported or returned.
assert.deepStrictEqual(H.tags({ ...base, cleared_at: at('09:00') }), ['state.cleared']);
assert.deepStrictEqual(H.tags({ ...base, cleared_at: at('09:00'), state: 'resolved' }), []);
assert.deepStrictEqual(H.tags({ ...base, received_by: 'x', handling: 'returned' }), ['handling.received', 'handling.returned']);
assert.deepStrictEqual(H.tags({ ...base, handling: 'reported' }), ['handling.reported']);

// 5. A school's to-do: its open alerts that wait for its receipt or
// report, those sent back first, then by severity, newest first.
const todoIn = [
  { ...base, id: 'late-p3', severity: 'P3', handling: 'returned', state: 'acknowledged', review_note: '照片不清楚', started_at: at('07:00') },
  { ...panic, id: 'panic', started_at: at('07:30') },
  { ...base, id: 'p1-acked', severity: 'P1', state: 'acknowledged', acked_by: 'x', started_at: at('07:10') },
  { ...base, id: 'p2-new', started_at: at('07:50') },
  { ...base, id: 'p2-old', started_at: at('07:40') },
  { ...base, id: 'reported', handling: 'reported' },
  { ...base, id: 'closed', state: 'resolved' },
  { ...base, id: 'other-school', school: 's2' },
  { ...base, id: 'not-for-school', rule: 'kitchen_repeat', audience: ['market'] },
];
const todo = H.todo(todoIn, 's1', school, rules);
assert.deepStrictEqual(todo.map((a) => a.id), ['late-p3', 'panic', 'p1-acked', 'p2-new', 'p2-old'], 'todo order');
assert.deepStrictEqual(todo.map((a) => H.waitsFor(a, school, rules)), ['returned', 'receipt', 'report', 'receipt', 'receipt']);

// 6. An agency's verification queue: reported open alerts it owns,
// oldest report first; an administrator sees every one.
const reviewIn = [
  { ...base, id: 'm-new', handling: 'reported', reported_at: at('10:00') },
  { ...base, id: 'm-old', handling: 'reported', reported_at: at('09:00') },
  { ...base, id: 'm-open', handling: '' },
  { ...base, id: 'm-returned', handling: 'returned' },
  { ...base, id: 'm-closed', handling: 'reported', state: 'resolved', reported_at: at('08:00') },
  { ...panic, id: 'police-owned', handling: 'reported', reported_at: at('08:30') },
  { ...base, id: 'catalogue-owner', owner: '', handling: 'reported', reported_at: at('09:30') },
];
assert.deepStrictEqual(H.awaiting(reviewIn, market, rules).map((a) => a.id), ['m-old', 'catalogue-owner', 'm-new']);
assert.deepStrictEqual(H.awaiting(reviewIn, police, rules).map((a) => a.id), ['police-owned']);
assert.deepStrictEqual(H.awaiting(reviewIn, admin, rules).map((a) => a.id), ['police-owned', 'm-old', 'catalogue-owner', 'm-new']);
assert.deepStrictEqual(H.awaiting(reviewIn, school, rules), [], 'a school verifies nothing');

// 7. Evidence: a link only for http and https.
assert.strictEqual(H.safeURL('https://pics.example/a.jpg'), 'https://pics.example/a.jpg');
assert.strictEqual(H.safeURL(' http://10.0.0.5/x?y=1 '), 'http://10.0.0.5/x?y=1');
for (const bad of ['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,<b>x</b>', '/relative/path', 'ftp://host/x',
  'vbscript:x', '', '   ', null, undefined, 42, 'not a url']) {
  assert.strictEqual(H.safeURL(bad), null, 'safeURL ' + String(bad));
}

// 8. Refusals, Chinese first, English second: the API's words, else the
// dictionary's for the status.
const both = (k) => ({ zh: 'zh:' + k, en: 'en:' + k });
const forbidden = { status: 403, body: { error: { code: 'forbidden', message_zh: '学校不能关闭', message_en: 'a school cannot close' } } };
assert.deepStrictEqual(H.errorLines(forbidden, both), { zh: '学校不能关闭', en: 'a school cannot close' });
assert.deepStrictEqual(H.errorLines({ status: 403, body: { code: 'forbidden', message_zh: '无权', message_en: 'no' } }, both), { zh: '无权', en: 'no' });
assert.deepStrictEqual(H.errorLines({ status: 403, body: null }, both), both('handling.error_forbidden'));
assert.deepStrictEqual(H.errorLines({ status: 409, body: {} }, both), both('handling.error_conflict'));
assert.deepStrictEqual(H.errorLines({ status: 400 }, both), both('handling.error_bad_request'));
assert.deepStrictEqual(H.errorLines(new Error('offline'), both), { zh: 'offline', en: 'offline' });

console.log('ok: ' + checked + ' Permit cases');
