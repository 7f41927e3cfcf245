// Package guard owns the rules of guards and school-protection posts
// (docs/rules.md "Guards" and "School-protection posts"): guard_understaffed,
// guardroom_unmanned, guard_unlicensed, guard_license_expiring,
// patrol_shortfall, post_unstaffed, post_understaffed and post_left_early.
// It reads the check-ins, check-outs and patrol checkpoints of guard
// terminals (kind guard) and reports Conditions through engine.Ctx. What a
// window, presence, a licence and a handover mean it takes from package
// schedule, which compliance shares, so the rules and the compliance
// measures judge alike. It keeps its per-school state in plain structs,
// uses only the engine clock and deadlines, and never touches other
// modules, storage or notification.
package guard
