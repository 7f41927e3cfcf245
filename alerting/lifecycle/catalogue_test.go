package lifecycle

import (
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/config"
)

// offlineRules are the rules the start-up grace period holds back: the
// offline rules and the presence rules (nobody looks checked in after a
// restart).
var offlineRules = map[alerting.RuleID]bool{
	alerting.AlarmOffline: true, alerting.AccessOffline: true,
	alerting.KitchenCamOffline: true, alerting.SchoolOffline: true,
	alerting.PostUnstaffed: true, alerting.PostUnderstaffed: true, alerting.PostLeftEarly: true,
	alerting.GuardUnderstaffed: true, alerting.GuardroomUnmanned: true,
}

// TestEveryRuleSilenceGraceEscalation walks the whole rule catalogue: for
// every rule id, a firing condition during a matching silence notifies
// nobody; during the start-up grace period only the offline rules are held
// back; and, at the rule's default severity, escalation and reminders
// come exactly on time (and not before).
func TestEveryRuleSilenceGraceEscalation(t *testing.T) {
	p := config.Defaults()
	for _, info := range alerting.Catalogue {
		rule := info.ID
		t.Run(string(rule)+"/silence", func(t *testing.T) {
			e := newEnv(t, nil)
			if _, err := e.m.AddSilence(Silence{CreatedBy: "school-admin", Reason: "消防演练 drill",
				Matchers: []Matcher{{Name: "school", Value: "s1"}}, StartsAt: t0, EndsAt: t0.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			e.rec.take()
			e.m.Apply(alerting.Condition{Rule: rule, School: "s1", Subject: "x", Severity: info.Severity, Firing: true, At: t0})
			for _, c := range e.rec.take() {
				if c.Event != EventSilenced {
					t.Fatalf("%s during a silence: event %q, want only %q", rule, c.Event, EventSilenced)
				}
			}
			e.advance(30 * time.Minute) // no escalation or reminder while silenced
			for _, c := range e.rec.take() {
				if c.Event == EventEscalated || c.Event == EventReminder || c.Event == EventFired {
					t.Fatalf("%s while silenced: %q", rule, c.Event)
				}
			}
			// Another school is not silenced.
			e.m.Apply(alerting.Condition{Rule: rule, School: "s2", Subject: "x", Severity: info.Severity, Firing: true, At: e.clock.Now()})
			if ev := events(e.rec.take()); len(ev) == 0 || ev[0] != "fired "+string(rule) {
				t.Fatalf("%s at an unsilenced school: %q", rule, ev)
			}
		})
		t.Run(string(rule)+"/grace", func(t *testing.T) {
			e := graceEnv(t)
			e.clock.Add(time.Minute)
			e.m.Apply(alerting.Condition{Rule: rule, School: "s1", Subject: "x", Severity: info.Severity, Firing: true, At: e.clock.Now()})
			got := events(e.rec.take())
			if offlineRules[rule] {
				if len(got) != 0 {
					t.Fatalf("%s during the grace period: %q, want it held", rule, got)
				}
			} else if len(got) == 0 || got[0] != "fired "+string(rule) {
				t.Fatalf("%s during the grace period: %q, want it fired at once", rule, got)
			}
		})
		t.Run(string(rule)+"/escalation", func(t *testing.T) {
			e := newEnv(t, nil)
			e.m.Apply(alerting.Condition{Rule: rule, School: "s1", Subject: "x", Severity: info.Severity, Firing: true, At: t0})
			e.rec.take()
			esc, escOK := p.EscalateAfter[info.Severity]
			rem, remOK := p.RemindEvery[info.Severity]
			first := time.Duration(0)
			switch {
			case escOK && remOK:
				first = min(esc, rem)
			case escOK:
				first = esc
			case remOK:
				first = rem
			default:
				e.advance(24 * time.Hour)
				for _, c := range e.rec.take() {
					if c.Alert.Rule == rule && (c.Event == EventEscalated || c.Event == EventReminder) {
						t.Fatalf("%s (%s) has no escalation or reminder by default, got %q", rule, info.Severity, c.Event)
					}
				}
				return
			}
			e.advance(first - time.Second)
			for _, c := range e.rec.take() {
				if c.Alert.Rule == rule && (c.Event == EventEscalated || c.Event == EventReminder) {
					t.Fatalf("%s: %q a second early", rule, c.Event)
				}
			}
			e.advance(time.Second)
			var got []string
			for _, c := range e.rec.take() {
				if c.Alert.Rule == rule {
					got = append(got, c.Event)
				}
			}
			want := EventReminder
			if escOK && esc <= first {
				want = EventEscalated
			}
			if len(got) == 0 || got[0] != want {
				t.Fatalf("%s (%s) at %s: %q, want %q", rule, info.Severity, first, got, want)
			}
			// Acknowledged: nothing more.
			if _, err := e.m.Ack(e.one(rule, "s1", "x").ID, adminOf("duty"), ""); err != nil {
				t.Fatal(err)
			}
			e.rec.take()
			e.advance(24 * time.Hour)
			for _, c := range e.rec.take() {
				if c.Alert.Rule == rule && (c.Event == EventEscalated || c.Event == EventReminder) {
					t.Fatalf("%s after acknowledgement: %q", rule, c.Event)
				}
			}
		})
	}
}
