package lifecycle

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

func TestSilenceValidation(t *testing.T) {
	e := newEnv(t, nil)
	ok := Silence{CreatedBy: "edu-admin", Reason: "drill", Matchers: []Matcher{{Name: "school", Value: "s1"}},
		StartsAt: t0, EndsAt: t0.Add(time.Hour)}
	for _, tc := range []struct {
		name string
		mod  func(*Silence)
		want string // "" = valid
	}{
		{"valid", func(*Silence) {}, ""},
		{"starts now by default", func(s *Silence) { s.StartsAt = time.Time{} }, ""},
		{"regex", func(s *Silence) { s.Matchers = []Matcher{{Name: "rule", Value: "kitchen_.*", Regex: true}} }, ""},
		{"no author", func(s *Silence) { s.CreatedBy = " " }, "created_by is required"},
		{"no reason", func(s *Silence) { s.Reason = "" }, "reason is required"},
		{"no matcher", func(s *Silence) { s.Matchers = nil }, "at least one matcher"},
		{"unknown field", func(s *Silence) { s.Matchers = []Matcher{{Name: "person", Value: "p1"}} }, `name must be one of rule, school, region, device, severity, subject: "person"`},
		{"empty value", func(s *Silence) { s.Matchers = []Matcher{{Name: "school"}} }, "value is required"},
		{"bad regex", func(s *Silence) { s.Matchers = []Matcher{{Name: "rule", Value: "(", Regex: true}} }, "missing closing )"},
		{"matches everything", func(s *Silence) { s.Matchers = []Matcher{{Name: "school", Value: ".*", Regex: true}} }, "must not match an empty value"},
		{"ends before start", func(s *Silence) { s.EndsAt = s.StartsAt }, "ends_at must be after starts_at"},
		{"ended already", func(s *Silence) { s.StartsAt, s.EndsAt = t0.Add(-2*time.Hour), t0.Add(-time.Hour) }, "ends_at must be in the future"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			s.Matchers = append([]Matcher(nil), ok.Matchers...)
			tc.mod(&s)
			got, err := e.m.AddSilence(s)
			if tc.want == "" {
				if err != nil || got.ID == "" || !got.CreatedAt.Equal(t0) {
					t.Fatalf("AddSilence: %+v, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestSilenceBySchool(t *testing.T) {
	e := newEnv(t, nil)
	if _, err := e.m.AddSilence(Silence{CreatedBy: "s1-security", Reason: "panic button drill",
		Matchers: []Matcher{{Name: "school", Value: "s1"}}, EndsAt: t0.Add(30 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	e.fire(alerting.AlarmPanic, "s1", "a1")
	e.fire(alerting.AlarmPanic, "s2", "a1")
	cs := e.rec.take()
	expectEvents(t, cs, "silenced alarm_panic", "fired alarm_panic")
	if !cs[0].Alert.Silenced || cs[1].Alert.Silenced {
		t.Fatalf("silenced flags: %v %v", cs[0].Alert.Silenced, cs[1].Alert.Silenced)
	}
	if _, err := e.m.Ack(cs[1].Alert.ID, policeOf("officer"), ""); err != nil { // quiet s2 down
		t.Fatal(err)
	}
	e.rec.take()
	e.fire(alerting.AlarmPanic, "s1", "a1") // a repeat stays silent
	expectEvents(t, e.rec.take(), "silenced alarm_panic")

	// No escalation, no reminders for the silenced one.
	for i := 0; i < 29; i++ {
		e.advance(time.Minute)
	}
	for _, c := range e.rec.take() {
		if c.Alert.School == "s1" {
			t.Fatalf("silenced alert changed: %s", c.Event)
		}
	}
	// The silence ends with the alert still open: people hear of it now,
	// and get the full minute to acknowledge.
	e.advance(time.Minute)
	cs = e.rec.take()
	expectEvents(t, cs, "fired alarm_panic")
	if cs[0].Alert.Silenced || cs[0].Alert.School != "s1" {
		t.Fatalf("after the silence: %+v", cs[0].Alert)
	}
	e.advance(59 * time.Second)
	expectEvents(t, e.rec.take())
	e.advance(time.Second)
	expectEvents(t, e.rec.take(), "escalated alarm_panic", "fired alarm_unacked")
}

func TestSilenceByRuleRegex(t *testing.T) {
	e := newEnv(t, nil)
	if _, err := e.m.AddSilence(Silence{CreatedBy: "vendor", Reason: "camera maintenance",
		Matchers: []Matcher{{Name: "rule", Value: "kitchen_cam_.*", Regex: true}, {Name: "region", Value: "130802"}},
		EndsAt:   t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	e.fire(alerting.KitchenCamOffline, "s1", "k1")
	e.fire(alerting.KitchenCamOccluded, "s2", "k2")
	e.fire(alerting.KitchenViolation, "s1", "k1")
	e.fire(alerting.GateForced, "s1", "g1")
	expectEvents(t, e.rec.take(), "silenced kitchen_cam_offline", "silenced kitchen_cam_occluded",
		"fired kitchen_violation", "fired gate_forced")
}

func TestSilenceAddedAndExpiredByHand(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.AccessOffline, "s1", "gate-ctl-1")
	e.rec.take()
	s, err := e.m.AddSilence(Silence{CreatedBy: "ops", Reason: "controller replacement",
		Matchers: []Matcher{{Name: "device", Value: "gate-ctl-1"}}, EndsAt: t0.Add(4 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	expectEvents(t, e.rec.take(), "silenced access_offline") // mutes the open alert at once
	if got := e.m.Silences(true); len(got) != 1 || got[0].ID != s.ID {
		t.Fatalf("active silences: %+v", got)
	}
	e.advance(time.Hour)
	expectEvents(t, e.rec.take())

	if err := e.m.ExpireSilence(s.ID, ""); !errors.Is(err, ErrUserRequired) {
		t.Fatalf("err %v", err)
	}
	if err := e.m.ExpireSilence("si-nope", "ops"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err %v", err)
	}
	if err := e.m.ExpireSilence(s.ID, "ops"); err != nil {
		t.Fatal(err)
	}
	// It was notified before the silence: an update, not a second "fired".
	expectEvents(t, e.rec.take(), "updated access_offline")
	if err := e.m.ExpireSilence(s.ID, "ops"); !errors.Is(err, ErrSilenceExpired) {
		t.Fatalf("err %v", err)
	}
	if len(e.m.Silences(true)) != 0 {
		t.Fatal("expired silence listed as active")
	}
	all := e.m.Silences(false)
	if len(all) != 1 || all[0].ExpiredBy != "ops" || !all[0].EndsAt.Equal(e.clock.Now()) {
		t.Fatalf("silences: %+v", all)
	}
	// Expired silences are kept for a week, then dropped (store too).
	e.advance(7*24*time.Hour + time.Second)
	if len(e.m.Silences(false)) != 0 {
		t.Fatal("old silence kept")
	}
	if _, ss, _ := e.store.Load(); len(ss) != 0 {
		t.Fatalf("store still holds %d silences", len(ss))
	}
}

func TestPendingSilenceStartsOnTick(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.AlarmOffline, "s1", "a1")
	e.rec.take()
	if _, err := e.m.AddSilence(Silence{CreatedBy: "ops", Reason: "power work tonight",
		Matchers: []Matcher{{Name: "school", Value: "s1"}}, StartsAt: t0.Add(time.Hour), EndsAt: t0.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if len(e.m.Silences(true)) != 0 || len(e.m.Silences(false)) != 1 {
		t.Fatal("pending silence listed as active")
	}
	expectEvents(t, e.rec.take())
	e.m.Tick(t0.Add(time.Hour))
	var silenced int
	for _, c := range e.rec.take() {
		if c.Event == EventSilenced {
			silenced++
		}
	}
	if silenced != 1 {
		t.Fatalf("%d silenced changes when the silence started, want 1", silenced)
	}
}
