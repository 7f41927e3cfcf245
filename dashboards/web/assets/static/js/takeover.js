// The police board's panic takeover as data: which panic takes the whole
// screen, which acknowledged panics stay docked at the top with their
// 1-3-5 clocks, and when the takeover and the sound start again. No DOM
// here (police.js draws it), so a unit test can drive it.
'use strict';

(function (CG) {
  const isOpen = (a) => a.state === 'firing' || a.state === 'acknowledged';
  const isPanic = (a) => a.rule === 'alarm_panic' && isOpen(a);
  const oldestFirst = (a, b) => new Date(a.started_at) - new Date(b.started_at) || (a.id < b.id ? -1 : 1);

  // Takeover follows the alert set. note(event, alert) is called for every
  // change; decide(alerts) with the open alerts after it.
  CG.Takeover = class {
    constructor() {
      this.focusId = null; // the panic the full-screen view shows
      this.focusState = ''; // its state when last decided
      this.repeatId = null; // a panic pressed again since the last decision
      this.counts = new Map(); // presses seen per open panic
    }

    // note records a change: a "repeated" panic (a new press on an open
    // panic, which the lifecycle fires again even when it was
    // acknowledged) takes the screen, with the sound.
    note(event, alert) {
      if (event === 'repeated' && alert && alert.rule === 'alarm_panic') this.repeatId = alert.id;
    }

    // decide returns what the board shows now: null when no panic is open
    // (hide everything, stop the sound), else
    //   {alert, docked, changed, retrigger, sound, others}:
    //   alert: the firing panic shown full screen, or null when every open
    //     panic is acknowledged;
    //   docked: the acknowledged open panics, oldest first, each docked
    //     with its clock until it is closed (whatever happens to others);
    //   changed: the full-screen panic changed (put the panel on it);
    //   retrigger: a new press, start the takeover and the sound over;
    //   sound: a panic is firing;
    //   others: how many open panics there are besides alert.
    // A press is new when the stream says "repeated", or when a panic's
    // press count went up since the last decision (so a press that came
    // while the stream was reconnecting is not lost).
    decide(alerts) {
      const panics = alerts.filter(isPanic).sort(oldestFirst);
      const firing = panics.filter((a) => a.state === 'firing');
      const byId = (id) => panics.find((a) => a.id === id);
      let pressed = this.repeatId && byId(this.repeatId);
      this.repeatId = null;
      const counts = new Map();
      panics.forEach((a) => {
        const n = a.count || 1;
        const was = this.counts.get(a.id);
        if (!pressed && was !== undefined && n > was) pressed = a;
        counts.set(a.id, n);
      });
      this.counts = counts;
      if (!panics.length) {
        this.focusId = null;
        this.focusState = '';
        return null;
      }
      let a = null;
      let retrigger = false;
      if (pressed && pressed.state === 'firing') {
        a = pressed;
        retrigger = true;
      } else {
        const f = this.focusId && byId(this.focusId);
        if (f && f.state === 'firing') a = f; // keep the panic in view
        else if (firing.length) a = firing[0];
      }
      const changed = retrigger || (a ? a.id : null) !== this.focusId || (a ? a.state : '') !== this.focusState;
      this.focusId = a ? a.id : null;
      this.focusState = a ? a.state : '';
      return {
        alert: a,
        docked: panics.filter((p) => p.state === 'acknowledged'),
        changed,
        retrigger,
        sound: firing.length > 0,
        others: panics.length - (a ? 1 : 0),
      };
    }
  };

  // stageOf returns the 1-3-5 stage of a panic ms after it began: 1
  // school self-rescue (first minute), 3 mutual aid (to 3 min), 5 police
  // on scene (to 5 min); late past 5 minutes.
  CG.Takeover.stageOf = function (ms) {
    const min = ms / 60000;
    return { stage: min < 1 ? 1 : min < 3 ? 3 : 5, late: min >= 5 };
  };

  // absTime writes an instant as Shanghai wall-clock time,
  // "2026-12-02 14:03:05", the same in both languages (no month names,
  // no day-month ambiguity).
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Shanghai', hourCycle: 'h23',
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  CG.Takeover.absTime = function (iso) {
    if (!iso) return '';
    const t = new Date(iso);
    if (Number.isNaN(t.getTime())) return '';
    const p = {};
    parts.formatToParts(t).forEach((x) => {
      p[x.type] = x.value;
    });
    return p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute + ':' + p.second;
  };
})(globalThis.CG);
