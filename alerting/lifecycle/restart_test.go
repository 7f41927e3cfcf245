package lifecycle

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

func boltEnv(t *testing.T, path string, clock *fakeClock, startedAt time.Time) *env {
	t.Helper()
	st, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e := newEnv(t, func(o *Options) { o.Store = st; o.Clock = clock; o.StartedAt = startedAt })
	e.clock = clock
	return e
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRestartWithBolt: open alerts, acknowledgements, the handling loop
// (cleared, receipt, report) and silences survive a restart with the same
// ids and states; the restart notifies nothing again,
// and offline conditions right after it are held by the grace period.
func TestRestartWithBolt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alerts.db")
	clock := &fakeClock{t: t0}
	e := boltEnv(t, path, clock, t0.Add(-time.Hour))

	e.fire(alerting.AlarmPanic, "s1", "a1") // firing, will escalate
	e.fire(alerting.GateForced, "s1", "g1")
	e.fire(alerting.AlarmOffline, "s1", "a9") // firing, P1, old enough for reminders
	gf := e.one(alerting.GateForced, "s1", "g1")
	if _, err := e.m.Ack(gf.ID, policeOf("officer-3"), "checking"); err != nil {
		t.Fatal(err)
	}
	sil, err := e.m.AddSilence(Silence{CreatedBy: "s2-security", Reason: "drill",
		Matchers: []Matcher{{Name: "school", Value: "s2"}}, EndsAt: t0.Add(3 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	e.fire(alerting.AlarmPanic, "s2", "a1") // silenced
	e.fire(alerting.GateIntrusion, "s1", "g2")
	e.clear(alerting.GateIntrusion, "s1", "g2") // cleared: stays open for the police
	gi := e.one(alerting.GateIntrusion, "s1", "g2")
	if _, err := e.m.Report(gi.ID, schoolOf("s1-security"), "保安已巡查 / patrolled", "https://pics.example.cn/g2.jpg"); err != nil {
		t.Fatal(err)
	}
	e.fire(alerting.AlarmLinkDown, "s1", "a8")
	e.clear(alerting.AlarmLinkDown, "s1", "a8") // resolved, kept for the board
	if _, err := e.m.Ack(e.one(alerting.AlarmPanic, "s1", "a1").ID, schoolOf("s1-security"), "收到"); err != nil {
		t.Fatal(err) // receipt only: the panic still escalates
	}
	e.advance(time.Minute)      // panic escalates, alarm_unacked fires
	e.advance(94 * time.Minute) // reminders go out up to here
	before := e.m.List(Filter{})
	if len(before) != 7 {
		t.Fatalf("%d alerts before restart, want 7", len(before))
	}
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart: a new process, a new grace period.
	restart := clock.Add(2 * time.Minute)
	e2 := boltEnv(t, path, clock, restart)
	if got := e2.rec.take(); len(got) != 0 {
		t.Fatalf("Open emitted %q", events(got))
	}
	after := e2.m.List(Filter{})
	if jsonOf(t, after) != jsonOf(t, before) {
		t.Fatalf("alerts changed across the restart:\nbefore %s\nafter  %s", jsonOf(t, before), jsonOf(t, after))
	}
	states := map[string]alerting.State{}
	for _, a := range after {
		states[string(a.Rule)+"/"+a.School] = a.State
	}
	if g := e2.one(alerting.GateIntrusion, "s1", "g2"); g.ClearedAt == nil || g.Handling != alerting.Reported ||
		g.Evidence != "https://pics.example.cn/g2.jpg" || g.ReportedBy != "s1-security" || g.Owner != alerting.Police {
		t.Fatalf("handling after restart: %+v", g)
	}
	if p := e2.one(alerting.AlarmPanic, "s1", "a1"); p.ReceivedBy != "s1-security" || p.ReceivedAt == nil || p.State != alerting.Firing {
		t.Fatalf("receipt after restart: %+v", p)
	}
	if states["gate_forced/s1"] != alerting.Acknowledged || states["alarm_panic/s2"] != alerting.Firing ||
		states["alarm_link_down/s1"] != alerting.Resolved || !e2.one(alerting.AlarmPanic, "s2", "a1").Silenced ||
		!e2.one(alerting.AlarmPanic, "s1", "a1").Escalated {
		t.Fatalf("states after restart: %v", states)
	}
	if ss := e2.m.Silences(true); len(ss) != 1 || jsonOf(t, ss[0]) != jsonOf(t, sil) {
		t.Fatalf("silences after restart: %+v", ss)
	}

	// The first Tick after the restart: no fired, no second escalation, no
	// reminder storm (the alarm_offline one was reminded at 90 minutes,
	// its next is at 120).
	e2.m.Tick(restart)
	for _, c := range e2.rec.take() {
		if c.Event == EventFired || c.Event == EventEscalated || (c.Event == EventReminder && c.Alert.Rule == alerting.AlarmOffline) {
			t.Fatalf("after restart: %s %s", c.Event, c.Alert.Rule)
		}
	}

	// Every device looks offline until its next heartbeat: no storm.
	for i := 0; i < 100; i++ {
		e2.fire(alerting.AccessOffline, "s3", fmt.Sprintf("c%d", i))
	}
	e2.fire(alerting.AlarmOffline, "s1", "a9") // open before: updated, not held
	expectEvents(t, e2.rec.take(), "updated alarm_offline")
	for i := 0; i < 97; i++ { // heartbeats arrive
		e2.clear(alerting.AccessOffline, "s3", fmt.Sprintf("c%d", i))
	}
	e2.advance(5 * time.Minute) // grace over: the 3 still offline are raised
	var fired int
	for _, c := range e2.rec.take() {
		if c.Event == EventFired {
			if c.Alert.Rule != alerting.AccessOffline {
				t.Fatalf("fired %s after grace", c.Alert.Rule)
			}
			fired++
		}
	}
	if fired != 3 {
		t.Fatalf("%d offline alerts after grace, want 3", fired)
	}

	// The restored alerts work as before.
	if _, err := e2.m.Close(gf.ID, policeOf("officer-3"), "door closed and checked"); err != nil {
		t.Fatal(err)
	}
	if _, err := e2.m.Ack(e2.one(alerting.AlarmPanic, "s1", "a1").ID, policeOf("officer-3"), ""); err != nil {
		t.Fatal(err)
	}
	cs := e2.rec.take()
	expectEvents(t, cs, "resolved gate_forced", "acknowledged alarm_panic", "resolved alarm_unacked")
}

func TestBoltStoreRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	st, err := OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	due := t0.Add(time.Hour)
	a := alerting.Alert{ID: "al-1", Rule: alerting.KitchenViolation, Severity: alerting.P2, State: alerting.Firing,
		School: "s1", Audience: []alerting.Audience{alerting.Market}, StartedAt: t0, DueAt: &due, Count: 3}
	b := a
	b.ID = "al-2"
	si := Silence{ID: "si-1", CreatedBy: "u", Reason: "r", Matchers: []Matcher{{Name: "school", Value: "s1"}}, StartsAt: t0, EndsAt: due}
	for _, err := range []error{st.Put(a), st.Put(b), st.Delete("al-2"), st.PutSilence(si), st.PutSilence(Silence{ID: "si-2"}), st.DeleteSilence("si-2")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = OpenBolt(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	as, ss, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || jsonOf(t, as[0]) != jsonOf(t, a) || len(ss) != 1 || jsonOf(t, ss[0]) != jsonOf(t, si) {
		t.Fatalf("loaded %+v %+v", as, ss)
	}
}

// TestRestartDerivedState: inhibition is rebuilt from the open alerts, and
// a silence that ended while the process was down un-mutes at the first
// Tick.
func TestRestartDerivedState(t *testing.T) {
	st := NewMemStore()
	clock := &fakeClock{t: t0}
	e := newEnv(t, func(o *Options) { o.Store = st; o.Clock = clock })
	if _, err := e.m.AddSilence(Silence{CreatedBy: "ops", Reason: "maintenance",
		Matchers: []Matcher{{Name: "school", Value: "s2"}}, EndsAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	e.fire(alerting.SchoolOffline, "s1", "")
	e.fire(alerting.AlarmOffline, "s1", "a1") // inhibited
	e.fire(alerting.GateForced, "s2", "g1")   // silenced
	down := e.one(alerting.AlarmOffline, "s1", "a1").ID
	if _, err := e.m.Ack(e.one(alerting.SchoolOffline, "s1", "").ID, policeOf("officer"), "power cut in the village"); err != nil {
		t.Fatal(err)
	}

	clock.Add(2 * time.Hour) // down for two hours
	e2 := newEnv(t, func(o *Options) { o.Store = st; o.Clock = clock; o.StartedAt = clock.Now() })
	if !e2.m.Inhibited(down) {
		t.Fatal("inhibition not restored")
	}
	e2.m.Tick(clock.Now())
	cs := e2.rec.take()
	expectEvents(t, cs, "fired gate_forced")
	if cs[0].Alert.Silenced {
		t.Fatal("still silenced")
	}
	e2.clear(alerting.SchoolOffline, "s1", "")
	expectEvents(t, e2.rec.take(), "resolved school_offline", "fired alarm_offline")
}
