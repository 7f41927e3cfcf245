// Package schedule owns the duty semantics that the guard rules
// (alerting/rules/guard) and the compliance measures (alerting/compliance)
// share, so that "alerting" and "compliant" cannot disagree:
//
//   - which protection-post windows apply on a date (every post with a
//     minimum staffing, and the main gate), their lead time and alert point;
//   - who counts as present at a post at an instant (a Stay: from a
//     check-in until the check-out, the next check-in of the same person at
//     the same post, or MaxAge after the check-in), and who counts for a
//     window (checked in no earlier than the window's lead time);
//   - who counts as a licensed guard on duty (role guard, on the school's
//     roster with a licence valid on the date; a school without a roster
//     has its guard staffing "not judged");
//   - when a guard shortfall becomes a lapse (it lasts longer than the
//     handover gap).
//
// schedule is pure: it holds no state, reads no clock and fires nothing;
// callers hand it the stays they recorded and the instant they judge.
package schedule
