package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/compliance"
	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/alerting/notify"
	"github.com/campusguard/campusguard/alerting/rules/access"
	"github.com/campusguard/campusguard/alerting/rules/alarm"
	"github.com/campusguard/campusguard/alerting/rules/guard"
	"github.com/campusguard/campusguard/alerting/rules/kitchen"
	"github.com/campusguard/campusguard/alerting/rules/school"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest"
)

// alertingApp is the running alerting side: engine → lifecycle → (history,
// notifications, live stream), plus compliance.
type alertingApp struct {
	engine     *engine.Engine
	manager    *lifecycle.Manager
	store      *lifecycle.BoltStore
	compliance *compliance.Store
	dispatcher *notify.Dispatcher
	changes    *fifo[lifecycle.Change]
	conds      *fifo[alerting.Condition]
	onChange   []func(lifecycle.Change) // extra consumers (the API's live stream)
	inflight   atomic.Int64             // conditions and changes queued or being handled
}

// pushCond queues a condition for the lifecycle (the engine's sink).
func (a *alertingApp) pushCond(c alerting.Condition) {
	a.inflight.Add(1)
	a.conds.Push(c)
}

// pushChange queues a lifecycle change for its consumers.
func (a *alertingApp) pushChange(ch lifecycle.Change) {
	a.inflight.Add(1)
	a.changes.Push(ch)
}

// idle reports whether every queued condition and change has been handled
// (tests wait for it).
func (a *alertingApp) idle() bool { return a.inflight.Load() == 0 }

// alertingDeps is what the alerting side needs from the rest of run.
type alertingDeps struct {
	cfg       *runConfig
	reg       *devices.Registry
	brokerURL string
	history   ingest.Appender // the spool: alert history and compliance go to InfluxDB through it
	clock     engine.Clock
	log       zerolog.Logger
	prom      prometheus.Registerer
}

func newAlerting(d alertingDeps) (*alertingApp, error) {
	c := d.cfg
	rules := config.Empty()
	if c.Rules != "" {
		f, err := config.Load(c.Rules)
		if err != nil {
			return nil, err
		}
		if err := f.CheckRegistry(d.reg); err != nil {
			return nil, err
		}
		rules = f
	}
	params := func(region, school string) *config.Params { return rules.Resolve(region, school) }
	regionOf := func(id string) string {
		if s, ok := d.reg.School(id); ok {
			return s.Region
		}
		return ""
	}
	if err := os.MkdirAll(c.StateDir, 0o755); err != nil {
		return nil, fmt.Errorf("state-dir: %w", err)
	}
	store, err := lifecycle.OpenBolt(filepath.Join(c.StateDir, "alerts.db"))
	if err != nil {
		return nil, err
	}
	a := &alertingApp{store: store, changes: newFIFO[lifecycle.Change](), conds: newFIFO[alerting.Condition]()}
	now := d.clock.Now()
	a.manager, err = lifecycle.Open(lifecycle.Options{
		Store:      store,
		Clock:      d.clock,
		Params:     func(school string) *config.Params { return params(regionOf(school), school) },
		Region:     regionOf,
		StartedAt:  now,
		OnChange:   a.pushChange,
		Logger:     d.log,
		Registerer: d.prom,
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	a.compliance = compliance.NewStore(d.reg, func(school string, rules ...alerting.RuleID) []alerting.Alert {
		return a.manager.List(lifecycle.Filter{Schools: []string{school}, Rules: rules,
			States: []alerting.State{alerting.Firing, alerting.Acknowledged}})
	})
	a.compliance.Now = d.clock.Now
	a.engine, err = engine.New(engine.Options{
		Registry: d.reg,
		Modules: []engine.Module{alarm.New(), access.New(), guard.New(), kitchen.New(), school.New(),
			compliance.NewModule(a.compliance)},
		Params: params,
		// The engine never waits on the alert store: conditions queue here.
		Sink:       a.pushCond,
		Clock:      d.clock,
		Manual:     c.manualClock,
		StartedAt:  now,
		Grace:      rules.Resolve("", "").GracePeriod, // the file's defaults
		Logger:     d.log,
		Registerer: d.prom,
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	routes, nopts, err := notifyRoutes(c, d.brokerURL, d.log)
	if err != nil {
		store.Close()
		return nil, err
	}
	nopts.Logger, nopts.Registerer = d.log, d.prom
	a.dispatcher, err = notify.NewDispatcher(nopts, routes)
	if err != nil {
		store.Close()
		return nil, err
	}
	return a, nil
}

// notifyRoutes builds the receivers: the MQTT alert topic on the ingest
// broker (every alert, design.md) plus the routes of the --notify file.
func notifyRoutes(c *runConfig, brokerURL string, log zerolog.Logger) ([]notify.Route, notify.Options, error) {
	opts := notify.Defaults()
	var routes []notify.Route
	if c.Notify != "" {
		f, err := notify.LoadConfig(c.Notify)
		if err != nil {
			return nil, opts, err
		}
		opts = f.Options()
		routes, err = f.Build(notify.BuildOptions{Logger: log})
		if err != nil {
			return nil, opts, err
		}
	}
	mo := notify.MQTTDefaults()
	mo.Broker, mo.ClientID, mo.Username, mo.Password = brokerURL, c.MQTTClientID+"-alerts", c.MQTTUser, notify.Secret(c.MQTTPassword)
	mo.CAFile, mo.CertFile, mo.KeyFile, mo.InsecureSkipVerify = c.MQTTCAFile, c.MQTTCertFile, c.MQTTKeyFile, c.MQTTInsecure
	mo.Logger = log
	mq, err := notify.NewMQTTNotifier(mo)
	if err != nil {
		return nil, opts, err
	}
	routes = append(routes, notify.Route{Name: "mqtt-alert-topic", Notifier: mq})
	return routes, opts, nil
}

// notifiable says which lifecycle changes reach people: the lifecycle's
// policy (lifecycle.Notifiable: not quiet updates, not what a silence or
// inhibition holds back; a repeated panic press does).
func notifiable(ch lifecycle.Change) bool { return lifecycle.Notifiable(ch) }

// run starts the engine, the lifecycle feeders, the dispatcher and the
// periodic jobs in g.
func (a *alertingApp) run(ctx context.Context, g *errgroup.Group, d alertingDeps) {
	done := ctx.Done()
	g.Go(func() error { return a.engine.Run(ctx) })
	g.Go(func() error { return a.dispatcher.Run(ctx) })
	// Conditions → lifecycle (stores each change before reporting it).
	g.Go(func() error {
		for {
			batch, ok := a.conds.Drain(done)
			if !ok {
				return nil
			}
			for _, c := range batch {
				a.manager.Apply(c)
				a.inflight.Add(-1)
			}
		}
	})
	// Changes → history in InfluxDB (through the spool), notifications,
	// live stream.
	g.Go(func() error {
		for {
			batch, ok := a.changes.Drain(done)
			if !ok {
				return nil
			}
			for _, ch := range batch {
				rec := ch.Alert.AppendLineProtocol(nil, ch.Event, ch.Alert.UpdatedAt)
				d.history.Append(ctx, rec, func(err error) {
					if err != nil && ctx.Err() == nil {
						d.log.Error().Err(err).Str("alert", ch.Alert.ID).Msg("alert history not stored")
					}
				})
				if notifiable(ch) {
					a.dispatcher.Send(notify.Notification{Alert: ch.Alert, Event: ch.Event})
				}
				for _, f := range a.onChange {
					f(ch)
				}
				a.inflight.Add(-1)
			}
		}
	})
	// Escalation, reminders, overdue, silence expiry; compliance rows.
	g.Go(func() error {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		lastRow := time.Time{}
		var lastDay devices.Date
		for {
			select {
			case <-done:
				return nil
			case <-tick.C:
			}
			now := d.clock.Now()
			a.manager.Tick(now)
			if now.Sub(lastRow) >= time.Minute {
				lastRow = now
				today := devices.DateOf(now)
				days := []devices.Date{today}
				if !lastDay.IsZero() && lastDay != today {
					days = []devices.Date{lastDay, today} // the finished day's final figures
				}
				lastDay = today
				for _, day := range days {
					for _, rec := range chunkLines(a.compliance.LineProtocol(day, now), 256<<10) {
						d.history.Append(ctx, rec, func(error) {})
					}
				}
			}
		}
	})
}

// close releases the alert store.
func (a *alertingApp) close() { _ = a.store.Close() }

// chunkLines splits line protocol into records of at most max bytes (a
// spool record is bounded), cutting only between lines.
func chunkLines(b []byte, max int) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		if len(b) <= max {
			return append(out, b)
		}
		cut := bytes.LastIndexByte(b[:max], '\n')
		if cut < 0 {
			cut = bytes.IndexByte(b, '\n')
			if cut < 0 {
				return append(out, b)
			}
		}
		out = append(out, b[:cut+1])
		b = b[cut+1:]
	}
	return out
}
