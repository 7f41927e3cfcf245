// Police board (/board/police): live alerts by severity and region, the
// panic takeover with its 1-3-5 clock and alarm sound, and every school's
// four-100% light and device health.
'use strict';

(function () {
  const { T, h, $, $$ } = CG;
  const SEVS = ['P0', 'P1', 'P2', 'P3'];
  const FOUR = ['closed_campus', 'guard_staffing', 'protection_post', 'alarm_link'];
  const OFFLINE = /_offline$/;

  const set = new CG.AlertSet();
  const panel = new CG.AlertPanel(set);
  const filter = { severities: new Set(), region: '', school: '' };
  let schools = []; // [{school, name, region, region_name}]
  let compliance = null; // today's GET /api/v1/compliance
  let who = CG.Handling.actor(null); // the viewer as the API sees it acting

  // ---- Alarm sound: a WebAudio beep, repeated while a panic is firing.
  // Browsers start audio only after a user gesture: the first click
  // anywhere (or the sound button) unlocks it.

  const sound = {
    ctx: null,
    timer: 0,
    unlock() {
      const AC = window.AudioContext || window.webkitAudioContext;
      if (!AC) return;
      if (!this.ctx) this.ctx = new AC();
      if (this.ctx.state === 'suspended') this.ctx.resume().then(showSound, showSound);
      showSound();
    },
    beep() {
      const ctx = this.ctx;
      if (!ctx || ctx.state !== 'running') return;
      const t = ctx.currentTime;
      [880, 660].forEach((f, i) => {
        const o = ctx.createOscillator();
        const g = ctx.createGain();
        const at = t + i * 0.3;
        o.type = 'square';
        o.frequency.value = f;
        g.gain.setValueAtTime(0.0001, at);
        g.gain.exponentialRampToValueAtTime(0.35, at + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, at + 0.26);
        o.connect(g).connect(ctx.destination);
        o.start(at);
        o.stop(at + 0.28);
      });
    },
    start() {
      if (this.timer) return;
      this.unlock();
      this.beep();
      this.timer = setInterval(() => this.beep(), 1000);
    },
    stop() {
      clearInterval(this.timer);
      this.timer = 0;
    },
    get playing() {
      return this.timer !== 0;
    },
  };

  function showSound() {
    const b = $('#sound-toggle');
    const on = sound.ctx && sound.ctx.state === 'running';
    b.dataset.i18n = on ? 'police.sound_on' : 'police.sound_enable';
    b.textContent = T(b.dataset.i18n);
    b.classList.toggle('warn', !on);
  }

  document.addEventListener('click', () => sound.unlock(), { once: true });
  $('#sound-toggle').addEventListener('click', (ev) => {
    ev.stopPropagation();
    sound.unlock();
    sound.beep();
  });

  // ---- The panic takeover.

  const overlay = $('#p0-overlay');
  const takeover = new CG.Takeover(); // which panic, docked or not (takeover.js)
  let focusId = null; // the panic the overlay shows

  // updateOverlay shows the firing panic full-screen with the alarm sound
  // (the one pressed again, else the one in view, else the oldest); once
  // acknowledged the overlay docks at the top (no sound) until it is
  // resolved, unless another panic is firing. A new press on an open panic
  // (event "repeated") takes over again: full screen, the sound restarted.
  function updateOverlay() {
    const d = takeover.decide(set.list());
    if (!d) {
      if (!overlay.hidden) {
        overlay.hidden = true;
        panel.restore();
        if (panel.id === focusId) panel.hide();
      }
      focusId = null;
      sound.stop();
      overlay.dataset.sound = 'off';
      document.body.classList.remove('p0-active', 'p0-docked');
      padBoard();
      return;
    }
    const a = d.alert;
    const changed = d.changed || overlay.hidden;
    focusId = a.id;
    overlay.hidden = false;
    overlay.dataset.alertId = a.id;
    overlay.dataset.count = String(a.count || 1);
    overlay.classList.toggle('docked', d.docked);
    document.body.classList.toggle('p0-active', !d.docked);
    document.body.classList.toggle('p0-docked', d.docked);
    $('#p0-school').textContent = CG.regionName(a.region) + ' · ' + CG.schoolName(a.school);
    $('#p0-message').textContent = CG.alertMessage(a);
    const count = [];
    if (a.count > 1) count.push(T('p0.presses', a.count));
    if (d.others > 0) count.push(T('p0.more', d.others));
    $('#p0-count').textContent = count.join(' · ');
    if (changed) showPanic();
    if (d.retrigger) {
      // Flash once more and start the sound over, so the new press is heard.
      overlay.classList.remove('repeat');
      void overlay.offsetWidth; // restart the animation
      overlay.classList.add('repeat');
      sound.stop();
      overlay.dataset.repeats = String(Number(overlay.dataset.repeats || 0) + 1);
    }
    if (d.sound) sound.start();
    else sound.stop();
    overlay.dataset.sound = sound.playing ? 'on' : 'off';
    tickClock();
    padBoard();
  }

  // padBoard keeps the board clear of the docked overlay.
  function padBoard() {
    const docked = !overlay.hidden && overlay.classList.contains('docked');
    $('#main').style.paddingTop = docked ? overlay.offsetHeight + 16 + 'px' : '';
  }
  window.addEventListener('resize', padBoard);

  // showPanic puts the alert panel into the overlay, on the panic.
  function showPanic() {
    if (!focusId) return;
    panel.moveTo($('#p0-actions'));
    panel.show(focusId);
  }
  // Docked, the overlay gives the panel back to the board; a click on it
  // takes it again.
  overlay.addEventListener('click', (ev) => {
    if (overlay.classList.contains('docked') && !ev.target.closest('#alert-panel')) showPanic();
  });
  function select(id) {
    panel.restore();
    panel.show(id);
  }

  // tickClock moves the 1-3-5 clock: 1 min school self-rescue, 3 min
  // mutual aid, 5 min police on scene.
  function tickClock() {
    const a = focusId && set.get(focusId);
    if (!a) return;
    const ms = Date.now() - new Date(a.started_at);
    $('#p0-elapsed').textContent = CG.mmss(ms);
    const min = ms / 60000;
    const stage = min < 1 ? 1 : min < 3 ? 3 : 5;
    const clock = $('#p0-clock');
    clock.dataset.stage = String(stage);
    clock.classList.toggle('late', min >= 5);
    $$('#p0-clock li[data-stage]').forEach((li) => {
      const s = Number(li.dataset.stage);
      li.classList.toggle('current', s === stage);
      li.classList.toggle('done', s < stage);
    });
  }
  setInterval(tickClock, 250);

  // ---- Filters.

  function inScope(a) {
    return (!filter.region || a.region === filter.region) && (!filter.school || a.school === filter.school);
  }

  $$('#severity-counters .counter').forEach((b) => {
    b.addEventListener('click', () => {
      const s = b.dataset.severity;
      if (filter.severities.has(s)) filter.severities.delete(s);
      else filter.severities.add(s);
      b.classList.toggle('active', filter.severities.has(s));
      render();
    });
  });
  $('#region-filter').addEventListener('change', (ev) => {
    filter.region = ev.target.value;
    render();
  });

  function setSchool(id) {
    filter.school = id;
    const chip = $('#school-filter');
    chip.hidden = !id;
    CG.clear(chip);
    if (id) {
      chip.append(T('col.school') + ': ' + CG.schoolName(id) + ' ',
        h('button', { type: 'button', class: 'ghost', 'aria-label': 'clear', text: '✕', onclick: () => setSchool('') }));
    }
    render();
  }

  // ---- Rendering.

  let pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      render();
    }, 30);
  }

  // The live alerts: only the rows in sight are drawn (alerttable.js).
  const alertTable = new CG.AlertTable($('#alerts'), {
    cols: ['severity', 'rule', 'region', 'school', 'message', 'owner', 'started', 'state'],
    onSelect: select, empty: $('#alerts-empty'),
  });

  function render() {
    const scoped = set.list(inScope);
    SEVS.forEach((s) => {
      $('#count-' + s + ' .n').textContent = String(scoped.filter((a) => a.severity === s).length);
    });
    const shown = filter.severities.size ? scoped.filter((a) => filter.severities.has(a.severity)) : scoped;
    alertTable.show(shown);
    CG.renderReview($('#review-list tbody'), $('#review-empty'), scoped, who, select);
    renderRegions();
    renderSchools();
  }

  function regionCodes() {
    const codes = new Set(CG.regionsOf(schools));
    set.list().forEach((a) => codes.add(a.region));
    return Array.from(codes).sort();
  }

  function renderRegions() {
    const box = CG.clear($('#region-columns'));
    const rollups = {};
    ((compliance && compliance.regions) || []).forEach((r) => {
      rollups[r.region] = r;
    });
    regionCodes().forEach((code) => {
      const alerts = set.list((a) => a.region === code);
      const r = rollups[code];
      box.append(h('button', {
        type: 'button', class: 'region-col' + (filter.region === code ? ' active' : ''), dataset: { region: code },
        onclick: () => {
          filter.region = filter.region === code ? '' : code;
          $('#region-filter').value = filter.region;
          render();
        },
      },
      h('span', { class: 'region-name', text: CG.regionName(code) }),
      h('span', { class: 'region-counts' }, SEVS.map((s) => {
        const n = alerts.filter((a) => a.severity === s).length;
        return h('span', { class: 'mini sev-' + s + (n ? '' : ' zero'), title: s, text: String(n) });
      })),
      r ? h('span', { class: 'region-rate', text: T('measure.four_hundred') + ' ' + CG.pct(r.four_hundred_rate) }) : null));
    });
  }

  // light is green when the four measures all hold, red when one that
  // applies fails, grey otherwise (no record, or not every measure can be
  // watched and none fails).
  function light(sd) {
    if (!sd) return 'grey';
    if (sd.four_hundred) return 'green';
    const failing = FOUR.some((m) => CG.verdict(sd.measures[m]) === 'not_met');
    return failing ? 'red' : 'grey';
  }

  function tileTitle(s, sd, offline) {
    const lines = [CG.schoolName(s.school) + ' (' + s.school + ')'];
    FOUR.forEach((m) => {
      const r = sd && sd.measures[m];
      const state = r ? CG.verdictText(CG.verdict(r)) : T('common.no_record');
      lines.push(CG.measureName(m) + ': ' + state + (r && r.detail ? ' — ' + r.detail : ''));
    });
    lines.push(T('police.offline_devices') + ': ' + offline);
    return lines.join('\n');
  }

  // The tiles are drawn again only when what they show changed (not on
  // every alert of a busy city).
  let tilesOf = null;
  function renderSchools() {
    const offline = {};
    set.list((a) => OFFLINE.test(a.rule)).forEach((a) => {
      offline[a.school] = (offline[a.school] || 0) + 1;
    });
    const key = JSON.stringify([offline, filter.region, filter.school, CG.lang(), schools.length]);
    if (tilesOf && tilesOf.key === key && tilesOf.compliance === compliance) return;
    tilesOf = { key, compliance };
    const box = CG.clear($('#school-status'));
    const bySchool = {};
    ((compliance && compliance.schools) || []).forEach((sd) => {
      bySchool[sd.school] = sd;
    });
    const regions = CG.regionsOf(schools).filter((r) => !filter.region || r === filter.region);
    regions.forEach((code) => {
      const tiles = schools.filter((s) => s.region === code).map((s) => {
        const sd = bySchool[s.school];
        const n = offline[s.school] || 0;
        const l = light(sd);
        return h('button', {
          type: 'button', class: 'school-tile' + (filter.school === s.school ? ' active' : ''),
          dataset: { school: s.school, light: l }, title: tileTitle(s, sd, n),
          onclick: () => setSchool(filter.school === s.school ? '' : s.school),
        },
        h('span', { class: 'light light-' + l }),
        h('span', { class: 'tile-name', text: CG.schoolName(s.school) }),
        n ? h('span', { class: 'offline-badge', text: String(n) }) : null);
      });
      box.append(h('section', { class: 'region-group' }, h('h3', { text: CG.regionName(code) }), h('div', { class: 'tiles' }, tiles)));
    });
  }

  set.onChange((event, alert) => {
    takeover.note(event, alert);
    // Only a panic (or a new snapshot) can change what the takeover
    // shows: the other events of a busy city skip its pass over all alerts.
    if (!alert || alert.rule === 'alarm_panic') updateOverlay();
    schedule();
  });
  CG.onLang(() => {
    render();
    updateOverlay();
    showSound();
  });

  CG.ready((s) => {
    who = CG.Handling.actor(s);
    showSound();
    CG.stream(set);
    CG.schools().then((list) => {
      schools = list;
      CG.fillRegionSelect($('#region-filter'), CG.regionsOf(list));
      render();
    }, (e) => CG.message(e.message, 'error'));
    CG.every(60000, () => CG.api('GET', '/api/v1/compliance').then((c) => {
      compliance = c;
      c.regions.forEach((r) => CG.learnRegion(r.region, r.name));
      schedule();
    }, (e) => CG.message(e.message, 'error')));
  });

  // For the browser test and the curious: the sound's state.
  CG.police = { sound, set, panel };
})();
