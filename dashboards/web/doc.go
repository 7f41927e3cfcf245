// Package web owns campusguard's web UI: the login page and the boards of
// each role (police, education bureau, market regulation, school), the
// printable kitchen audit report and the silences page. docs/dashboards.md
// describes them.
//
// Every page is a small HTML shell rendered from embedded templates plus
// plain JavaScript (no build step, no external resource: the machines
// have no internet) that reads the HTTP API under /api/v1/ and its event
// stream. The API's own filtering by viewer is what protects the data:
// the pages carry none of it.
//
// web does not authenticate: the auth middleware in front of Handler
// redirects anonymous users to /login and puts the api.Viewer into the
// request context, which web reads only to pick a board for "/". It
// starts no goroutine and touches no alerting state.
package web
