package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/calendarwatch"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/service"
	"github.com/campusguard/campusguard/dashboards/api"
	"github.com/campusguard/campusguard/dashboards/auth"
	"github.com/campusguard/campusguard/dashboards/web"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/devices/sim"
	"github.com/campusguard/campusguard/ingest/broker"
	"github.com/campusguard/campusguard/ingest/decode"
	"github.com/campusguard/campusguard/ingest/influx"
	"github.com/campusguard/campusguard/ingest/mqtt"
	"github.com/campusguard/campusguard/ingest/spool"
)

func cmdRun(ctx context.Context, args []string, stderr io.Writer) error {
	c, err := parseRunConfig(args, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(stderr, c.LogFormat, c.LogLevel)
	if err != nil {
		return err
	}
	return run(ctx, c, log, nil)
}

// started is called once every component is wired and serving (tests use
// it to learn the bound addresses).
type started func(a *app)

// app is the running process: what tests and the HTTP handlers look at.
type app struct {
	cfg       *runConfig
	reg       *liveRegistry
	broker    *broker.Broker
	sub       *mqtt.Subscriber // the main session
	ingest    *ingestSessions  // the main and the alarm session (ingestlane.go)
	spool     *spool.Spool
	writer    *influx.Writer
	http      *httpServer
	promReg   *prometheus.Registry
	brokerURL string
	alerting  *service.Service
	api       *api.API
	auth      *auth.Auth
	auditQ    *auth.AuditQueue // audit events on their way to the spool
	web       *web.Web
	calendars *calendarwatch.Watcher // calendar_expiring: checked at start, on reload and daily
	reloadMu  sync.Mutex             // one reload (SIGHUP or users file change) at a time
	// usersWatch reloads the users file when it changes (nil: --no-auth or --users-poll 0).
	usersWatch *auth.FileWatcher
}

func run(ctx context.Context, c *runConfig, log zerolog.Logger, onStart started) error {
	return runWithClock(ctx, c, log, onStart, wallClock{})
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// runWithClock is run with the alerting side's clock injected (tests drive
// a fake one).
func runWithClock(ctx context.Context, c *runConfig, log zerolog.Logger, onStart started, clk engine.Clock) error {
	reg, err := devices.Load(c.Registry)
	if err != nil {
		return err
	}
	live := newLiveRegistry(reg)
	log.Info().Str("registry", c.Registry).Int("schools", len(reg.Schools)).Int("devices", reg.DeviceCount()).Msg("registry loaded")

	promReg := prometheus.NewRegistry()
	promReg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a := &app{cfg: c, reg: live, promReg: promReg}

	g, ctx := errgroup.WithContext(ctx)

	a.brokerURL = c.Broker
	if c.Broker == "" {
		b, err := broker.New(broker.Options{Addr: c.BrokerListen, Logger: log})
		if err != nil {
			return err
		}
		if err := b.Listen(); err != nil {
			return err
		}
		a.broker = b
		a.brokerURL = b.URL()
		g.Go(func() error { return b.Run(ctx) })
	}

	sp, err := spool.Open(spool.Options{Dir: c.SpoolDir, MaxBytes: c.SpoolMaxBytes, ReserveBytes: c.SpoolAlarmReserveBytes,
		CommitDelay:  c.SpoolCommitDelay,
		SegmentBytes: c.spoolSegmentBytes, Logger: log, Registerer: promReg})
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer sp.Close()
	a.spool = sp

	w, err := influx.New(influx.Options{
		URL: c.InfluxURL, Token: influx.Secret(c.InfluxToken), Org: c.InfluxOrg, Bucket: c.InfluxBucket,
		DeadLetterDir: c.DeadLetterDir, FlushInterval: c.InfluxFlushInterval, Logger: log, Registerer: promReg,
	}, sp)
	if err != nil {
		return err
	}
	a.writer = w

	al, store, err := newAlerting(c, reg, a.brokerURL, sp, clk, log, promReg)
	if err != nil {
		return err
	}
	defer store.Close()
	defer al.Close() // the alarm test windows' file
	a.alerting = al
	cw, err := calendarwatch.New(calendarwatch.Options{Clock: clk, Apply: al.Manager().Apply, Logger: log, Registerer: promReg,
		Enabled: func() bool { return al.Params("", "").Enabled(alerting.CalendarExpiring) }})
	if err != nil {
		return err
	}
	cw.Check(reg)
	a.calendars = cw
	if err := setupAccess(c, a, reg, live, sp, clk, log, promReg); err != nil {
		return err
	}

	dec := decode.New(live, decode.Options{MaxPayload: c.MaxPayload, MaxFuture: c.MaxFuture, MaxAge: c.MaxAge, Now: clk.Now})
	in, err := newIngest(ctx, c, a.brokerURL, dec, sp, al.Engine(), clk.Now, log, promReg)
	if err != nil {
		return err
	}
	a.ingest, a.sub = in, in.main

	hs, err := newHTTPServer(ctx, c.HTTP, a, log)
	if err != nil {
		return err
	}
	a.http = hs

	g.Go(func() error { return sp.Run(ctx) })
	g.Go(func() error { return w.Run(ctx) })
	in.run(ctx, g)
	g.Go(func() error { return hs.Run(ctx) })
	if a.auditQ != nil {
		g.Go(func() error { return a.auditQ.Run(ctx) })
	}
	g.Go(func() error { return reloadOnHUP(ctx, a, log) })
	if a.usersWatch != nil {
		log.Info().Str("users", c.Users).Dur("every", c.UsersPoll).Msg("watching the users file: user add/token take effect without a signal")
		g.Go(func() error { a.usersWatch.Run(ctx, c.UsersPoll); return nil })
	}
	g.Go(func() error { return al.Run(ctx) })
	g.Go(func() error { return cw.Run(ctx) })
	if c.PprofListen != "" {
		g.Go(func() error { return listenPprof(ctx, c.PprofListen, log) })
	}
	if c.Sim {
		if err := startSim(ctx, g, c, reg, a.brokerURL, log, promReg); err != nil {
			return err
		}
	}
	log.Info().Str("broker", a.brokerURL).Str("http", hs.Addr()).Str("influx", c.InfluxURL).
		Str("bucket", c.InfluxBucket).Str("spool", filepath.Clean(c.SpoolDir)).Msg("campusguard running")
	if onStart != nil {
		onStart(a)
	}
	return g.Wait()
}

func startSim(ctx context.Context, g *errgroup.Group, c *runConfig, reg *devices.Registry, brokerURL string, log zerolog.Logger, promReg prometheus.Registerer) error {
	start := time.Now()
	faults, err := simFaults(reg, c.SimFaults, c.SimPlan, start, log)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	pub, err := sim.NewMQTTPublisher(brokerURL, 4, 1)
	if err != nil {
		return err
	}
	s, err := sim.New(sim.Options{Registry: reg, Start: start, Speed: c.SimSpeed, Rate: c.SimRate, Faults: faults, Logger: log, Registerer: promReg}, pub)
	if err != nil {
		return err
	}
	g.Go(func() error {
		defer pub.Close()
		if err := pub.Connect(ctx); err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		return s.Run(ctx)
	})
	return nil
}

// reloadOnHUP reloads the registry (and the users) on SIGHUP.
func reloadOnHUP(ctx context.Context, a *app, log zerolog.Logger) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-hup:
			if err := a.reload(log); err != nil {
				log.Error().Err(err).Str("registry", a.cfg.Registry).Msg("registry reload refused, keeping the previous one")
			}
		}
	}
}

// reload reads the registry file (and the users file) again and swaps the
// registry everywhere, or nowhere: everything is validated first (the
// registry itself, the users file and the rules file against it), then
// alerting takes it (engine, compliance), then the decoder and the API
// (one atomic pointer), then the users. An event of a new school thus
// reaches an engine that knows it.
func (a *app) reload(log zerolog.Logger) error {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	path := a.cfg.Registry
	reg, err := devices.Load(path)
	if err != nil {
		return err
	}
	users, err := a.loadUsers(reg)
	if err != nil {
		return err
	}
	if err := a.alerting.Reload(reg); err != nil {
		return err
	}
	a.reg.Store(reg)
	a.calendars.Check(reg)
	if users != nil {
		a.auth.SetUsers(users)
	}
	log.Info().Str("registry", path).Int("schools", len(reg.Schools)).Int("devices", reg.DeviceCount()).
		Bool("users", users != nil).Msg("registry reloaded")
	return nil
}

// reloadUsers reads the users file again (the watcher calls it when the
// file changed) and swaps the users and tokens, or, if the file is
// invalid against the current registry, changes nothing. It is the users
// half of reload, under the same lock, so a SIGHUP and a change of the
// file never interleave.
func (a *app) reloadUsers(log zerolog.Logger) error {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	users, err := a.loadUsers(a.reg.Load())
	if err != nil || users == nil {
		return err
	}
	a.auth.SetUsers(users)
	log.Info().Str("users", a.cfg.Users).Msg("users file changed: users and tokens reloaded / 用户文件已重新加载")
	return nil
}

// loadUsers reads and validates the users file against reg; nil without
// access control (--no-auth).
func (a *app) loadUsers(reg *devices.Registry) (*auth.Users, error) {
	if a.auth == nil {
		return nil, nil
	}
	users, err := auth.Load(a.cfg.Users, reg)
	if err != nil {
		return nil, fmt.Errorf("users %s: %w", a.cfg.Users, err)
	}
	return users, nil
}
