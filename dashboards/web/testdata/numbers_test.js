// Unit check of the education board's figures (numbers.js), run by
// TestNumbersJS with node: node numbers_test.js <path of numbers.js>.
'use strict';
const assert = require('assert');

globalThis.CG = {};
require(process.argv[2]);
const N = globalThis.CG.Numbers;
const T = (key, ...args) => key + '(' + args.join(',') + ')';

// The tester's case: 1,593 met, 1 failing → 99.9 %, and red, not amber.
let c = N.counts([1593, 1, 0, 0]);
assert.strictEqual(Math.round(N.rate(c) * 1000) / 10, 99.9);
assert.strictEqual(N.tone(c), 'bad', 'one failing school makes the headline bad');
assert.deepStrictEqual(N.countsText(c, T, 'zh'), ['numbers.failing_of(1,1,594)']);

// Rates over judged schools only; not judged and n/a counted apart.
c = N.counts([90, 0, 4, 6]);
assert.strictEqual(c.all, 100);
assert.strictEqual(N.rate(c), 1);
assert.strictEqual(N.tone(c), 'pending', 'some not judged: not green yet');
assert.deepStrictEqual(N.countsText(c, T, 'en'), ['numbers.failing_of(0,100)', 'numbers.not_judged_n(6)', 'numbers.na_n(4)']);

// Nothing judged: no rate (never 0 % or 100 %), grey.
c = N.counts([0, 0, 0, 12]);
assert.strictEqual(N.rate(c), null);
assert.strictEqual(N.tone(c), 'na');
// Every judged school met, none waiting: green.
assert.strictEqual(N.tone(N.counts([12, 0, 3, 0])), 'good');

// Verdict characters.
const s = { v: '10-??0' };
assert.deepStrictEqual([0, 1, 2, 3, 5].map((i) => N.verdict(s, i)), ['met', 'not_met', 'not_applicable', 'not_judged', 'not_met']);
assert.strictEqual(N.verdict({ v: '' }, 0), 'not_judged', 'a missing verdict is not judged, never met');

// No data recorded: schools in scope, none with a record.
assert.ok(N.noData({ s: 3, rec: 0 }));
assert.ok(!N.noData({ s: 3, rec: 1 }));
assert.ok(!N.noData({ s: 0, rec: 0 }));

// One language of a detail.
assert.strictEqual(N.split('门禁离线 / gate offline', 'zh'), '门禁离线');
assert.strictEqual(N.split('门禁离线 / gate offline', 'en'), 'gate offline');

console.log('ok');
