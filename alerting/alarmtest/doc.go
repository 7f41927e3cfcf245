// Package alarmtest owns alarm test windows (报警测试登记): the one-off
// windows a school registers in advance (HTTP API, school board), kept in
// a bbolt file so they survive a restart, and the recurring ones of the
// registry (devices.AlarmTestSchedule). A panic press inside a window for
// its school and terminal is a test, not a P0.
//
// It also owns the one answer to "was this a successful alarm test?"
// (Classify), asked by the alarm rules (alarm_test_overdue) and by
// compliance (alarm_link: tested within 30 days), so the two cannot
// disagree, and the record of each test (Recorder: log line, metric
// campusguard_alarm_tests_total{outcome}, an InfluxDB point).
//
// It never raises or resolves alerts itself and knows nothing of HTTP.
package alarmtest
