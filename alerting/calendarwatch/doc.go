// Package calendarwatch warns before a school calendar runs out: a calendar
// in use whose terms or national public-holiday data end within WarnDays
// (60) days logs a warning (at start, on every registry reload and once a
// day), shows in the gauge campusguard_calendar_days_left{calendar}, and
// raises the city-wide P3 alert calendar_expiring for the education bureau
// (and admins). The alert resolves when a registry reload extends the
// calendar (next year's holiday file, new terms).
//
// It owns only that check; the calendar data and its meaning are package
// devices', the alert's life is the lifecycle's.
package calendarwatch
