// Package kitchen owns the bright-kitchen rules of domain.md (互联网+明厨亮灶):
// kitchen_cam_offline, kitchen_cam_occluded, kitchen_violation and
// kitchen_repeat, for the AI cameras (kind kitchencam) of every school with
// a kitchen. It keeps, per camera and operating window, how long the camera
// was watched and how long it was offline, not streaming or frozen, so
// compliance can compute the kitchen-camera online rate (State.OnlineStats).
//
// It decides when a condition holds or clears; it does not own the alert
// lifecycle (kitchen_overdue is raised there from Condition.DueAt), and it
// touches no storage, network or clock of its own.
package kitchen
