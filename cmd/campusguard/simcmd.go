package main

import (
	"context"
	"flag"
	"fmt"
	"io"

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
	var fl []sim.Fault
	for _, s := range faults {
		f, err := sim.ParseFault(s)
		if err != nil {
			return fmt.Errorf("fault: %w", err)
		}
		fl = append(fl, f)
	}
	pub, err := sim.NewMQTTPublisher(*brokerURL, *clients, 1)
	if err != nil {
		return err
	}
	defer pub.Close()
	if err := pub.Connect(ctx); err != nil {
		return err
	}
	s, err := sim.New(sim.Options{Registry: reg, Speed: *speed, Rate: *rate, Faults: fl, Logger: log,
		Registerer: prometheus.NewRegistry()}, pub)
	if err != nil {
		return err
	}
	return s.Run(ctx)
}
