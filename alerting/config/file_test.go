package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/devices"
)

// badFiles are rules files with one problem each, and the error that names
// it as "file:line: path: message" (want is a substring of the error).
var badFiles = []struct {
	name, doc, want string
}{
	{"unknown top-level key", "default:\n  heartbeat_misses: 3\n",
		`rules.yaml:1: unknown key "default" (want defaults, regions or schools)`},
	{"unknown parameter with suggestion", "defaults:\n  heartbeat_miss: 3\n",
		`rules.yaml:2: defaults: unknown key "heartbeat_miss" (did you mean "heartbeat_misses"?)`},
	{"unknown parameter in a school", "schools:\n  cd-0001:\n    post_min_staf: 3\n",
		`rules.yaml:3: schools.cd-0001: unknown key "post_min_staf" (did you mean "post_min_staff"?)`},
	{"unknown rule", "defaults:\n  rules:\n    gate_foo: {enabled: false}\n",
		`rules.yaml:3: defaults.rules: unknown rule "gate_foo"`},
	{"unknown rule in a region", "regions:\n  \"130802\":\n    rules:\n      gate_forcd: {enabled: false}\n",
		`rules.yaml:4: regions.130802.rules: unknown rule "gate_forcd" (did you mean "gate_forced"?)`},
	{"bad rule severity", "defaults:\n  rules:\n    gate_denied_burst: {enabled: true, severity: P5}\n",
		`rules.yaml:3: defaults.rules.gate_denied_burst.severity: severity must be P0, P1, P2 or P3: "P5"`},
	{"lower-case rule severity", "defaults:\n  rules:\n    gate_denied_burst:\n      severity: p1\n",
		`rules.yaml:4: defaults.rules.gate_denied_burst.severity: severity must be P0, P1, P2 or P3: "p1"`},
	{"unknown key in a rule", "defaults:\n  rules:\n    patrol_shortfall: {enable: false}\n",
		`rules.yaml:3: defaults.rules.patrol_shortfall: unknown key "enable" (want enabled or severity)`},
	{"enabled not a bool", "defaults:\n  rules:\n    patrol_shortfall: {enabled: \"no\"}\n",
		`rules.yaml:3: defaults.rules.patrol_shortfall.enabled: want true or false, got "no"`},
	{"rules is a list", "defaults:\n  rules: [gate_forced]\n",
		`rules.yaml:2: defaults.rules: want a mapping of rule ids to {enabled, severity}, got a list`},
	{"unknown severity in escalate_after", "defaults:\n  escalate_after: {P0: 60s, P4: 1h}\n",
		`rules.yaml:2: defaults.escalate_after: unknown severity "P4" (want P0, P1, P2 or P3)`},
	{"zero duration in remind_every", "defaults:\n  remind_every:\n    P0: 2m\n    P1: 0s\n",
		`rules.yaml:4: defaults.remind_every.P1: duration 0s must be positive`},
	{"negative duration", "defaults:\n  grace_period: -5m\n",
		`rules.yaml:2: defaults.grace_period: duration -5m must be positive`},
	{"negative days", "schools:\n  cd-0001:\n    alarm_test_max_age: -30d\n",
		`rules.yaml:3: schools.cd-0001.alarm_test_max_age: duration -30d must be positive`},
	{"duration without unit", "defaults:\n  held_open_after: 300\n",
		`rules.yaml:2: defaults.held_open_after: bad duration "300" (want a number and a unit: 90s, 10m, 4h, 30d)`},
	{"duration in words", "defaults:\n  held_open_after: 5 minutes\n",
		`rules.yaml:2: defaults.held_open_after: bad duration "5 minutes"`},
	{"duration is a mapping", "defaults:\n  grace_period: {m: 5}\n",
		`rules.yaml:2: defaults.grace_period: want a duration like 90s, 10m or 30d, got a mapping`},
	{"zero count", "schools:\n  cd-0001:\n    post_min_staff: 0\n",
		`rules.yaml:3: schools.cd-0001.post_min_staff: must be at least 1, got 0`},
	{"negative count", "defaults:\n  heartbeat_misses: -1\n",
		`rules.yaml:2: defaults.heartbeat_misses: must be at least 1, got -1`},
	{"count as a string", "defaults:\n  patrol_min_rounds: \"5\"\n",
		`rules.yaml:2: defaults.patrol_min_rounds: want a whole number, got "5"`},
	{"count as a float", "defaults:\n  denied_burst_count: 2.5\n",
		`rules.yaml:2: defaults.denied_burst_count: want a whole number, got float 2.5`},
	{"count overflows", "defaults:\n  denied_burst_count: 99999999999999999999\n",
		`rules.yaml:2: defaults.denied_burst_count: want a whole number, got`},
	{"time of day past midnight", "defaults:\n  patrol_none_by_noon: 24h\n",
		`rules.yaml:2: defaults.patrol_none_by_noon: must be a time of day before 24h, got 24h`},
	{"silence maximum over its hard ceiling", "defaults:\n  silence_max_duration: 3650d\n",
		`rules.yaml:2: defaults.silence_max_duration: must be at most 30d (hard ceiling), got 3650d`},
	{"drill maximum over its hard ceiling", "defaults:\n  silence_drill_max_duration: 1d\n",
		`rules.yaml:2: defaults.silence_drill_max_duration: must be at most 8h (hard ceiling), got 1d`},
	{"drill maximum longer than every silence's", "defaults:\n  silence_max_duration: 2h\n  silence_drill_max_duration: 3h\n",
		`defaults.silence_max_duration: silence_drill_max_duration (3h) must not exceed silence_max_duration (2h)`},
	{"silence maximum in a region", "regions:\n  \"130802\":\n    silence_max_duration: 30d\n",
		`rules.yaml:3: regions.130802: silence_max_duration may be set only under defaults: it is one limit for the whole deployment`},
	{"drill maximum in a school", "schools:\n  cd-0001:\n    silence_drill_max_duration: 2h\n",
		`rules.yaml:3: schools.cd-0001: silence_drill_max_duration may be set only under defaults`},
	{"confidence above 1", "defaults:\n  kitchen_min_confidence: 60\n",
		`rules.yaml:2: defaults.kitchen_min_confidence: must be from 0 to 1, got 60`},
	{"negative confidence", "schools:\n  cd-0001:\n    kitchen_min_confidence: -0.5\n",
		`rules.yaml:3: schools.cd-0001.kitchen_min_confidence: must be from 0 to 1, got -0.5`},
	{"confidence as a percentage string", "defaults:\n  kitchen_min_confidence: 60%\n",
		`rules.yaml:2: defaults.kitchen_min_confidence: want a number from 0 to 1, like 0.6, got "60%"`},
	{"confidence not a number", "defaults:\n  kitchen_min_confidence: .nan\n",
		`rules.yaml:2: defaults.kitchen_min_confidence: must be from 0 to 1, got NaN`},
	{"kitchen group window longer than the tier-1 deadline", "regions:\n  \"130802\":\n    kitchen_group_window: 5h\n",
		`kitchen_group_window (5h) must not exceed kitchen_close_tier1 (4h)`},
	{"duplicate parameter", "defaults:\n  grace_period: 5m\n  heartbeat_misses: 3\n  grace_period: 10m\n",
		`rules.yaml:4: defaults: duplicate key "grace_period" (first at line 2)`},
	{"duplicate rule", "defaults:\n  rules:\n    kitchen_repeat: {enabled: false}\n    kitchen_repeat: {enabled: true}\n",
		`rules.yaml:4: defaults.rules: duplicate key "kitchen_repeat" (first at line 3)`},
	{"duplicate region, quoted and not", "regions:\n  \"130802\": {}\n  130802: {post_min_staff: 3}\n",
		`rules.yaml:3: regions: duplicate key "130802" (first at line 2)`},
	{"bad region code", "regions:\n  \"13080\":\n    post_min_staff: 3\n",
		`rules.yaml:2: regions: bad region code "13080" (want the 6-digit division code, like "130802")`},
	{"bad school id", "schools:\n  CD_0001:\n    post_min_staff: 3\n",
		`rules.yaml:2: schools: bad school id "CD_0001" (want the registry id: 1-64 of a-z, 0-9, -)`},
	{"schools is a list", "schools:\n  - cd-0001\n",
		`rules.yaml:2: schools: want a mapping of school ids to overrides, got a list`},
	{"school block is a scalar", "schools:\n  cd-0001: strict\n",
		`rules.yaml:2: schools.cd-0001: want a mapping of parameters, got "strict"`},
	{"anchor on an unknown top-level key", "base: &b {post_min_staff: 3}\n",
		`rules.yaml:1: unknown key "base"`},
	{"merge key in a block", "defaults: &d {grace_period: 5m}\nschools:\n  cd-0001:\n    <<: *d\n",
		`rules.yaml:4: schools.cd-0001: merge keys (<<) are not supported`},
	{"post alert before arrival", "regions:\n  \"130802\":\n    post_arrive_before: 15m\n    post_alert_before: 20m\n",
		`rules.yaml:3: regions.130802.post_arrive_before: post_alert_before (20m) must not exceed post_arrive_before (15m)`},
	{"top level is a list", "- defaults\n",
		`rules.yaml:1: want a mapping with defaults, regions and schools, got a list`},
	{"syntax error", "defaults:\n  grace_period: 5m: 10m\n",
		`rules.yaml:2: syntax: mapping values are not allowed in this context`},
	{"two documents", "defaults: {}\n---\nschools: {}\n",
		`rules.yaml:2: more than one YAML document`},
}

func TestParseBadFiles(t *testing.T) {
	if len(badFiles) < 12 {
		t.Fatalf("only %d bad files", len(badFiles))
	}
	for _, tc := range badFiles {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("rules.yaml", []byte(tc.doc))
			if err == nil {
				t.Fatalf("Parse accepted:\n%s", tc.doc)
			}
			if f != nil {
				t.Errorf("Parse returned a File with an error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error:\n  %v\nwant it to contain:\n  %s", err, tc.want)
			}
			var fe *devices.FieldError
			if !errors.As(err, &fe) || fe.File != "rules.yaml" || fe.Line == 0 {
				t.Errorf("error is not a located *devices.FieldError: %#v", err)
			}
		})
	}
}

func TestParseCollectsEveryError(t *testing.T) {
	doc := strings.Join([]string{
		/* 1 */ "defaults:",
		/* 2 */ "  heartbeat_misses: 0",
		/* 3 */ "  grace_period: soon",
		/* 4 */ "  rules:",
		/* 5 */ "    gate_foo: {enabled: false}",
		/* 6 */ "    gate_forced: {severity: P9}",
		/* 7 */ "regions:",
		/* 8 */ "  \"130802\": {held_open: 5m}",
		/* 9 */ "schools:",
		/* 10 */ "  cd-0001: {post_min_staff: -2}",
		/* 11 */ "colour: blue",
	}, "\n")
	_, err := Parse("rules.yaml", []byte(doc))
	if err == nil {
		t.Fatal("Parse accepted a bad file")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		"rules.yaml:2: defaults.heartbeat_misses:",
		"rules.yaml:3: defaults.grace_period:",
		"rules.yaml:5: defaults.rules: unknown rule",
		"rules.yaml:6: defaults.rules.gate_forced.severity:",
		"rules.yaml:8: regions.130802: unknown key \"held_open\"",
		"rules.yaml:10: schools.cd-0001.post_min_staff:",
		"rules.yaml:11: unknown key \"colour\"",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d = %q, want prefix %q", i, lines[i], w)
		}
	}
}

func TestParseCapsErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("defaults:\n")
	n := devices.MaxErrors + 10
	for i := range n {
		fmt.Fprintf(&b, "  no_such_key_%d: 1\n", i)
	}
	_, err := Parse("rules.yaml", []byte(b.String()))
	if err == nil {
		t.Fatal("Parse accepted a bad file")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != devices.MaxErrors+1 {
		t.Fatalf("got %d lines, want %d", len(lines), devices.MaxErrors+1)
	}
	if last := lines[len(lines)-1]; last != "... and 10 more" {
		t.Errorf("last line = %q", last)
	}
	if !strings.HasPrefix(lines[0], "rules.yaml:2: defaults: unknown key \"no_such_key_0\"") {
		t.Errorf("first line = %q", lines[0])
	}
}

// inheritDoc overrides at every level. Line numbers matter to no test here.
const inheritDoc = `
defaults:
  heartbeat_misses: 4            # over built-in 3
  grace_period: 10m              # over built-in 5m
  post_alert_before: 12m         # over built-in 10m
  escalate_after: {P1: 15m, P2: 2h}
  rules:
    gate_denied_burst: {enabled: true, severity: P2}
    patrol_shortfall: {enabled: false}
    kitchen_repeat: {enabled: false}
regions:
  "130802":
    post_alert_before: 15m       # over defaults
    post_min_staff: 3
    remind_every: {P2: 2h}
    rules:
      kitchen_repeat: {enabled: true}   # re-enabled for the region
      gate_blacklist: {severity: P1}
schools:
  cd-0001:
    post_min_staff: 4            # over region 3
    alarm_test_max_age: 90d
    escalate_after: {P0: 30s}
    rules:
      kitchen_repeat: {enabled: false}  # off again for the school
      gate_denied_burst: {severity: P0}
  cd-0002:
    heartbeat_misses: 5
`

func TestResolveInheritance(t *testing.T) {
	f, err := Parse("rules.yaml", []byte(inheritDoc))
	if err != nil {
		t.Fatal(err)
	}
	min := func(m float64) time.Duration { return time.Duration(m * float64(time.Minute)) }

	// Built-in defaults with the file's defaults: a region and a school the
	// file does not name.
	dflt := Defaults()
	dflt.HeartbeatMisses = 4
	dflt.GracePeriod = min(10)
	dflt.PostAlertBefore = min(12)
	dflt.EscalateAfter = map[alerting.Severity]time.Duration{alerting.P0: time.Minute, alerting.P1: min(15), alerting.P2: 2 * time.Hour}
	dflt.Disabled = map[alerting.RuleID]bool{alerting.PatrolShortfall: true, alerting.KitchenRepeat: true}
	dflt.Severity = map[alerting.RuleID]alerting.Severity{alerting.GateDeniedBurst: alerting.P2}

	region := *dflt.Clone()
	region.PostAlertBefore = min(15)
	region.PostMinStaff = 3
	region.RemindEvery = map[alerting.Severity]time.Duration{alerting.P0: 2 * time.Minute, alerting.P1: min(30), alerting.P2: 2 * time.Hour}
	delete(region.Disabled, alerting.KitchenRepeat)
	region.Severity[alerting.GateBlacklist] = alerting.P1

	school := *region.Clone()
	school.PostMinStaff = 4
	school.AlarmTestMaxAge = 90 * 24 * time.Hour
	school.EscalateAfter[alerting.P0] = 30 * time.Second
	school.Disabled[alerting.KitchenRepeat] = true
	school.Severity[alerting.GateDeniedBurst] = alerting.P0

	// cd-0002 is in a region without overrides.
	school2 := *dflt.Clone()
	school2.HeartbeatMisses = 5

	for _, tc := range []struct {
		region, school string
		want           Params
	}{
		{"130828", "sq-other", dflt},
		{"", "", dflt},
		{"130802", "sq-other", region},
		{"130802", "cd-0001", school},
		{"130828", "cd-0002", school2},
	} {
		got := f.Resolve(tc.region, tc.school)
		if !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("Resolve(%q, %q):\n got %+v\nwant %+v", tc.region, tc.school, *got, tc.want)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("Resolve(%q, %q) is invalid: %v", tc.region, tc.school, err)
		}
	}

	p := f.Resolve("130802", "cd-0001")
	for _, c := range []struct {
		rule    alerting.RuleID
		enabled bool
		sev     alerting.Severity
	}{
		{alerting.GateDeniedBurst, true, alerting.P0},  // school over defaults' P2
		{alerting.GateBlacklist, true, alerting.P1},    // region
		{alerting.PatrolShortfall, false, alerting.P3}, // defaults, no severity override
		{alerting.KitchenRepeat, false, alerting.P2},   // off, on, off
		{alerting.GateForced, true, alerting.P1},       // untouched
	} {
		info, _ := alerting.Info(c.rule)
		if got := p.Enabled(c.rule); got != c.enabled {
			t.Errorf("%s enabled = %v, want %v", c.rule, got, c.enabled)
		}
		if got := p.SeverityOf(c.rule, info.Severity); got != c.sev {
			t.Errorf("%s severity = %s, want %s", c.rule, got, c.sev)
		}
	}
	if !f.Resolve("130802", "sq-other").Enabled(alerting.KitchenRepeat) {
		t.Error("kitchen_repeat re-enabled by the region is off")
	}
}

func TestResolveSharesAndCaches(t *testing.T) {
	f, err := Parse("rules.yaml", []byte(inheritDoc))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := f.Resolve("130802", "x"), f.Resolve("130802", "y"); a != b {
		t.Error("schools without overrides in one region do not share Params")
	}
	if a, b := f.Resolve("130802", "cd-0001"), f.Resolve("130802", "cd-0001"); a != b {
		t.Error("a school's Params are computed twice")
	}
	if n := testing.AllocsPerRun(100, func() { f.Resolve("130802", "cd-0001") }); n != 0 {
		t.Errorf("a cached Resolve allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { f.Resolve("130828", "sq-other") }); n != 0 {
		t.Errorf("Resolve of a school without overrides allocates %v times", n)
	}
	// Resolving a school does not leak into its region or the defaults.
	if got := f.Resolve("130802", "x").PostMinStaff; got != 3 {
		t.Errorf("region post_min_staff = %d after resolving a school, want 3", got)
	}

	// Concurrent first use, for -race.
	f, _ = Parse("rules.yaml", []byte(inheritDoc))
	var wg sync.WaitGroup
	got := make([]*Params, 8)
	for i := range got {
		wg.Go(func() { got[i] = f.Resolve("130802", "cd-0001") })
	}
	wg.Wait()
	for _, p := range got {
		if p != got[0] {
			t.Fatal("concurrent Resolve computed a school twice")
		}
	}
}

func TestEmpty(t *testing.T) {
	want := Defaults()
	for name, f := range map[string]*File{
		"Empty":         Empty(),
		"empty file":    mustParse(t, ""),
		"comments only": mustParse(t, "# nothing here\n"),
		"null document": mustParse(t, "---\n~\n"),
		"empty blocks":  mustParse(t, "defaults:\nregions:\nschools: {}\n"),
	} {
		if got := f.Resolve("130802", "cd-0001"); !reflect.DeepEqual(*got, want) {
			t.Errorf("%s: Resolve = %+v, want Defaults()", name, *got)
		}
	}
	if err := Empty().CheckRegistry(&devices.Registry{}); err != nil {
		t.Errorf("Empty().CheckRegistry: %v", err)
	}
}

func TestAliasesAreFollowed(t *testing.T) {
	doc := "defaults:\n  escalate_after: &e {P0: 30s}\nschools:\n  cd-0001: &strict {post_min_staff: 3, remind_every: *e}\n  cd-0002: *strict\n"
	f := mustParse(t, doc)
	for _, id := range []string{"cd-0001", "cd-0002"} {
		p := f.Resolve("", id)
		if p.PostMinStaff != 3 || p.RemindEvery[alerting.P0] != 30*time.Second {
			t.Errorf("%s: %+v", id, p)
		}
	}
}

func TestLoad(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want ErrNotExist", err)
	}
	path := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, []byte("defaults:\n  grace_period: 0s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	if want := path + ":2: defaults.grace_period: "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %v, want prefix %q", err, want)
	}
}

func mustParse(t *testing.T, doc string) *File {
	t.Helper()
	f, err := Parse("rules.yaml", []byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, doc)
	}
	return f
}

func TestAliasExpansionIsBounded(t *testing.T) {
	// Every school refers to one block that sets every rule: a valid file
	// whose walk is 80 times its number of lines. The error names the
	// mapping where the walk stopped (the first school, line 30).
	var b strings.Builder
	b.WriteString("defaults: &all\n  rules:\n")
	for _, r := range alerting.Catalogue {
		fmt.Fprintf(&b, "    %s: {enabled: true, severity: P1}\n", r.ID)
	}
	b.WriteString("schools:\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "  s%d: *all\n", i)
	}
	_, err := Parse("rules.yaml", []byte(b.String()))
	if want := "rules.yaml:30: too many entries: aliases expand the file beyond"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("err = %.300v, want prefix %q", err, want)
	}
}
