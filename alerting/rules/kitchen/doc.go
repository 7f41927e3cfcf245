// Package kitchen owns the bright-kitchen rules of docs/rules.md (互联网+明厨亮灶):
// kitchen_cam_offline, kitchen_cam_occluded, kitchen_violation and
// kitchen_repeat, for the AI cameras (kind kitchencam) of every school with
// a kitchen. It keeps, per camera and operating window, how long the camera
// was watched and how long it was offline, not streaming or frozen, so
// compliance can compute the kitchen-camera online rate (State.OnlineStats).
//
// Every violation it raises carries a rectification deadline by tier
// (Condition.DueAt); tier-1/2 detections of one category at one camera
// within the grouping window are one alert; detections below the minimum
// AI confidence raise nothing and are only counted
// (campusguard_kitchen_low_confidence_violations_total).
//
// It decides when a condition holds or clears; it does not own the alert
// lifecycle (kitchen_overdue is raised there from Condition.DueAt, and
// closing a violation is the handling loop's), and it touches no storage,
// network or clock of its own.
package kitchen
