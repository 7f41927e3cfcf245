package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/devices/lunarholidays"
)

func cmdRegistry(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("registry: want gen, check, compile, import, acl or holidays")
	}
	switch args[0] {
	case "gen":
		return registryGen(args[1:], stdout, stderr)
	case "check":
		return registryCheck(args[1:], stdout, stderr)
	case "compile":
		return registryCompile(args[1:], stdout, stderr)
	case "import":
		return registryImport(args[1:], stdout, stderr)
	case "acl":
		return registryACL(args[1:], stdout, stderr)
	case "holidays":
		return registryHolidays(args[1:], stdout, stderr)
	}
	return fmt.Errorf("registry: unknown subcommand %q (want gen, check, compile, import, acl or holidays)", args[0])
}

func registryGen(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("registry gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "-", "output file (- for stdout)")
	schools := fs.Int("schools", 0, "number of schools (0: the whole of 承德, about 1,600)")
	seed := fs.Uint64("seed", 1, "random seed (the same seed gives the same registry)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return writeRegistryStream(*out, stdout, func(w io.Writer) error {
		return genRegistry(w, devices.GenerateOptions{Schools: *schools, Seed: *seed})
	})
}

// genRegistry writes the generated registry school by school, checking each
// as it goes (ids are unique across schools by construction), so that its
// memory does not grow with the number of schools.
func genRegistry(w io.Writer, opts devices.GenerateOptions) error {
	head := devices.GenerateHead()
	sw, err := devices.NewSchoolWriter(w, head)
	if err != nil {
		return err
	}
	one := *head
	err = devices.GenerateEach(opts, func(s *devices.School) error {
		one.Schools = []devices.School{*s}
		one.Index()
		if err := one.Validate(); err != nil {
			return fmt.Errorf("registry gen: generated school %s is invalid (a bug): %w", s.ID, err)
		}
		return sw.Write(s)
	})
	if err != nil {
		return err
	}
	return sw.Close()
}

// writeRegistryStream runs write into out ("-": stdout), through a
// temporary file renamed into place only when write succeeded.
func writeRegistryStream(out string, stdout io.Writer, write func(io.Writer) error) error {
	if out == "-" {
		return write(stdout)
	}
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, out)
}

func registryCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("registry check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("registry check: want one file")
	}
	reg, err := devices.Load(fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok — %d regions, %d schools, %d devices / 校验通过\n",
		fs.Arg(0), len(reg.Regions), len(reg.Schools), reg.DeviceCount())
	return nil
}

// registryCompile writes the compiled binary form of a registry (YAML or
// compiled) after loading and checking it: a million-device registry loads
// from it in seconds (docs/registry.md).
func registryCompile(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("registry compile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: campusguard registry compile <in.yaml> <out>")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return errors.New("registry compile: want <in.yaml> <out>")
	}
	reg, err := devices.Load(fs.Arg(0))
	if err != nil {
		return err
	}
	if err := writeRegistryStream(fs.Arg(1), stdout, reg.WriteCompiled); err != nil {
		return fmt.Errorf("registry compile: %w", err)
	}
	fmt.Fprintf(stderr, "%s: compiled %d schools, %d devices\n", fs.Arg(1), len(reg.Schools), reg.DeviceCount())
	return nil
}

func registryImport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("registry import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	schools := fs.String("schools", "", "schools CSV (id,name,region,type,pupils,boarders[,calendar,address,contact_name,contact_phone])")
	devs := fs.String("devices", "", "devices CSV (id,school,kind,location,heartbeat_s,post,kitchen,gate)")
	guards := fs.String("guards", "", "optional guard rosters CSV (school,id,company,license,license_expires); without it rosters stay empty and guard staffing is not judged")
	out := fs.String("o", "-", "output YAML (- for stdout)")
	calendar := fs.String("calendar", "", "calendar id of the schools whose calendar cell is empty (or of all schools when there is no calendar column); required unless every school names one. Shipped: "+strings.Join(devices.ShippedCalendarIDs(), ", "))
	var calFiles []string
	fs.Func("calendar-file", "a calendar file (devices/calendars/terms format) whose id the CSV or --calendar may name; repeatable", func(s string) error {
		calFiles = append(calFiles, s)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *schools == "" || *devs == "" {
		return errors.New("registry import: -schools and -devices are required")
	}
	opts := devices.ImportOptions{Calendar: *calendar}
	for _, f := range calFiles {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("registry import: %w", err)
		}
		c, err := devices.ParseCalendarFile(f, data)
		if err != nil {
			return err
		}
		opts.Calendars = append(opts.Calendars, *c)
	}
	sf, err := os.Open(*schools)
	if err != nil {
		return err
	}
	defer sf.Close()
	df, err := os.Open(*devs)
	if err != nil {
		return err
	}
	defer df.Close()
	reg, err := devices.ImportCSV(sf, df, opts)
	if err != nil {
		return err
	}
	if *guards != "" {
		gf, err := os.Open(*guards)
		if err != nil {
			return err
		}
		defer gf.Close()
		if err := devices.ImportGuardsCSV(reg, gf); err != nil {
			return err
		}
	}
	return writeRegistry(reg, *out, stdout)
}

func writeRegistry(reg *devices.Registry, out string, stdout io.Writer) error {
	var buf bytes.Buffer
	if err := reg.WriteYAML(&buf); err != nil {
		return err
	}
	if out == "-" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

// registryHolidays writes a year's public-holiday file from the table of
// github.com/6tail/lunar-go, for the operator to check against the State
// Council's notice before adding it to holiday_files (docs/calendar.md).
func registryHolidays(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("registry holidays", flag.ContinueOnError)
	fs.SetOutput(stderr)
	year := fs.Int("year", 0, "the year of the notice (e.g. 2027)")
	out := fs.String("o", "-", "output file (- for stdout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *year == 0 {
		return errors.New("registry holidays: -year is required")
	}
	y, ok, err := lunarholidays.Year(*year)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("registry holidays: lunar-go has no public holidays for %d: type the file from the notice (docs/calendar.md)", *year)
	}
	data, err := lunarholidays.Marshal(y)
	if err != nil {
		return err
	}
	if _, err := devices.ParseHolidayFile("generated", data); err != nil {
		return fmt.Errorf("registry holidays: lunar-go's %d does not pass the checks: %w", *year, err)
	}
	if *out == "-" {
		_, err := stdout.Write(data)
		return err
	}
	return os.WriteFile(*out, data, 0o644)
}
