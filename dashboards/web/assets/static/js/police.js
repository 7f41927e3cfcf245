// Police board (/board/police): live alerts by severity and region, the
// panic takeover with its 1-3-5 clock and alarm sound, and every school's
// four-100% light and device health.
'use strict';

(function () {
  const { T, h, $, $$ } = CG;
  const SEVS = ['P0', 'P1', 'P2', 'P3'];
  const FOUR = ['closed_campus', 'guard_staffing', 'protection_post', 'alarm_link'];

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

  // ---- The panic takeover and the dock.

  const overlay = $('#p0-overlay');
  const dock = $('#p0-dock');
  const takeover = new CG.Takeover(); // which panic takes the screen, which are docked (takeover.js)
  let focusId = null; // the panic the overlay shows full screen
  let dockedIds = []; // the acknowledged panics docked at the top

  // updateOverlay shows the firing panic full screen with the alarm sound
  // (the one pressed again, else the one in view, else the oldest) and
  // docks every acknowledged open panic at the top of the board, each
  // with its 1-3-5 clock, until it is closed — whatever happens to the
  // others. A new press on an open panic, acknowledged or not, takes
  // the screen again: full screen, the sound started over.
  const isPanicRule = (a) => a.rule === 'alarm_panic';
  function updateOverlay() {
    const d = takeover.decide(set.list(isPanicRule));
    renderDock(d ? d.docked : []);
    const a = d && d.alert;
    if (!a) {
      if (!overlay.hidden) {
        overlay.hidden = true;
        // The panel goes back to the board, still on its panic while that
        // is open (to close it there), else it closes.
        panel.restore();
        if (panel.id === focusId && !set.get(panel.id)) panel.hide();
      }
      focusId = null;
      sound.stop();
      overlay.dataset.sound = 'off';
      document.body.classList.remove('p0-active');
      return;
    }
    const changed = d.changed || overlay.hidden;
    focusId = a.id;
    overlay.hidden = false;
    overlay.dataset.alertId = a.id;
    overlay.dataset.count = String(a.count || 1);
    document.body.classList.add('p0-active');
    fillSite(a);
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
  }

  // schoolLine names a panic's school: county · school.
  const schoolLine = (a) => CG.regionName(a.region) + ' · ' + (a.school_name || CG.schoolName(a.school));
  // contactLine is whom to call: name and phone.
  const contactLine = (a) => [a.contact_name, a.contact_phone].filter(Boolean).join(' ');

  // fillSite writes where and when the panic is (the API adds the
  // school's address and contact and the device's location to P0 alerts).
  function fillSite(a) {
    $('#p0-school').textContent = schoolLine(a);
    $('#p0-message').textContent = CG.alertMessage(a);
    const put = (sel, text) => {
      const dd = $(sel);
      dd.textContent = text || '—';
      dd.classList.toggle('muted', !text);
    };
    put('#p0-at', CG.Takeover.absTime(a.started_at) + (a.count > 1 && a.updated_at !== a.started_at
      ? ' · ' + T('wall.last_press') + ' ' + CG.Takeover.absTime(a.updated_at) : ''));
    put('#p0-address', a.school_address);
    put('#p0-location', a.device_location);
    put('#p0-contact', contactLine(a));
  }

  // renderDock draws one banner per acknowledged open panic; a click on
  // one opens it in the panel (to close it).
  function renderDock(panics) {
    const ids = panics.map((a) => a.id + '@' + a.updated_at);
    const same = ids.length === dockedIds.length && ids.every((x, i) => x === dockedIds[i]);
    dockedIds = ids;
    document.body.classList.toggle('p0-docked', panics.length > 0);
    dock.hidden = panics.length === 0;
    if (same && !dock.dataset.lang) return;
    delete dock.dataset.lang;
    CG.clear(dock);
    panics.forEach((a) => {
      dock.append(h('button', { type: 'button', class: 'dock-item', dataset: { alertId: a.id, startedAt: a.started_at }, onclick: () => select(a.id) },
        h('span', { class: 'dock-title', text: T('wall.docked') }),
        h('span', { class: 'dock-school', text: schoolLine(a) }),
        h('span', { class: 'dock-where', text: [a.device_location, contactLine(a)].filter(Boolean).join(' · ') }),
        h('span', { class: 'dock-at', text: CG.Takeover.absTime(a.started_at) }),
        a.count > 1 ? h('span', { class: 'dock-count', text: T('p0.presses', a.count) }) : null,
        h('span', { class: 'dock-clock' }, h('b', { class: 'dock-elapsed' }), h('span', { class: 'dock-stage' }))));
    });
    tickClock();
  }

  // showPanic puts the alert panel into the overlay, on the panic.
  function showPanic() {
    if (!focusId) return;
    panel.moveTo($('#p0-actions'));
    panel.show(focusId);
  }
  function select(id) {
    panel.restore();
    panel.show(id);
  }

  // tickClock moves the 1-3-5 clocks: 1 min school self-rescue, 3 min
  // mutual aid, 5 min police on scene.
  const stageKey = { 1: 'p0.stage1', 3: 'p0.stage3', 5: 'p0.stage5' };
  function tickClock() {
    const now = CG.now();
    $$('#p0-dock .dock-item').forEach((el) => {
      const ms = now - new Date(el.dataset.startedAt);
      const st = CG.Takeover.stageOf(ms);
      el.querySelector('.dock-elapsed').textContent = CG.mmss(ms);
      el.querySelector('.dock-stage').textContent = st.stage + ' ' + T(stageKey[st.stage]);
      el.classList.toggle('late', st.late);
    });
    const a = focusId && set.get(focusId);
    if (!a) return;
    const ms = now - new Date(a.started_at);
    $('#p0-elapsed').textContent = CG.mmss(ms);
    const st = CG.Takeover.stageOf(ms);
    const clock = $('#p0-clock');
    clock.dataset.stage = String(st.stage);
    clock.classList.toggle('late', st.late);
    $$('#p0-clock li[data-stage]').forEach((li) => {
      const s = Number(li.dataset.stage);
      li.classList.toggle('current', s === st.stage);
      li.classList.toggle('done', s < st.stage);
    });
  }
  setInterval(tickClock, 250);

  // loadPanics reads the open panics from the API when the page loads,
  // so that acknowledged ones are docked again after a reload even
  // before (or without) the stream's snapshot.
  function loadPanics() {
    CG.api('GET', '/api/v1/alerts?rule=alarm_panic&state=open').then((r) => {
      (r.alerts || []).forEach((a) => {
        const have = set.get(a.id);
        if (!have || new Date(have.updated_at) < new Date(a.updated_at)) set.apply('loaded', a);
      });
    }, (e) => CG.message(e.message, 'error'));
  }

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
    renderOverview();
  }

  // ---- The city overview: one cell per county with how many of its
  // schools have open alerts (by their worst severity) and fail a
  // four-100% measure today, coloured by the worst, and its failing
  // schools by name with the reason in plain text (the most severe
  // first; the rest as "+n", a click filters to the county).

  function regionCodes() {
    const codes = new Set(CG.regionsOf(schools));
    for (const a of set.byId.values()) codes.add(a.region);
    return Array.from(codes).sort();
  }

  // failingMeasures returns the four-100% measures sd fails today.
  function failingMeasures(sd) {
    if (!sd) return [];
    return FOUR.filter((m) => CG.verdict(sd.measures[m]) === 'not_met');
  }

  // countyRows returns, per county code, its failing schools:
  // {school, worst (P0..P3 or ''), alerts, failing (measures), details}.
  function countyRows() {
    const bySchool = new Map();
    const row = (id, region) => {
      let r = bySchool.get(id);
      if (!r) {
        r = { school: id, region, worst: '', alerts: [], failing: [], details: [] };
        bySchool.set(id, r);
      }
      return r;
    };
    // One pass over the open alerts, unsorted (thousands of them): each
    // school keeps its alerts, the first in the API's order (most severe,
    // then newest) first.
    for (const a of set.byId.values()) {
      if (!CG.isOpen(a)) continue;
      const r = row(a.school, a.region);
      r.alerts.push(a);
      const top = r.alerts[0];
      if (r.alerts.length > 1 && CG.alertOrder(a, top) < 0) {
        r.alerts[r.alerts.length - 1] = top;
        r.alerts[0] = a;
      }
      if (!r.worst || SEVS.indexOf(a.severity) < SEVS.indexOf(r.worst)) r.worst = a.severity;
    }
    const regionOf = {};
    schools.forEach((s) => {
      regionOf[s.school] = s.region;
    });
    ((compliance && compliance.schools) || []).forEach((sd) => {
      const failing = failingMeasures(sd);
      if (!failing.length) return;
      const r = row(sd.school, sd.region || regionOf[sd.school]);
      r.failing = failing;
      r.details = failing.map((m) => CG.detailText(sd.measures[m]));
    });
    const out = {};
    bySchool.forEach((r) => {
      (out[r.region] = out[r.region] || []).push(r);
    });
    const rank = (r) => (r.worst ? SEVS.indexOf(r.worst) : 4);
    Object.values(out).forEach((rows) => rows.sort((x, y) => rank(x) - rank(y) || y.alerts.length - x.alerts.length ||
      y.failing.length - x.failing.length || (x.school < y.school ? -1 : 1)));
    return out;
  }

  // reasonOf says in words why a school is listed: its worst alert's rule
  // (and how many more), else the measures it fails.
  function reasonOf(r) {
    const parts = [];
    if (r.alerts.length) {
      const first = CG.ruleName(r.alerts[0].rule);
      parts.push(r.alerts.length > 1 ? first + ' ' + T('wall.more_alerts', r.alerts.length - 1) : first);
    }
    if (r.failing.length) parts.push(T('wall.fails', r.failing.map(CG.measureName).join('、')));
    return parts.join(' · ');
  }

  function renderOverview() {
    const box = CG.clear($('#school-status'));
    const rows = countyRows();
    const counted = {};
    schools.forEach((s) => {
      counted[s.region] = (counted[s.region] || 0) + 1;
    });
    const codes = regionCodes().filter((r) => !filter.region || r === filter.region);
    box.dataset.counties = String(codes.length);
    // Lines per cell: the wall screen holds about 8 in each of 12 cells.
    const lines = codes.length <= 2 ? 30 : codes.length <= 4 ? 14 : codes.length <= 6 ? 10 : 7;
    codes.forEach((code) => {
      const list = rows[code] || [];
      const bySev = {};
      let fail = 0;
      list.forEach((r) => {
        if (r.worst) bySev[r.worst] = (bySev[r.worst] || 0) + 1;
        if (r.failing.length) fail++;
      });
      const worst = SEVS.find((s) => bySev[s]) || (fail ? 'fail' : 'ok');
      const shown = list.slice(0, lines);
      box.append(h('section', { class: 'county worst-' + worst + (filter.region === code ? ' active' : ''), dataset: { region: code } },
        h('button', {
          type: 'button', class: 'county-head',
          onclick: () => {
            filter.region = filter.region === code ? '' : code;
            $('#region-filter').value = filter.region;
            render();
          },
        },
        h('span', { class: 'county-name', text: CG.regionName(code) }),
        h('span', { class: 'county-total', text: T('wall.schools', counted[code] || 0) }),
        h('span', { class: 'region-counts' }, SEVS.map((s) => h('span', {
          class: 'mini sev-' + s + (bySev[s] ? '' : ' zero'), title: s, text: String(bySev[s] || 0),
        })), h('span', { class: 'mini fail' + (fail ? '' : ' zero'), text: String(fail) }))),
        h('ul', { class: 'county-schools' }, shown.map((r) => h('li', {},
          h('button', {
            type: 'button', class: 'school-tile' + (filter.school === r.school ? ' active' : ''),
            dataset: { school: r.school, worst: r.worst || 'fail' },
            onclick: () => setSchool(filter.school === r.school ? '' : r.school),
          },
          h('span', { class: 'light ' + (r.worst ? 'sev-' + r.worst : 'light-red') }),
          h('span', { class: 'tile-name', text: CG.schoolName(r.school) }),
          h('span', { class: 'tile-reason', text: reasonOf(r) }))))),
        list.length > shown.length ? h('p', { class: 'county-more', text: T('wall.more_schools', list.length - shown.length) }) : null,
        list.length === 0 ? h('p', { class: 'county-calm', text: T('wall.calm') }) : null));
    });
  }

  set.onChange((event, alert) => {
    // Only a panic (or a snapshot) can change the takeover and the dock.
    if (!alert || isPanicRule(alert)) {
      takeover.note(event, alert);
      updateOverlay();
    }
    schedule();
  });
  CG.onLang(() => {
    render();
    dock.dataset.lang = '1'; // redraw the dock in the new language
    updateOverlay();
    showSound();
  });

  CG.ready((s) => {
    who = CG.Handling.actor(s);
    showSound();
    CG.stream(set);
    loadPanics();
    CG.schools().then((list) => {
      schools = list;
      CG.fillRegionSelect($('#region-filter'), CG.regionsOf(list));
      render();
    }, (e) => CG.message(e.message, 'error'));
    CG.every(60000, () => CG.api('GET', '/api/v1/compliance?format=full').then((c) => {
      compliance = c;
      c.regions.forEach((r) => CG.learnRegion(r.region, r.name));
      schedule();
    }, (e) => CG.message(e.message, 'error')));
  });

  // For the browser test and the curious: the sound's state.
  CG.police = { sound, set, panel, takeover };
})();
