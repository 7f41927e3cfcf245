// Package auth owns who may use campusguard's web pages and HTTP API: the
// users and API tokens of users.yaml, password login with server-side
// sessions, CSRF and cross-origin protection, login rate limiting and the
// audit log of logins and of the actions people take on alerts.
//
// Its Middleware resolves every request to an api.Viewer (role,
// jurisdiction, audiences) and puts it into the request context with
// api.WithViewer; the handlers behind it (dashboards/api, dashboards/web)
// cut their answers to that viewer. Anonymous requests never reach them,
// except for the public paths /login, /static/, /healthz, /readyz and
// /metrics.
//
// Wiring, in cmd:
//
//	q, err := auth.NewAuditQueue(auth.LineProtocolAuditor{Append: ...}, 0, log, reg) // g.Go(q.Run)
//	au, err := auth.New(auth.Options{Users: users, Audit: auth.Auditors{auth.LogAuditor{Logger: log}, q}, ...})
//	mux.Handle("POST /login", au.LoginHandler())   // GET /login is the web package's page
//	mux.Handle("POST /logout", au.LogoutHandler())
//	mux.Handle("GET /api/v1/session", au.SessionHandler())
//	mux.Handle("/api/v1/", apiHandler)             // api.Options.RequireViewer = true
//	srv.Handler = au.Middleware(mux)
//	// on SIGHUP or when WatchFile sees the file change:
//	// users, err := auth.Load(path, reg); if err == nil { au.SetUsers(users) }
//
// Sessions live in memory: a restart logs everyone out. The package starts
// no goroutine of its own except one per open event stream, which ends with
// its request; an AuditQueue's Run is the caller's to start and wait for. It never touches MQTT, InfluxDB or the spool: audit records
// leave through the Auditor it is given. docs/access.md is the operator's
// guide.
package auth
