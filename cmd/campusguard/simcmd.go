package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/devices/sim"
)

func cmdSim(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	regPath := fs.String("registry", "var/registry.yaml", "registry YAML file")
	brokerURL := fs.String("broker", "tcp://127.0.0.1:1883", "MQTT broker URL")
	speed := fs.Float64("speed", 1, "virtual time speed-up")
	rate := fs.Float64("rate", 0, "extra uniform load in messages/s (load generator)")
	clients := fs.Int("clients", 4, "MQTT connections to publish over")
	var faults stringList
	fs.Var(&faults, "fault", "fault to inject (repeatable), e.g. post_unstaffed:cd-0002:main-gate")
	plan := fs.String("plan", sim.PlanNone, "scripted fault plan from the start: demo (docs/dashboards.md) or none")
	logFormat := fs.String("log-format", "auto", "log format: auto, json or console")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := newLogger(stderr, *logFormat, "info")
	if err != nil {
		return err
	}
	reg, err := devices.Load(*regPath)
	if err != nil {
		return err
	}
	start := time.Now()
	fl, err := simFaults(reg, faults, *plan, start, log)
	if err != nil {
		return err
	}
	pub, err := sim.NewMQTTPublisher(*brokerURL, *clients, 1)
	if err != nil {
		return err
	}
	defer pub.Close()
	if err := pub.Connect(ctx); err != nil {
		return err
	}
	s, err := sim.New(sim.Options{Registry: reg, Start: start, Speed: *speed, Rate: *rate, Faults: fl, Logger: log,
		Registerer: prometheus.NewRegistry()}, pub)
	if err != nil {
		return err
	}
	return s.Run(ctx)
}

// simFaults parses the --sim-fault / -fault values and appends the named
// fault plan placed at start (the simulator's virtual start), logging the
// plan's steps.
func simFaults(reg *devices.Registry, faults []string, plan string, start time.Time, log zerolog.Logger) ([]sim.Fault, error) {
	var fl []sim.Fault
	for _, s := range faults {
		f, err := sim.ParseFault(s)
		if err != nil {
			return nil, fmt.Errorf("fault: %w", err)
		}
		fl = append(fl, f)
	}
	p, err := sim.NamedPlan(plan, reg)
	if err != nil {
		return nil, err
	}
	if len(p) > 0 {
		log.Info().Str("plan", plan).Int("faults", len(p)).Msg("simulator fault plan from now on (off: --sim-plan none, make run FAULTS=0) / 模拟故障计划")
		for _, line := range strings.Split(strings.TrimRight(p.String(), "\n"), "\n") {
			log.Info().Str("plan", plan).Msg(line)
		}
		fl = append(fl, p.Faults(start)...)
	}
	return fl, nil
}
