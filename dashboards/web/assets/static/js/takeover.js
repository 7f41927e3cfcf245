// The police board's panic takeover as data: which panic the overlay
// shows, docked or full screen, and when the takeover and the sound start
// again. No DOM here (police.js draws it), so a unit test can drive it.
'use strict';

(function (CG) {
  const isOpen = (a) => a.state === 'firing' || a.state === 'acknowledged';
  const isPanic = (a) => a.rule === 'alarm_panic' && isOpen(a);
  const oldestFirst = (a, b) => new Date(a.started_at) - new Date(b.started_at);

  // Takeover follows the alert stream. note(event, alert) is called for
  // every change; decide(alerts) for the open alerts after it.
  CG.Takeover = class {
    constructor() {
      this.focusId = null; // the panic the overlay shows
      this.focusState = ''; // its state when last decided
      this.repeatId = null; // a panic pressed again since the last decision
    }

    // note records a change of the stream: a "repeated" panic (a new press
    // on an open panic) takes the overlay, full screen, with the sound.
    note(event, alert) {
      if (event === 'repeated' && alert && alert.rule === 'alarm_panic') this.repeatId = alert.id;
    }

    // decide returns what the overlay shows now:
    //   null: nothing (hide it, stop the sound);
    //   {alert, docked, changed, retrigger, sound, others}: show alert,
    //   docked once acknowledged; changed: put the panel on it again;
    //   retrigger: a new press, start the takeover and the sound over;
    //   sound: a panic is firing; others: how many other panics are open.
    decide(alerts) {
      const panics = alerts.filter(isPanic);
      const firing = panics.filter((a) => a.state === 'firing').sort(oldestFirst);
      const byId = (id) => panics.find((a) => a.id === id);
      let a = null;
      let retrigger = false;
      const rep = this.repeatId && byId(this.repeatId);
      this.repeatId = null;
      if (rep && rep.state === 'firing') {
        a = rep;
        retrigger = true;
      } else {
        const f = this.focusId && byId(this.focusId);
        if (f && f.state === 'firing') a = f; // keep the panic in view
        else if (firing.length) a = firing[0];
        else if (f) a = f; // acknowledged: docked until resolved
      }
      if (!a) {
        this.focusId = null;
        this.focusState = '';
        return null;
      }
      const changed = retrigger || this.focusId !== a.id || this.focusState !== a.state;
      this.focusId = a.id;
      this.focusState = a.state;
      return {
        alert: a,
        docked: a.state !== 'firing',
        changed,
        retrigger,
        sound: firing.length > 0,
        others: panics.length - 1,
      };
    }
  };
})(globalThis.CG);
