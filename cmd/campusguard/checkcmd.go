package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/campusguard/campusguard/alerting/config"
	"github.com/campusguard/campusguard/alerting/notify"
	"github.com/campusguard/campusguard/devices"
)

// cmdCheck validates the registry, the rules file and the notifications
// file without starting anything (for CI of a deployment's configuration
// and before a SIGHUP).
func cmdCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	regPath := fs.String("registry", "var/registry.yaml", "registry YAML file")
	rulesPath := fs.String("rules", "", "rules file (optional)")
	notifyPath := fs.String("notify", "", "notifications file (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("check: unexpected arguments %q", fs.Args())
	}
	var errs []error
	reg, err := devices.Load(*regPath)
	if err != nil {
		errs = append(errs, err)
	} else {
		fmt.Fprintf(stdout, "%s: ok — %d regions, %d schools, %d devices / 登记册校验通过\n",
			*regPath, len(reg.Regions), len(reg.Schools), reg.DeviceCount())
	}
	if *rulesPath != "" {
		f, err := config.Load(*rulesPath)
		if err == nil && reg != nil {
			err = f.CheckRegistry(reg)
		}
		if err != nil {
			errs = append(errs, err)
		} else {
			fmt.Fprintf(stdout, "%s: ok / 规则文件校验通过\n", *rulesPath)
		}
	}
	if *notifyPath != "" {
		c, err := notify.LoadConfig(*notifyPath)
		if err == nil {
			_, err = c.Build(notify.BuildOptions{})
		}
		if err != nil {
			errs = append(errs, err)
		} else {
			fmt.Fprintf(stdout, "%s: ok / 通知配置校验通过\n", *notifyPath)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return nil
}
