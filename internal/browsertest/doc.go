// Package browsertest drives headless Chromium for the browser tests of
// the boards: it starts the browser, opens a tab per user (each in a
// browser context of its own), logs in through the login page, waits on
// JavaScript conditions with generous deadlines (never on elapsed time),
// measures main-thread long tasks in the page, and saves a screenshot
// when a step fails. Any uncaught exception of the page's scripts fails
// the test.
//
// It is only imported by tests; it owns no product behaviour.
package browsertest
