// Unit check of common.js's text helpers (dates, reasons, window names,
// device states), run by TestCommonTextJS with node:
// node common_text_test.js <path of common.js> <path of i18n.json>.
// common.js is loaded on a minimal stand-in for the page it expects.
'use strict';
const assert = require('assert');
const fs = require('fs');

const dict = fs.readFileSync(process.argv[3], 'utf8');
const store = {};
globalThis.localStorage = { getItem: (k) => store[k] || null, setItem: (k, v) => { store[k] = v; } };
globalThis.CustomEvent = class { constructor(type) { this.type = type; } };
const listeners = {};
globalThis.document = {
  readyState: 'loading',
  documentElement: {},
  body: { dataset: {} },
  getElementById: (id) => (id === 'i18n-data' ? { textContent: dict } : null),
  querySelectorAll: () => [],
  querySelector: () => null,
  createElement: () => ({ set innerHTML(v) {}, firstChild: { namespaceURI: 'http://www.w3.org/2000/svg' } }),
  addEventListener: (t, fn) => { (listeners[t] = listeners[t] || []).push(fn); },
  dispatchEvent: (e) => (listeners[e.type] || []).forEach((fn) => fn(e)),
};
globalThis.window = globalThis;
require(process.argv[2]);
const CG = globalThis.CG;

// ---- Dates: never "02/12" (read as February 12 in English).
const at = '2026-12-02T14:03:09+08:00';
const zh = { short: CG.fmtTime(at), full: CG.fmtTime(at, 'full'), date: CG.fmtDate('2026-12-02'), day: CG.fmtDate('2026-12-02', 'day'), clock: CG.fmtTime(at, 'clock') };
assert.strictEqual(zh.short, '12月2日 14:03');
assert.strictEqual(zh.full, '2026年12月2日 14:03');
assert.strictEqual(zh.date, '2026年12月2日');
assert.strictEqual(zh.day, '12月2日');
assert.strictEqual(zh.clock, '14:03:09');
CG.setLang('en');
const en = { short: CG.fmtTime(at), full: CG.fmtTime(at, 'full'), date: CG.fmtDate('2026-12-02'), day: CG.fmtDate('2026-12-02', 'day'), clock: CG.fmtTime(at, 'clock') };
assert.strictEqual(en.short, '2 Dec, 14:03');
assert.strictEqual(en.full, '2 Dec 2026, 14:03');
assert.strictEqual(en.date, '2 Dec 2026');
assert.strictEqual(en.day, '2 Dec');
assert.strictEqual(en.clock, '14:03:09');
// Shanghai whatever the zone of the browser: 23:30 UTC is the next day.
assert.strictEqual(CG.fmtTime('2026-12-01T23:30:00Z', 'full'), '2 Dec 2026, 07:30');
for (const s of Object.values(zh).concat(Object.values(en))) {
  assert.ok(!/\b\d{2}\/\d{2}\b/.test(s), 'ambiguous date ' + s);
}

// ---- Reasons: one language at a time, old single-field answers split.
const r = { detail_zh: '门禁离线', detail_en: 'gate offline' };
assert.strictEqual(CG.detailText(r), 'gate offline');
assert.strictEqual(CG.detailText({ detail: '门禁离线 / gate offline' }), 'gate offline');
assert.strictEqual(CG.detailText({ detail_zh: '只有中文' }), '只有中文');
assert.strictEqual(CG.detailText(null), '');
CG.setLang('zh');
assert.strictEqual(CG.detailText(r), '门禁离线');
assert.strictEqual(CG.detailText({ detail: '门禁离线 / gate offline' }), '门禁离线');

// ---- Window names through the dictionary.
assert.strictEqual(CG.windowName('morning-arrival'), '早晨入校');
assert.strictEqual(CG.windowName('breakfast+lunch'), '早餐、午餐');
assert.strictEqual(CG.windowName('校门值守'), '校门值守', 'a school\'s own name shows as it is');
CG.setLang('en');
assert.strictEqual(CG.windowName('morning-arrival'), 'Morning arrival');
assert.strictEqual(CG.windowName('breakfast+lunch'), 'Breakfast + Lunch');

// ---- Device states: a pressed panic is alarming, not a fault.
const al = (rule) => ({ rule });
assert.strictEqual(CG.deviceStatus([]), 'ok');
assert.strictEqual(CG.deviceStatus([al('alarm_panic')]), 'alarming');
assert.strictEqual(CG.deviceStatus([al('alarm_panic'), al('alarm_unacked')]), 'alarming');
assert.strictEqual(CG.deviceStatus([al('gate_forced')]), 'alarming');
assert.strictEqual(CG.deviceStatus([al('kitchen_violation')]), 'alarming');
assert.strictEqual(CG.deviceStatus([al('alarm_trouble'), al('alarm_panic')]), 'trouble');
assert.strictEqual(CG.deviceStatus([al('kitchen_cam_occluded')]), 'trouble');
assert.strictEqual(CG.deviceStatus([al('alarm_panic'), al('alarm_offline')]), 'offline');
assert.strictEqual(CG.deviceStatus([al('alarm_link_down')]), 'offline');
assert.strictEqual(CG.T('device.alarming'), 'Alarming');

console.log('ok');
