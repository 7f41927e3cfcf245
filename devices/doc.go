// Package devices owns campusguard's model of the world it watches: the
// registry of regions, schools, devices, guard rosters, posts, kitchens and
// calendars, loaded from strict YAML (and bulk CSV), and the normalized event
// vocabulary every device kind speaks (kinds, channels, event types and their
// fields).
//
// Load and Parse read a registry strictly (unknown or duplicate keys,
// dangling references and inconsistent windows or calendars are errors that
// name file, line and field path); ImportCSV builds one from spreadsheets;
// Generate makes a deterministic demo registry of 承德 (GenerateEach and
// SchoolWriter write one of any size school by school). Load streams a YAML
// registry's schools in batches (no whole-document node tree unless there is
// an error to report) and also reads the compiled binary form WriteCompiled
// writes (campusguard registry compile), told apart by its magic bytes; a
// loaded registry shares its repeated strings and equal window lists, which
// are read-only. School days and
// windows are evaluated in Asia/Shanghai (School.IsSchoolDay, which folds in
// closures, and School.WindowsOn, which applies seasonal timetables).
//
// Calendar data are files, not code: the national public-holiday table one
// file a year and the default terms under calendars/ (embedded; see
// NationalHolidays, ShippedCalendar), plus the files a registry names in
// holiday_files. Subpackage lunarholidays drafts next year's file from
// github.com/6tail/lunar-go; the service never reads it.
//
// It is the bottom of the dependency graph: ingest, alerting and dashboards
// import it; it imports none of them and knows nothing of MQTT or InfluxDB
// clients.
package devices
