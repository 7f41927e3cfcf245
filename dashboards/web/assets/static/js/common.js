// campusguard web UI: what every page shares. Plain JavaScript, no build
// step, no external resource. Everything the pages show comes from the
// HTTP API, which cuts every answer to the logged-in viewer.
'use strict';

(function () {
  const CG = (window.CG = {});

  // ---- Language: Chinese first, English on request (kept in localStorage).

  const dict = JSON.parse(document.getElementById('i18n-data').textContent);
  const LANG_KEY = 'campusguard.lang';
  let lang = 'zh';
  try {
    if (localStorage.getItem(LANG_KEY) === 'en') lang = 'en';
  } catch (e) {
    // storage disabled: stay in Chinese
  }

  CG.lang = () => lang;

  // both returns a label in both languages, {zh, en} (API refusals are
  // shown Chinese first, English second, whatever the page's language).
  CG.both = function (key) {
    const e = dict[key];
    return e ? { zh: e.zh, en: e.en || e.zh } : { zh: key, en: key };
  };

  // rules is the catalogue's word on each rule, {rule: {owner,
  // needs_close}}, as the page carries it (#rules-data).
  const rulesEl = document.getElementById('rules-data');
  CG.rules = rulesEl ? JSON.parse(rulesEl.textContent) : {};

  // T returns the label key in the current language; {0}, {1}... are
  // replaced by the arguments.
  CG.T = function (key, ...args) {
    const e = dict[key];
    let s = e ? e[lang] || e.zh : key;
    args.forEach((a, i) => {
      s = s.split('{' + i + '}').join(String(a));
    });
    return s;
  };
  const T = CG.T;
  CG.has = (key) => Object.prototype.hasOwnProperty.call(dict, key);

  // applyI18n translates the labels the server rendered in Chinese.
  CG.applyI18n = function (root) {
    const r = root || document;
    r.querySelectorAll('[data-i18n]').forEach((el) => {
      el.textContent = T(el.dataset.i18n);
    });
    r.querySelectorAll('[data-i18n-placeholder]').forEach((el) => {
      el.placeholder = T(el.dataset.i18nPlaceholder);
    });
    r.querySelectorAll('[data-i18n-title]').forEach((el) => {
      el.title = T(el.dataset.i18nTitle);
    });
    if (!root) {
      document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
      document.title = T(document.body.dataset.titleKey) + ' · ' + T('app.name');
    }
  };

  CG.setLang = function (l) {
    lang = l === 'en' ? 'en' : 'zh';
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch (e) {
      // not kept: fine for this page
    }
    CG.applyI18n();
    document.dispatchEvent(new CustomEvent('cg:lang'));
  };

  // onLang runs fn now and again whenever the language changes.
  CG.onLang = function (fn) {
    document.addEventListener('cg:lang', fn);
  };

  // ---- DOM helpers. Data is only ever written as text, never as HTML.

  CG.$ = (sel, root) => (root || document).querySelector(sel);
  CG.$$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  CG.h = function (tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid === null || kid === undefined || kid === false) continue;
      el.append(kid instanceof Node ? kid : String(kid));
    }
    return el;
  };
  const h = CG.h;

  // svgNS is the SVG namespace as the HTML parser knows it.
  CG.svgNS = (function () {
    const d = document.createElement('div');
    d.innerHTML = '<svg></svg>';
    return d.firstChild.namespaceURI;
  })();

  CG.svg = function (tag, attrs, ...kids) {
    const el = document.createElementNS(CG.svgNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === 'text') el.textContent = v;
      else if (k === 'class') el.setAttribute('class', v);
      else el.setAttribute(k, String(v));
    }
    kids.flat(Infinity).forEach((k) => k && el.append(k));
    return el;
  };

  CG.clear = function (el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  };

  // message shows a short notice (kind: info, error) for a while.
  let msgTimer = 0;
  CG.message = function (text, kind) {
    const m = CG.$('#message');
    if (!m) return;
    m.textContent = text;
    m.dataset.kind = kind || 'info';
    m.hidden = false;
    clearTimeout(msgTimer);
    msgTimer = setTimeout(() => {
      m.hidden = true;
    }, kind === 'error' ? 10000 : 4000);
  };

  // ---- Time, in Asia/Shanghai whatever the browser's zone.

  const TZ = 'Asia/Shanghai';
  // Dates are written so that no reader can take the day for the month:
  // Chinese "12月2日 14:03" / "2026年12月2日", English "2 Dec, 14:03" /
  // "2 Dec 2026" (never "02/12"). Kinds: short (day and time, the
  // default), full (with the year), date (day with the year), day (day
  // without the year), time (hours and minutes), clock (with seconds).
  const fmtCache = {};
  function formatter(kind) {
    const key = kind + lang;
    if (!fmtCache[key]) {
      const loc = lang === 'en' ? 'en-GB' : 'zh-CN';
      const opts = { timeZone: TZ, hour12: false };
      if (kind !== 'time' && kind !== 'clock') Object.assign(opts, { month: lang === 'en' ? 'short' : 'long', day: 'numeric' });
      if (kind === 'full' || kind === 'date') opts.year = 'numeric';
      if (kind !== 'date' && kind !== 'day') Object.assign(opts, { hour: '2-digit', minute: '2-digit' });
      if (kind === 'clock') opts.second = '2-digit';
      fmtCache[key] = new Intl.DateTimeFormat(loc, opts);
    }
    return fmtCache[key];
  }
  CG.fmtTime = (iso, kind) => (iso ? formatter(kind || 'short').format(new Date(iso)) : '');
  // fmtDate writes a calendar date "YYYY-MM-DD" (a day of Shanghai) as
  // kind 'date' (default) or 'day'.
  CG.fmtDate = (ymd, kind) => (ymd ? formatter(kind || 'date').format(new Date(ymd + 'T12:00:00+08:00')) : '');

  // now is the server's time in ms since the epoch: the page's clock plus
  // the offset the server last told (the page's data-now when it was
  // served, then every API answer's X-Campusguard-Time). "Today", ages and
  // response clocks follow the server, not a wall screen's drifting clock.
  let clockOffset = 0;
  CG.setServerTime = function (ms) {
    const t = Number(ms);
    if (Number.isFinite(t) && t > 0) clockOffset = t - Date.now();
  };
  CG.setServerTime(document.body && document.body.dataset.now);
  CG.now = () => Date.now() + clockOffset;

  // isoDate returns YYYY-MM-DD of t in Shanghai.
  CG.isoDate = function (t) {
    return new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' })
      .format(t || new Date(CG.now()));
  };
  CG.today = () => CG.isoDate(new Date(CG.now()));
  CG.addDays = function (iso, n) {
    const d = new Date(iso + 'T12:00:00+08:00');
    d.setTime(d.getTime() + n * 86400000);
    return CG.isoDate(d);
  };

  // fmtAge writes a duration in ms: "3分12秒" / "3m 12s".
  CG.fmtAge = function (ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const d = Math.floor(s / 86400);
    const hh = Math.floor((s % 86400) / 3600);
    const mm = Math.floor((s % 3600) / 60);
    const ss = s % 60;
    if (d > 0) return T('age.dh', d, hh);
    if (hh > 0) return T('age.hm', hh, mm);
    return T('age.ms', mm, ss);
  };

  // mmss writes a duration as MM:SS (the panic clock).
  CG.mmss = function (ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const m = Math.floor(s / 60);
    return String(m).padStart(2, '0') + ':' + String(s % 60).padStart(2, '0');
  };

  // CG.verdict is a compliance result's verdict: met, not_met,
  // not_applicable or not_judged (a window not over, a day without school,
  // no record) — never "not met" for what has not been judged yet.
  CG.verdict = (r) => {
    if (!r) return 'not_judged';
    if (r.status) return r.status;
    return !r.applicable ? 'not_applicable' : r.ok ? 'met' : 'not_met';
  };
  // CG.verdictText labels a verdict; CG.verdictClass is its CSS class.
  CG.verdictText = (v) => T({ met: 'measure.ok', not_met: 'measure.fail', not_applicable: 'measure.na', not_judged: 'measure.not_judged' }[v] || 'common.no_record');
  CG.verdictClass = (v) => ({ met: 'ok', not_met: 'fail' }[v] || 'na');
  CG.pct = (v) => (v === null || v === undefined || Number.isNaN(v) ? '—' : Math.round(v * 1000) / 10 + '%');

  // ---- Names.

  const names = { schools: {}, regions: {} };
  CG.schoolName = (id) => names.schools[id] || id;
  CG.regionName = function (code) {
    if (!code) return '';
    if (CG.has('region.' + code)) return T('region.' + code);
    return names.regions[code] || code;
  };
  CG.ruleName = (id) => (CG.has('rule.' + id) ? T('rule.' + id) : id);
  CG.measureName = (m) => (CG.has('measure.' + m) ? T('measure.' + m) : m);
  CG.sevName = (s) => T('sev.' + s);
  CG.stateName = (s) => T('state.' + s);
  // windowName names a school window ("morning-arrival", a kitchen's
  // "breakfast+lunch") in the current language through the dictionary;
  // a school's own name for a window shows as it is.
  CG.windowName = (name) => (name || '').split('+')
    .map((p) => (CG.has('window.' + p) ? T('window.' + p) : p))
    .join(lang === 'en' ? ' + ' : '、');
  // detailText is a compliance result's reason in the current language:
  // detail_zh / detail_en; an older answer's single "中文 / English"
  // detail is split at its first " / ".
  CG.detailText = function (r) {
    if (!r) return '';
    if (r.detail_zh || r.detail_en) return lang === 'en' ? r.detail_en || r.detail_zh : r.detail_zh || r.detail_en;
    const d = r.detail || '';
    const i = d.indexOf(' / ');
    if (i < 0) return d;
    return lang === 'en' ? d.slice(i + 3) : d.slice(0, i);
  };
  // deviceStatus is a device's state on the school board from its open
  // alerts: 'offline' (an offline or link-down alert), 'trouble' (the
  // device reports a fault or is covered), 'alarming' (it works and is
  // raising an alarm: a pressed panic button, a forced gate, a kitchen
  // violation seen by its camera), else 'ok'. A pressed panic is never a
  // fault.
  const DEVICE_TROUBLE = ['alarm_trouble', 'kitchen_cam_occluded'];
  CG.deviceStatus = function (alerts) {
    if (alerts.some((a) => /_offline$|_link_down$/.test(a.rule))) return 'offline';
    if (alerts.some((a) => DEVICE_TROUBLE.includes(a.rule))) return 'trouble';
    return alerts.length ? 'alarming' : 'ok';
  };
  CG.alertMessage = (a) => (lang === 'en' ? a.message_en || a.message_zh : a.message_zh || a.message_en);

  // violationCategory reads the category out of a kitchen alert's subject:
  // "<device>:<category>:<event>", "<category>@<date>" or "<category>".
  CG.violationCategory = function (subject) {
    const s = subject || '';
    const parts = s.split(':');
    if (parts.length === 3) return parts[1];
    return s.split('@')[0];
  };
  CG.categoryName = (c) => (CG.has('cat.' + c) ? T('cat.' + c) : c);
  CG.tierOf = (a) => ({ P0: 1, P1: 1, P2: 2, P3: 3 })[a.severity] || 3;

  // schools lists the schools the viewer sees ({school, name, region,
  // region_name}) and learns their names, once per page, from
  // GET /api/v1/schools (a few KB gzipped; the browser keeps it and
  // revalidates it by ETag, so a reload costs a 304).
  let schoolsP = null;
  CG.schools = function () {
    if (!schoolsP) {
      schoolsP = CG.api('GET', '/api/v1/schools').then((l) => {
        (l.regions || []).forEach((r) => {
          if (r.name) names.regions[r.code] = r.name;
        });
        return (l.schools || []).map((s) => {
          names.schools[s.id] = s.name || s.id;
          return { school: s.id, name: s.name || s.id, region: s.region, region_name: names.regions[s.region] || '' };
        });
      });
    }
    return schoolsP;
  };
  CG.learnRegion = function (code, name) {
    if (code && name) names.regions[code] = name;
  };

  // regions returns the region codes of a school list, in order.
  CG.regionsOf = (schools) => Array.from(new Set(schools.map((s) => s.region))).sort();

  // fillRegionSelect adds one option per region to sel (keeping its
  // first "all" option) and re-labels them when the language changes.
  CG.fillRegionSelect = function (sel, regions) {
    const keep = sel.value;
    CG.$$('option[data-region]', sel).forEach((o) => o.remove());
    regions.forEach((r) => sel.append(h('option', { value: r, dataset: { region: r }, text: CG.regionName(r) })));
    if (regions.includes(keep)) sel.value = keep;
    CG.onLang(() => CG.$$('option[data-region]', sel).forEach((o) => {
      o.textContent = CG.regionName(o.dataset.region);
    }));
  };

  // ---- Session and API.

  CG.toLogin = function () {
    location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search);
  };

  // session is who is logged in: {name, display_name, role, regions,
  // schools, csrf_token}. Without the login middleware (GET
  // /api/v1/session answers 404) the API's default viewer stands in.
  let sessionP = null;
  CG.session = function () {
    if (!sessionP) {
      sessionP = fetch('/api/v1/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then((r) => {
          if (r.status === 401) {
            CG.toLogin();
            throw new Error('unauthenticated');
          }
          if (r.status === 404) {
            return { name: '', display_name: '', role: 'admin', regions: [], schools: [], csrf_token: '', fallback: true };
          }
          if (!r.ok) throw new Error(T('error.http', r.status));
          return r.json();
        })
        .then((s) => Object.assign({ regions: [], schools: [] }, s, { regions: s.regions || [], schools: s.schools || [] }));
    }
    return sessionP;
  };

  // api calls the HTTP API; state-changing calls carry the CSRF token.
  // A failure throws an Error whose message is the API's, in the current
  // language, with .status, .code and .body.
  CG.api = async function (method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') {
      const s = await CG.session();
      if (s.csrf_token) headers['X-CSRF-Token'] = s.csrf_token;
    }
    const init = { method, credentials: 'same-origin', headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const r = await fetch(path, init);
    CG.setServerTime(r.headers.get('X-Campusguard-Time'));
    if (r.status === 401) {
      CG.toLogin();
      throw new Error(T('error.session'));
    }
    if (r.status === 204) return null;
    let data = null;
    try {
      data = await r.json();
    } catch (e) {
      data = null;
    }
    if (!r.ok) {
      const e = data && data.error;
      const err = new Error(e ? (lang === 'en' ? e.message_en : e.message_zh) : T('error.http', r.status));
      err.status = r.status;
      err.code = e && e.code;
      err.body = data;
      throw err;
    }
    return data;
  };

  // ---- Live alerts: the event stream and the set of alerts it keeps.

  // The alerts themselves (CG.AlertSet, CG.alertOrder) are kept by
  // alertstore.js, which the boards with alert tables load.

  CG.isOpen = (a) => a.state === 'firing' || a.state === 'acknowledged';

  // stream connects to /api/v1/stream and feeds set; EventSource
  // reconnects by itself (retry: 5000) and each reconnect starts with a
  // new snapshot.
  CG.stream = function (set) {
    const conn = CG.$('#conn-status');
    const show = (state) => {
      if (!conn) return;
      conn.dataset.state = state;
      conn.textContent = T('conn.' + state);
    };
    CG.onLang(() => conn && show(conn.dataset.state));
    let es = null;
    function connect() {
      show('connecting');
      es = new EventSource('/api/v1/stream');
      es.addEventListener('snapshot', (ev) => {
        show('live');
        set.snapshot(JSON.parse(ev.data).alerts || []);
      });
      es.addEventListener('alert', (ev) => {
        const d = JSON.parse(ev.data);
        if (d && d.alert) set.apply(d.event, d.alert);
      });
      es.onerror = () => {
        if (es.readyState === EventSource.CLOSED) {
          // Refused (401, 403...): check the session, then try again.
          show('down');
          fetch('/api/v1/session', { credentials: 'same-origin' }).then((r) => {
            if (r.status === 401) CG.toLogin();
          }, () => {});
          setTimeout(connect, 10000);
        } else {
          show('reconnecting');
        }
      };
    }
    connect();
  };

  // every runs fn now and then every ms (board refreshes).
  CG.every = function (ms, fn) {
    fn();
    return setInterval(fn, ms);
  };

  // ---- The page frame: language toggle, clock, user, navigation, logout.

  // ready runs fn(session) once the page is set up and the session known
  // (null on the login page).
  let booted;
  const readyP = new Promise((resolve) => {
    booted = resolve;
  });
  CG.ready = function (fn) {
    readyP.then(fn).catch((e) => {
      if (e && e.message !== 'unauthenticated') CG.message(e.message, 'error');
    });
  };

  function boot() {
    CG.applyI18n();
    const toggle = CG.$('#lang-toggle');
    if (toggle) toggle.addEventListener('click', () => CG.setLang(lang === 'zh' ? 'en' : 'zh'));
    const clock = CG.$('#clock');
    if (clock) {
      const tick = () => {
        clock.textContent = CG.fmtTime(new Date(CG.now()).toISOString(), 'clock');
      };
      tick();
      setInterval(tick, 1000);
    }
    if (document.body.dataset.bare) {
      booted(null);
      return;
    }
    booted(CG.session().then((s) => {
      const user = CG.$('#user-name');
      if (user) user.textContent = s.display_name || s.name;
      CG.$$('#nav a[data-roles]').forEach((a) => {
        a.hidden = !a.dataset.roles.split(' ').includes(s.role);
        if (a.getAttribute('href') === location.pathname) a.classList.add('current');
      });
      const out = CG.$('#logout-button');
      if (out) {
        out.hidden = !!s.fallback;
        out.addEventListener('click', () => {
          fetch('/logout', {
            method: 'POST', credentials: 'same-origin', redirect: 'manual',
            headers: s.csrf_token ? { 'X-CSRF-Token': s.csrf_token } : {},
          }).finally(() => {
            location.href = '/login';
          });
        });
      }
      return s;
    }));
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
