// The handling loop on the page (派单 → 处置 → 反馈 → 复核): which steps
// the viewer is offered on an alert, how its handling reads, the school's
// to-do list and an agency's verification queue. No DOM here (alerts.js
// draws it), so that node can check it against alerting.Permit.
'use strict';

(function (CG) {
  const H = (CG.Handling = {});

  // ACTIONS are the steps of the loop, in the order the panel offers them:
  // POST /api/v1/alerts/{id}/<action>.
  H.ACTIONS = ['ack', 'report', 'close', 'return'];

  const AGENCIES = ['police', 'education', 'market', 'school'];
  const SEV_RANK = { P0: 0, P1: 1, P2: 2, P3: 3 };

  // actor is who the API sees acting for a session (api.Viewer → Actor):
  // a school, an agency, or an administrator.
  H.actor = function (session) {
    const role = session && session.role;
    if (role === 'admin') return { agency: '', admin: true };
    return { agency: AGENCIES.includes(role) ? role : '', admin: false };
  };

  H.isOpen = (a) => a.state !== 'resolved';

  // ownerOf is the agency that closes a: the alert's own owner, else the
  // rule catalogue's (rules: {rule: {owner, needs_close}}, as the page
  // carries it), for an alert recorded before alerts named their owner.
  H.ownerOf = (a, rules) => a.owner || (rules && rules[a.rule] && rules[a.rule].owner) || '';

  const inAudience = (a, x) => (a.audience || []).includes(x);

  // permit is alerting.Permit, the rule-owner matrix, for when the API did
  // not say (an alert from the event stream carries no "can"):
  //   ack: the owner or an administrator; on a P0 nobody else but the
  //     school (whose acknowledgement records receipt only); on other
  //     alerts anyone in the audience;
  //   report: the school (or an administrator);
  //   close: the owner or an administrator, never the school;
  //   return: the owner or an administrator, while a report waits.
  H.permit = function (a, who, act, rules) {
    const owner = who.admin || (who.agency !== '' && who.agency === H.ownerOf(a, rules));
    switch (act) {
      case 'ack':
        if (owner) return true;
        if (who.agency === 'school') return inAudience(a, 'school');
        return a.severity !== 'P0' && inAudience(a, who.agency);
      case 'report':
        return who.admin || (who.agency === 'school' && inAudience(a, 'school'));
      case 'close':
        return owner;
      case 'return':
        return owner && a.handling === 'reported';
    }
    return false;
  };

  // ackStopsEscalation is alerting.AckStopsEscalation: whether who's
  // acknowledgement moves a to acknowledged. On a P0 only the owner's (or
  // an administrator's) does; the school's records receipt only.
  H.ackStopsEscalation = function (a, who, rules) {
    if (a.severity !== 'P0') return true;
    return who.admin || (who.agency !== '' && who.agency === H.ownerOf(a, rules));
  };

  // possible reports whether a's own state leaves act to do for who (the
  // lifecycle's Allowed; it refuses the rest with 409): nothing on a closed
  // alert; an acknowledgement that stops the escalation once, a receipt
  // once; a new report replaces the last; only a waiting report can be
  // sent back.
  H.possible = function (a, who, act, rules) {
    if (!H.isOpen(a)) return false;
    switch (act) {
      case 'ack':
        return H.ackStopsEscalation(a, who, rules) ? a.state !== 'acknowledged' : !a.received_by;
      case 'report':
      case 'close':
        return true;
      case 'return':
        return a.handling === 'reported';
    }
    return false;
  };

  // offered lists the steps the panel shows who on a: those the API's
  // "can" names (else the matrix above) that a's state leaves to do.
  // opts.noClose drops close (the school board never shows it).
  H.offered = function (a, who, rules, opts) {
    const can = Array.isArray(a.can) ? a.can : null;
    return H.ACTIONS.filter((act) => (can ? can.includes(act) : H.permit(a, who, act, rules)) &&
      H.possible(a, who, act, rules) && !(opts && opts.noClose && act === 'close'));
  };

  // ackLabel is the dictionary key of the acknowledge button: a school
  // acknowledges receipt (签收), the police take the call (确认接警), the
  // other agencies acknowledge (确认).
  H.ackLabel = function (who) {
    if (who.agency === 'school' && !who.admin) return 'action.receive';
    return who.agency === 'education' || who.agency === 'market' ? 'action.confirm' : 'action.ack';
  };

  // closeLabel: closing a reported alert verifies the report (复核通过).
  H.closeLabel = (a) => (a.handling === 'reported' ? 'action.verify' : 'action.resolve');

  // tags are the dictionary keys of what a's state does not say by itself:
  // cleared but open, received by the school, reported or returned.
  H.tags = function (a) {
    const out = [];
    if (a.cleared_at && H.isOpen(a)) out.push('state.cleared');
    if (a.received_by) out.push('handling.received');
    if (a.handling === 'reported' || a.handling === 'returned') out.push('handling.' + a.handling);
    return out;
  };

  // safeURL returns an evidence link worth making a link of: http or https
  // only (never javascript:, data: or a relative path), else null.
  H.safeURL = function (s) {
    if (typeof s !== 'string' || !s.trim()) return null;
    let u;
    try {
      u = new URL(s.trim());
    } catch (e) {
      return null;
    }
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  };

  const bySeverityNewest = (a, b) => ((SEV_RANK[a.severity] ?? 4) - (SEV_RANK[b.severity] ?? 4)) ||
    (new Date(b.started_at) - new Date(a.started_at));

  // waitsFor says what the school still owes on a: 'returned' (report
  // again), 'receipt' (acknowledge receipt) or 'report'; '' for nothing.
  H.waitsFor = function (a, who, rules) {
    if (!H.isOpen(a) || a.handling === 'reported') return '';
    const steps = H.offered(a, who, rules);
    if (a.handling === 'returned' && steps.includes('report')) return 'returned';
    if (steps.includes('ack')) return 'receipt';
    if (steps.includes('report')) return 'report';
    return '';
  };

  // todo is a school's to-do list: its open alerts that wait for its
  // receipt or report, those sent back first, then by severity, newest
  // first.
  H.todo = function (alerts, school, who, rules) {
    const rank = { returned: 0, receipt: 1, report: 1 };
    return alerts
      .filter((a) => a.school === school)
      .map((a) => ({ a, w: H.waitsFor(a, who, rules) }))
      .filter((x) => x.w)
      .sort((x, y) => (rank[x.w] - rank[y.w]) || bySeverityNewest(x.a, y.a))
      .map((x) => x.a);
  };

  // awaiting is an agency's verification queue (待复核): the open alerts it
  // owns (an administrator: all) on which a report waits, oldest report
  // first.
  H.awaiting = function (alerts, who, rules) {
    return alerts
      .filter((a) => H.isOpen(a) && a.handling === 'reported' && (who.admin || (who.agency !== '' && H.ownerOf(a, rules) === who.agency)))
      .sort((a, b) => new Date(a.reported_at || a.updated_at) - new Date(b.reported_at || b.updated_at));
  };

  // errorLines is an API refusal in both languages, Chinese first:
  // {zh, en}. The API's own message when it sent one (as {"error": {...}}
  // or at the top level), else the dictionary's for the status; both(key)
  // returns a label's {zh, en}.
  H.errorLines = function (err, both) {
    const body = err && err.body;
    const e = body && (body.error && typeof body.error === 'object' ? body.error : body);
    if (e && (e.message_zh || e.message_en)) {
      return { zh: e.message_zh || e.message_en, en: e.message_en || e.message_zh };
    }
    const key = { 400: 'handling.error_bad_request', 403: 'handling.error_forbidden', 404: 'handling.error_gone', 409: 'handling.error_conflict' }[err && err.status];
    if (key) return both(key);
    const text = (err && err.message) || String(err);
    return { zh: text, en: text };
  };
})(globalThis.CG);
