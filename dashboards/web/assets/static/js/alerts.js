// Alert rows and the alert panel (acknowledge; resolve with a note), shared
// by the boards.
'use strict';

(function () {
  const { T, h, $ } = CG;

  const cells = {
    severity: (a) => h('td', { class: 'sev' }, h('span', { class: 'badge sev-' + a.severity, text: a.severity })),
    rule: (a) => h('td', { text: CG.ruleName(a.rule) }),
    region: (a) => h('td', { text: CG.regionName(a.region) }),
    school: (a) => h('td', { text: CG.schoolName(a.school) }),
    message: (a) => h('td', { class: 'msg', text: CG.alertMessage(a) }),
    started: (a) => h('td', { class: 'time', title: CG.fmtTime(a.started_at, 'full') },
      CG.fmtTime(a.started_at), h('small', { class: 'age', dataset: { since: a.started_at } })),
    state: (a) => h('td', {},
      h('span', { class: 'state state-' + a.state, text: CG.stateName(a.state) }),
      a.silenced ? h('span', { class: 'tag', text: T('alert.silenced') }) : null,
      a.escalated ? h('span', { class: 'tag tag-hot', text: T('alert.escalated') }) : null),
    category: (a) => h('td', { text: CG.categoryName(CG.violationCategory(a.subject)) }),
    due: (a) => {
      if (!a.due_at) return h('td', { text: '—' });
      const late = CG.isOpen(a) && new Date(a.due_at) < new Date();
      return h('td', { class: late ? 'late' : '' }, CG.fmtTime(a.due_at), late ? h('span', { class: 'tag tag-hot', text: T('alert.overdue') }) : null);
    },
  };

  // alertRow renders a as a table row of the given columns; a click
  // selects it.
  CG.alertRow = function (a, cols, onSelect) {
    const tr = h('tr', {
      class: 'alert-row sev-' + a.severity + ' state-' + a.state + (a.silenced ? ' silenced' : ''),
      dataset: { alertId: a.id }, tabindex: '0',
    }, cols.map((c) => cells[c](a)));
    if (onSelect) {
      tr.addEventListener('click', () => onSelect(a.id));
      tr.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') onSelect(a.id);
      });
    }
    return tr;
  };

  // refreshAges updates the "x minutes ago" of every row, once a second.
  setInterval(() => {
    const now = Date.now();
    CG.$$('.age[data-since]').forEach((el) => {
      el.textContent = T('age.ago', CG.fmtAge(now - new Date(el.dataset.since)));
    });
  }, 1000);

  // AlertPanel drives #alert-panel: the selected alert's details, the
  // acknowledge button, and resolve with its required note.
  CG.AlertPanel = class {
    constructor(set) {
      this.set = set;
      this.el = $('#alert-panel');
      this.home = this.el.parentNode;
      this.id = null;
      this.busy = false;
      $('#panel-close').addEventListener('click', () => this.hide());
      $('#ack-button').addEventListener('click', () => this.ack());
      $('#resolve-button').addEventListener('click', () => this.resolve());
      $('#resolve-note').addEventListener('input', () => {
        $('#resolve-note').classList.remove('invalid');
        this.error('');
      });
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
        this.error('');
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
    error(text) {
      const e = $('#panel-error');
      e.textContent = text;
      e.hidden = !text;
    }
    render() {
      const a = this.current();
      if (!a) {
        if (this.id) this.hide();
        return;
      }
      $('#panel-title').textContent = CG.ruleName(a.rule);
      const dl = CG.clear($('#panel-details'));
      const row = (k, v) => {
        if (v === null || v === undefined || v === '') return;
        dl.append(h('dt', { text: T(k) }), h('dd', {}, v));
      };
      row('col.severity', h('span', { class: 'badge sev-' + a.severity, text: CG.sevName(a.severity) }));
      row('col.state', CG.stateName(a.state));
      row('col.school', CG.schoolName(a.school));
      row('col.region', CG.regionName(a.region));
      row('col.device', a.device || a.subject);
      row('col.message', CG.alertMessage(a));
      row('col.started', CG.fmtTime(a.started_at, 'full'));
      row('col.updated', CG.fmtTime(a.updated_at, 'full'));
      if (a.count > 1) row('col.count', String(a.count));
      if (a.due_at) row('col.due', CG.fmtTime(a.due_at, 'full'));
      if (a.acked_by) row('col.acked_by', a.acked_by + (a.acked_at ? ' · ' + CG.fmtTime(a.acked_at) : ''));
      row('col.note', a.note);
      if (a.resolved_at) row('col.resolved', CG.fmtTime(a.resolved_at, 'full'));
      $('#ack-button').hidden = a.state !== 'firing';
      const open = CG.isOpen(a);
      $('#resolve-button').hidden = !open;
      $('#resolve-note').hidden = !open;
      $('label[for="resolve-note"]').hidden = !open;
      $('#ack-button').disabled = $('#resolve-button').disabled = this.busy;
    }
    async act(kind, body) {
      const a = this.current();
      if (!a || this.busy) return;
      this.busy = true;
      this.render();
      try {
        const got = await CG.api('POST', '/api/v1/alerts/' + encodeURIComponent(a.id) + '/' + kind, body);
        this.set.apply(got.state === 'resolved' ? 'resolved' : 'acknowledged', got);
        CG.message(T(kind === 'ack' ? 'action.acked' : 'action.resolved'));
        if (kind === 'resolve') $('#resolve-note').value = '';
        return got;
      } catch (e) {
        if (e.body && e.body.alert) this.set.apply('updated', e.body.alert);
        this.error(e.message);
        return null;
      } finally {
        this.busy = false;
        this.render();
      }
    }
    ack() {
      return this.act('ack', {});
    }
    resolve() {
      const note = $('#resolve-note').value.trim();
      if (!note) {
        $('#resolve-note').classList.add('invalid');
        $('#resolve-note').focus();
        this.error(T('action.note_required'));
        return Promise.resolve(null);
      }
      return this.act('resolve', { note });
    }
  };
})();
