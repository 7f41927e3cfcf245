package main

import (
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/dashboards/api"
	"github.com/campusguard/campusguard/dashboards/auth"
	"github.com/campusguard/campusguard/dashboards/web"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest"
)

// setupAccess builds the HTTP API and, unless --no-auth, the login and
// API-token access control in front of it. The audit log goes to the log
// and, through the spool, to InfluxDB's audit measurement.
func setupAccess(c *runConfig, a *app, reg *devices.Registry, live *liveRegistry, history ingest.Appender,
	clk engine.Clock, log zerolog.Logger, prom prometheus.Registerer) error {
	ao := api.Options{Registry: live.Load, Alerts: a.alerting.Manager(), Compliance: a.alerting.Compliance(),
		AlarmTests: a.alerting.AlarmTests(),
		Clock:      clk.Now, Logger: log, Registerer: prom}
	switch {
	case c.Users != "":
		users, err := auth.Load(c.Users, reg)
		if err != nil {
			return err
		}
		// The log gets every audit event at once; InfluxDB gets them
		// through a bounded queue, so a full spool never holds up a login,
		// an acknowledgement or a resolution (a.auditQ.Run drains it).
		q, err := auth.NewAuditQueue(auth.LineProtocolAuditor{Append: func(ctx context.Context, rec []byte) {
			history.Append(ctx, rec, func(error) {})
		}}, 0, log, prom)
		if err != nil {
			return err
		}
		a.auditQ = q
		var refresh func() bool
		if c.UsersPoll > 0 {
			a.usersWatch = newUsersWatch(c, a, log, prom)
			refresh = a.usersWatch.Check
		}
		au, err := auth.New(auth.Options{
			Refresh:         refresh,
			Users:           users,
			InsecureCookies: c.InsecureCookies,
			TrustedProxies:  c.trustedProxies,
			Audit: auth.Auditors{
				auth.LogAuditor{Logger: log.With().Str("component", "audit").Logger()},
				q,
			},
			Logger:     log,
			Registerer: prom,
		})
		if err != nil {
			return err
		}
		a.auth = au
		ao.RequireViewer = true
	case c.NoAuth:
		log.Warn().Msg("--no-auth: the API and pages answer everyone as an all-seeing admin; never expose this port")
		ao.DefaultViewer = &api.Viewer{Name: "admin", Role: api.RoleAdmin}
	default:
		return errors.New("run: --users is required (users and API tokens, see docs/access.md), or --no-auth for local testing")
	}
	var err error
	a.api, err = api.New(ao)
	if err != nil {
		return err
	}
	a.web, err = web.New(web.Options{Logger: log, Clock: clk.Now})
	if err != nil {
		return err
	}
	a.alerting.Subscribe(a.api.Publish) // the live stream: once per change
	return nil
}

// newUsersWatch watches the users file: when its content changes it is
// loaded (a.reloadUsers, the users half of a SIGHUP reload) or, if
// invalid, refused with the previous users kept; both are counted.
func newUsersWatch(c *runConfig, a *app, log zerolog.Logger, prom prometheus.Registerer) *auth.FileWatcher {
	reloads := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "campusguard_users_file_reloads_total",
		Help: "Loads of the users file after it changed on disk, by result (loaded; refused: invalid, the previous users kept)."},
		[]string{"result"})
	prom.MustRegister(reloads)
	ulog := log.With().Str("component", "users-watch").Logger()
	return auth.NewFileWatcher(c.Users, func() {
		if err := a.reloadUsers(ulog); err != nil {
			reloads.WithLabelValues("refused").Inc()
			ulog.Error().Err(err).Str("users", c.Users).Msg("users file changed but is invalid: not loaded, keeping the previous users and tokens / 用户文件有误，未加载，沿用原用户")
			return
		}
		reloads.WithLabelValues("loaded").Inc()
	})
}
