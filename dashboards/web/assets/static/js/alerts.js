// Alert rows, the handling queues (a school's to-do, an agency's
// verification list) and the alert panel, shared by the boards. The panel
// offers the steps of the handling loop (acknowledge or acknowledge
// receipt, report, verify and close, send back) that the API's "can" names
// for the viewer, else those of the rule-owner matrix (handling.js).
'use strict';

(function () {
  const { T, h, $ } = CG;
  const H = CG.Handling;

  // ownerName names the agency that closes a (责任单位).
  CG.ownerName = function (a) {
    const o = H.ownerOf(a, CG.rules);
    return o ? (CG.has('owner.' + o) ? T('owner.' + o) : o) : '';
  };

  // stateTags renders a's state with what it does not say by itself
  // (cleared, received, reported or returned).
  function stateTags(a) {
    return H.tags(a).map((k) => h('span', {
      class: 'tag tag-' + k.replace('.', '-') + (k === 'handling.returned' ? ' tag-hot' : ''), text: T(k),
    }));
  }

  function ageText(now, since) {
    return since ? T('age.ago', CG.fmtAge(now - new Date(since))) : '';
  }

  const cells = {
    severity: (a) => h('td', { class: 'sev' }, h('span', { class: 'badge sev-' + a.severity, text: a.severity })),
    rule: (a) => h('td', { text: CG.ruleName(a.rule) }),
    region: (a) => h('td', { text: CG.regionName(a.region) }),
    school: (a) => h('td', { text: CG.schoolName(a.school) }),
    message: (a) => h('td', { class: 'msg', text: CG.alertMessage(a), title: CG.alertMessage(a) }), // the whole text when a one-line row cuts it
    started: (a) => h('td', { class: 'time', title: CG.fmtTime(a.started_at, 'full') },
      CG.fmtTime(a.started_at), h('small', { class: 'age', dataset: { since: a.started_at }, text: ageText(CG.now(), a.started_at) })),
    state: (a) => h('td', {},
      h('span', { class: 'state state-' + a.state, text: CG.stateName(a.state) }),
      stateTags(a),
      a.silenced ? h('span', { class: 'tag', text: T('alert.silenced') }) : null,
      a.escalated ? h('span', { class: 'tag tag-hot', text: T('alert.escalated') }) : null),
    owner: (a) => h('td', { class: 'owner', text: CG.ownerName(a) }),
    feedback: (a) => h('td', { class: 'msg feedback', text: a.feedback || '' }),
    reported: (a) => h('td', { class: 'time' }, a.reported_by || '', a.reported_at ? h('small', { text: ' ' + CG.fmtTime(a.reported_at) }) : null),
    waits: (a, x) => {
      const w = x.waits || '';
      return h('td', { class: 'waits' }, w ? h('span', { class: 'tag tag-waits-' + w + (w === 'returned' ? ' tag-hot' : ''), text: T('todo.' + w) }) : null,
        w === 'returned' && a.review_note ? h('small', { class: 'review-note', text: ' ' + a.review_note }) : null);
    },
    category: (a) => h('td', { text: CG.categoryName(CG.violationCategory(a.subject)) }),
    due: (a) => {
      if (!a.due_at) return h('td', { text: '—' });
      const late = CG.isOpen(a) && new Date(a.due_at) < new Date(CG.now());
      return h('td', { class: late ? 'late' : '' }, CG.fmtTime(a.due_at), late ? h('span', { class: 'tag tag-hot', text: T('alert.overdue') }) : null);
    },
  };

  // alertRow renders a as a table row of the given columns; a click
  // selects it. extra carries what a cell needs beyond the alert
  // ({waits} for the to-do list).
  CG.alertRow = function (a, cols, onSelect, extra) {
    const tr = h('tr', {
      class: 'alert-row sev-' + a.severity + ' state-' + a.state + (a.silenced ? ' silenced' : '') +
        (a.handling ? ' handling-' + a.handling : ''),
      dataset: { alertId: a.id }, tabindex: '0',
    }, cols.map((c) => cells[c](a, extra || {})));
    if (onSelect) {
      tr.addEventListener('click', () => onSelect(a.id));
      tr.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') onSelect(a.id);
      });
    }
    return tr;
  };

  // refreshAges updates the "x minutes ago" of every row drawn, once a
  // second (a row drawn in between starts with its age).
  setInterval(() => {
    const now = CG.now();
    CG.$$('.age[data-since]').forEach((el) => {
      el.textContent = ageText(now, el.dataset.since);
    });
  }, 1000);

  // renderTodo fills a school's to-do list (tbody, and empty shown when
  // there is nothing): the open alerts of school that wait for its receipt
  // or report, those sent back first.
  // At most max rows are drawn (all when max is not given); it returns
  // every row of the list.
  CG.renderTodo = function (tbody, empty, alerts, school, who, onSelect, max) {
    const rows = H.todo(alerts, school, who, CG.rules);
    CG.clear(tbody);
    rows.slice(0, max || rows.length).forEach((a) => tbody.append(CG.alertRow(a, ['severity', 'rule', 'message', 'owner', 'started', 'waits'], onSelect,
      { waits: H.waitsFor(a, who, CG.rules) })));
    empty.hidden = rows.length > 0;
    tbody.closest('table').hidden = rows.length === 0; // one line when there is nothing
    return rows;
  };

  // renderReview fills an agency's verification queue (待复核): the
  // reported alerts it owns, oldest report first.
  CG.renderReview = function (tbody, empty, alerts, who, onSelect) {
    const rows = H.awaiting(alerts, who, CG.rules);
    CG.clear(tbody);
    rows.forEach((a) => tbody.append(CG.alertRow(a, ['severity', 'rule', 'school', 'feedback', 'reported', 'state'], onSelect)));
    empty.hidden = rows.length > 0;
    tbody.closest('table').hidden = rows.length === 0; // one line when there is nothing
    return rows;
  };

  // evidenceLink shows the evidence of a report: a link (new tab, no
  // opener, no referrer) when it is an http or https URL, else the text.
  CG.evidenceLink = function (s) {
    const url = H.safeURL(s);
    if (!url) return h('span', { class: 'evidence evidence-raw', text: s });
    return h('a', { class: 'evidence', href: url, target: '_blank', rel: 'noopener noreferrer', text: s });
  };

  // The event the page records after each step, as the stream would.
  const eventOf = { ack: 'acknowledged', report: 'reported', close: 'resolved', return: 'returned' };
  const doneKey = { ack: 'action.acked', report: 'action.reported', close: 'action.resolved', return: 'action.returned' };
  const buttonOf = { ack: '#ack-button', report: '#report-button', close: '#resolve-button', return: '#return-button' };

  // AlertPanel drives #alert-panel: the selected alert's details and its
  // handling (owner, receipt, report with its evidence, review), and the
  // steps offered to the viewer. opts.noClose: never offer close (the
  // school board).
  CG.AlertPanel = class {
    constructor(set, opts) {
      this.set = set;
      this.opts = opts || {};
      this.el = $('#alert-panel');
      this.home = this.el.parentNode;
      this.id = null;
      this.busy = false;
      this.who = { agency: '', admin: false }; // until the session is known
      CG.session().then((s) => {
        this.who = H.actor(s);
        this.render();
      }, () => {});
      $('#panel-close').addEventListener('click', () => this.hide());
      $('#ack-button').addEventListener('click', () => this.ack());
      $('#report-button').addEventListener('click', () => this.report());
      $('#resolve-button').addEventListener('click', () => this.resolve());
      $('#return-button').addEventListener('click', () => this.sendBack());
      ['#resolve-note', '#evidence-input'].forEach((sel) => $(sel).addEventListener('input', () => {
        $(sel).classList.remove('invalid');
        this.error(null);
      }));
      set.onChange((ev, a) => {
        if (this.id && (!a || a.id === this.id)) this.render();
      });
      CG.onLang(() => this.render());
    }
    current() {
      return this.id ? this.set.get(this.id) : null;
    }
    show(id) {
      if (this.id !== id) {
        $('#resolve-note').value = '';
        $('#evidence-input').value = '';
        this.error(null);
      }
      this.id = id;
      this.el.hidden = false;
      this.render();
    }
    hide() {
      this.id = null;
      this.el.hidden = true;
      document.dispatchEvent(new CustomEvent('cg:panel'));
    }
    // moveTo puts the panel inside container (the panic overlay); restore
    // puts it back.
    moveTo(container) {
      if (this.el.parentNode !== container) container.append(this.el);
      this.el.classList.add('embedded');
    }
    restore() {
      if (this.el.parentNode !== this.home) this.home.append(this.el);
      this.el.classList.remove('embedded');
    }
    // error shows lines ({zh, en}: Chinese first, English second) or
    // clears the error.
    error(lines) {
      const e = CG.clear($('#panel-error'));
      if (lines) {
        e.append(h('span', { lang: 'zh-CN', class: 'error-zh', text: lines.zh }));
        if (lines.en && lines.en !== lines.zh) e.append(h('br'), h('span', { lang: 'en', class: 'error-en', text: lines.en }));
      }
      e.hidden = !lines;
    }
    // offered lists the steps shown for a.
    offered(a) {
      return H.offered(a, this.who, CG.rules, this.opts);
    }
    render() {
      const a = this.current();
      if (!a) {
        if (this.id) this.hide();
        return;
      }
      $('#panel-title').textContent = CG.ruleName(a.rule);
      const dl = CG.clear($('#panel-details'));
      const row = (k, v, cls) => {
        if (v === null || v === undefined || v === '') return;
        dl.append(h('dt', { text: T(k), class: cls }), h('dd', { class: cls }, v));
      };
      const by = (who, at) => (who || '') + (at ? ' · ' + CG.fmtTime(at, 'full') : '');
      row('col.severity', h('span', { class: 'badge sev-' + a.severity, text: CG.sevName(a.severity) }));
      row('col.state', h('span', {}, CG.stateName(a.state), stateTags(a)), 'd-state');
      row('col.owner', CG.ownerName(a), 'd-owner');
      row('col.school', CG.schoolName(a.school));
      row('col.region', CG.regionName(a.region));
      row('col.device', a.device || a.subject);
      row('col.message', CG.alertMessage(a));
      row('col.started', CG.fmtTime(a.started_at, 'full'));
      row('col.updated', CG.fmtTime(a.updated_at, 'full'));
      if (a.count > 1) row('col.count', String(a.count));
      if (a.due_at) row('col.due', CG.fmtTime(a.due_at, 'full'));
      if (a.snapshot) row('mkt.snapshot_label', CG.evidenceLink(a.snapshot), 'd-snapshot'); // market: the violation's evidence
      if (a.cleared_at) row('col.cleared', CG.fmtTime(a.cleared_at, 'full'), 'd-cleared');
      if (a.acked_by) row('col.acked_by', by(a.acked_by, a.acked_at));
      if (a.received_by) row('col.received', by(a.received_by, a.received_at), 'd-received');
      if (a.handling) row('col.handling', T('handling.' + a.handling), 'd-handling');
      row('col.feedback', a.feedback, 'd-feedback');
      if (a.evidence) row('col.evidence', CG.evidenceLink(a.evidence), 'd-evidence');
      if (a.reported_by) row('col.reported_by', by(a.reported_by, a.reported_at), 'd-reported');
      if (a.reviewed_by) row('col.reviewer', by(a.reviewed_by, a.reviewed_at), 'd-reviewer');
      row('col.review_note', a.review_note, 'd-review-note');
      row('col.note', a.note);
      if (a.closed_by) row('col.closed_by', a.closed_by, 'd-closed-by');
      if (a.resolved_at) row('col.resolved', CG.fmtTime(a.resolved_at, 'full'));

      const steps = this.offered(a);
      this.el.dataset.offered = steps.join(' ');
      for (const [act, sel] of Object.entries(buttonOf)) {
        const b = $(sel);
        b.hidden = !steps.includes(act);
        b.disabled = this.busy;
      }
      const ack = $('#ack-button');
      ack.dataset.i18n = H.ackLabel(this.who);
      ack.textContent = T(ack.dataset.i18n);
      const close = $('#resolve-button');
      close.dataset.i18n = H.closeLabel(a);
      close.textContent = T(close.dataset.i18n);
      const noted = steps.some((act) => act !== 'ack');
      $('#resolve-note').hidden = $('label[for="resolve-note"]').hidden = !noted;
      const reports = steps.includes('report');
      $('#evidence-input').hidden = $('label[for="evidence-input"]').hidden = !reports;
    }
    async act(kind, body) {
      const a = this.current();
      if (!a || this.busy) return null;
      this.busy = true;
      this.render();
      try {
        const got = await CG.api('POST', '/api/v1/alerts/' + encodeURIComponent(a.id) + '/' + kind, body);
        this.set.apply(kind === 'ack' && got.state !== 'acknowledged' ? 'received' : eventOf[kind], got);
        CG.message(T(kind === 'ack' && H.ackLabel(this.who) === 'action.receive' ? 'action.received' : doneKey[kind]));
        if (kind !== 'ack') {
          $('#resolve-note').value = '';
          $('#evidence-input').value = '';
        }
        this.error(null);
        return got;
      } catch (e) {
        if (e.body && e.body.alert) this.set.apply('updated', e.body.alert);
        this.error(H.errorLines(e, CG.both));
        return null;
      } finally {
        this.busy = false;
        this.render();
      }
    }
    // note returns the note, or null after asking for one.
    note() {
      const el = $('#resolve-note');
      const note = el.value.trim();
      if (!note) {
        el.classList.add('invalid');
        el.focus();
        this.error(CG.both('action.note_required'));
        return null;
      }
      return note;
    }
    ack() {
      return this.act('ack', {});
    }
    report() {
      const note = this.note();
      if (note === null) return Promise.resolve(null);
      const ev = $('#evidence-input');
      const evidence = ev.value.trim();
      if (evidence && !H.safeURL(evidence)) {
        ev.classList.add('invalid');
        ev.focus();
        this.error(CG.both('action.evidence_invalid'));
        return Promise.resolve(null);
      }
      return this.act('report', evidence ? { note, evidence } : { note });
    }
    resolve() {
      const note = this.note();
      if (note === null) return Promise.resolve(null);
      return this.act('close', { note });
    }
    sendBack() {
      const note = this.note();
      if (note === null) return Promise.resolve(null);
      return this.act('return', { note });
    }
  };
})();
