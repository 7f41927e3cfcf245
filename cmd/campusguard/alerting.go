package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting/compliance/influxhistory"
	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/alerting/notify"
	"github.com/campusguard/campusguard/alerting/service"
	"github.com/campusguard/campusguard/devices"
)

// newAlerting builds the alerting service from the flags: the rules file,
// the alert store and the alarm test windows in --state-dir, the notification routes (the MQTT alert
// topic on the ingest broker plus the --notify file). The caller closes the
// store after the service's Run returns.
func newAlerting(c *runConfig, reg *devices.Registry, brokerURL string, history service.HistoryAppender,
	clk engine.Clock, log zerolog.Logger, prom prometheus.Registerer) (*service.Service, *lifecycle.BoltStore, error) {
	var rules *config.File
	if c.Rules != "" {
		f, err := config.Load(c.Rules)
		if err != nil {
			return nil, nil, err
		}
		rules = f
	}
	routes, nopts, err := notifyRoutes(c, brokerURL, log)
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(c.StateDir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("state-dir: %w", err)
	}
	store, err := lifecycle.OpenBolt(filepath.Join(c.StateDir, "alerts.db"))
	if err != nil {
		return nil, nil, err
	}
	// Compliance days are read back from the InfluxDB they are written to,
	// so a restart keeps yesterday, the week and the term.
	hist, err := influxhistory.New(influxhistory.Options{URL: c.InfluxURL, Token: c.InfluxToken, Org: c.InfluxOrg, Bucket: c.InfluxBucket})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	svc, err := service.New(service.Options{
		Registry: reg, Rules: rules, Store: store, History: history, ComplianceHistory: hist,
		AlarmTestsPath: filepath.Join(c.StateDir, "alarmtests.db"),
		Routes:         routes, Notify: nopts,
		Clock: clk, ManualClock: c.manualClock,
		Logger: log, Registerer: prom,
	})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return svc, store, nil
}

// notifyRoutes builds the receivers: the MQTT alert topic on the ingest
// broker (every alert, docs/alerts.md) plus the routes of the --notify file.
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
