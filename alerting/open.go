package alerting

// OpenViolation reports whether a counts as an open kitchen violation
// (未整改违规): a kitchen_violation alert of any tier that nobody has
// closed yet, whatever its handling (acknowledged, received, reported and
// waiting for review, sent back, cleared), with a deadline or without one
// (alerts stored before every tier had one). It is the one definition of
// "open" behind the market board's count (the API marks such alerts
// open_violation) and the monthly report's open_rectifications, so the
// two never disagree. Overdue alerts (kitchen_overdue) and repeats are
// not violations of their own: they are counted apart.
func OpenViolation(a *Alert) bool { return a.Rule == KitchenViolation && a.Open() }
