package lifecycle

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/campusguard/campusguard/alerting"
)

// TestFireUpdateAutoResolve: a rule without NeedsClose resolves when its
// condition ends.
func TestFireUpdateAutoResolve(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.GateDeniedBurst, "s1", "gate-1")
	a := e.one(alerting.GateDeniedBurst, "s1", "gate-1")
	if a.State != alerting.Firing || a.Count != 1 || a.Severity != alerting.P1 || a.Region != "130802" ||
		!a.StartedAt.Equal(t0) || a.ID == "" || len(a.Audience) != 2 || a.MessageEN != "Burst of denied attempts" {
		t.Fatalf("fired alert: %+v", a)
	}
	e.clock.Add(30 * time.Second)
	e.fire(alerting.GateDeniedBurst, "s1", "gate-1")
	u := e.one(alerting.GateDeniedBurst, "s1", "gate-1")
	if u.ID != a.ID || u.Count != 2 || !u.UpdatedAt.Equal(t0.Add(30*time.Second)) || !u.StartedAt.Equal(t0) {
		t.Fatalf("updated alert: %+v", u)
	}
	e.clock.Add(90 * time.Second)
	e.clear(alerting.GateDeniedBurst, "s1", "gate-1")
	r, ok := e.m.Get(a.ID)
	if !ok || r.State != alerting.Resolved || r.Resolution != "auto" || r.ResolvedAt == nil ||
		r.ResolvedAt.Sub(r.StartedAt) != 2*time.Minute {
		t.Fatalf("resolved alert: %+v", r)
	}
	e.clear(alerting.GateDeniedBurst, "s1", "gate-1") // no-op
	expectEvents(t, e.rec.take(), "fired gate_denied_burst", "updated gate_denied_burst", "resolved gate_denied_burst")

	// A new firing after the resolution is a new alert.
	e.fire(alerting.GateDeniedBurst, "s1", "gate-1")
	if n := e.one(alerting.GateDeniedBurst, "s1", "gate-1"); n.ID == a.ID || n.Count != 1 {
		t.Fatalf("refired alert: %+v (old id %s)", n, a.ID)
	}
}

func TestSeverityRisesNeverFalls(t *testing.T) {
	e := newEnv(t, nil)
	c := alerting.Condition{Rule: alerting.AlarmOffline, School: "s1", Subject: "a1", Severity: alerting.P2, Firing: true, At: t0}
	e.m.Apply(c)
	c.Severity = alerting.P1
	e.m.Apply(c)
	if a := e.one(alerting.AlarmOffline, "s1", "a1"); a.Severity != alerting.P1 {
		t.Fatalf("severity %s, want P1", a.Severity)
	}
	c.Severity = alerting.P2
	e.m.Apply(c)
	if a := e.one(alerting.AlarmOffline, "s1", "a1"); a.Severity != alerting.P1 || a.Count != 3 {
		t.Fatalf("severity %s count %d, want P1 3", a.Severity, a.Count)
	}
}

func TestAckThenResolveWithNote(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.GateForced, "s1", "gate-1")
	a := e.one(alerting.GateForced, "s1", "gate-1")
	e.clock.Add(40 * time.Second)
	ack, err := e.m.Ack(a.ID, policeOf("officer-7"), "on the way")
	if err != nil {
		t.Fatal(err)
	}
	if ack.State != alerting.Acknowledged || ack.AckedBy != "officer-7" || ack.Note != "on the way" ||
		ack.AckedAt == nil || !ack.AckedAt.Equal(t0.Add(40*time.Second)) {
		t.Fatalf("acked: %+v", ack)
	}
	// A repeat keeps it acknowledged.
	e.fire(alerting.GateForced, "s1", "gate-1")
	if g, _ := e.m.Get(a.ID); g.State != alerting.Acknowledged || g.Count != 2 {
		t.Fatalf("after repeat: %+v", g)
	}
	e.clock.Add(5 * time.Minute)
	res, err := e.m.Close(a.ID, policeOf("officer-7"), "door repaired")
	if err != nil {
		t.Fatal(err)
	}
	if res.State != alerting.Resolved || res.Resolution != "manual" || res.Note != "door repaired" || res.AckedBy != "officer-7" {
		t.Fatalf("resolved: %+v", res)
	}
	expectEvents(t, e.rec.take(), "fired gate_forced", "acknowledged gate_forced", "updated gate_forced", "resolved gate_forced")
}

func TestAckResolveErrors(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.GateForced, "s1", "g1")
	open := e.one(alerting.GateForced, "s1", "g1").ID
	e.fire(alerting.GateForced, "s1", "g2")
	acked := e.one(alerting.GateForced, "s1", "g2").ID
	if _, err := e.m.Ack(acked, policeOf("u"), ""); err != nil {
		t.Fatal(err)
	}
	e.fire(alerting.GateForced, "s1", "g3")
	resolved := e.one(alerting.GateForced, "s1", "g3").ID
	if _, err := e.m.Close(resolved, policeOf("u"), "checked"); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name     string
		call     func() (alerting.Alert, error)
		want     error
		wantOpen bool
	}{
		{"resolve without note", func() (alerting.Alert, error) { return e.m.Close(open, policeOf("u"), "  ") }, ErrNoteRequired, true},
		{"resolve without user", func() (alerting.Alert, error) { return e.m.Close(open, policeOf(""), "n") }, ErrUserRequired, true},
		{"ack without user", func() (alerting.Alert, error) { return e.m.Ack(open, policeOf(" "), "") }, ErrUserRequired, true},
		{"ack unknown", func() (alerting.Alert, error) { return e.m.Ack("al-nope", policeOf("u"), "") }, ErrNotFound, true},
		{"resolve unknown", func() (alerting.Alert, error) { return e.m.Close("al-nope", policeOf("u"), "n") }, ErrNotFound, true},
		{"ack twice", func() (alerting.Alert, error) { return e.m.Ack(acked, policeOf("v"), "") }, ErrAcknowledged, true},
		{"ack resolved", func() (alerting.Alert, error) { return e.m.Ack(resolved, policeOf("u"), "") }, ErrResolved, false},
		{"resolve resolved", func() (alerting.Alert, error) { return e.m.Close(resolved, policeOf("u"), "n") }, ErrResolved, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.call(); !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
	if a, _ := e.m.Get(open); a.State != alerting.Firing {
		t.Fatalf("failed calls changed the alert: %+v", a)
	}
	if a, _ := e.m.Get(acked); a.AckedBy != "u" {
		t.Fatalf("second ack changed acked_by: %+v", a)
	}
}

func TestListFilterAndOrder(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		o.Region = func(s string) string { return map[string]string{"s1": "130802", "s2": "130821"}[s] }
	})
	e.fire(alerting.KitchenCamOffline, "s1", "k1") // P2
	e.clock.Add(time.Second)
	e.fire(alerting.GateForced, "s1", "g1") // P1
	e.clock.Add(time.Second)
	e.fire(alerting.AlarmPanic, "s2", "a1") // P0
	e.clock.Add(time.Second)
	e.fire(alerting.GateIntrusion, "s2", "g2") // P1, newer than g1
	e.clear(alerting.KitchenCamOffline, "s1", "k1")

	var got []string
	for _, a := range e.m.List(Filter{}) {
		got = append(got, a.Subject)
	}
	if want := []string{"a1", "g2", "g1", "k1"}; !equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	for _, tc := range []struct {
		name string
		f    Filter
		want int
	}{
		{"open only", Filter{States: []alerting.State{alerting.Firing, alerting.Acknowledged}}, 3},
		{"resolved", Filter{States: []alerting.State{alerting.Resolved}}, 1},
		{"region", Filter{Regions: []string{"130821"}}, 2},
		{"school", Filter{Schools: []string{"s1"}}, 2},
		{"rule", Filter{Rules: []alerting.RuleID{alerting.AlarmPanic}}, 1},
		{"severity", Filter{Severities: []alerting.Severity{alerting.P1}}, 2},
		{"market audience", Filter{Audiences: []alerting.Audience{alerting.Market}}, 1},
		{"police audience", Filter{Audiences: []alerting.Audience{alerting.Police}}, 3},
		{"since", Filter{Since: t0.Add(2 * time.Second)}, 3}, // k1 was updated by its resolution
	} {
		t.Run(tc.name, func(t *testing.T) {
			if n := len(e.m.List(tc.f)); n != tc.want {
				t.Fatalf("%d alerts, want %d", n, tc.want)
			}
		})
	}
}

func TestResolvedKeptForRetention(t *testing.T) {
	e := newEnv(t, nil)
	e.fire(alerting.AlarmLinkDown, "s1", "g1")
	id := e.one(alerting.AlarmLinkDown, "s1", "g1").ID
	e.clear(alerting.AlarmLinkDown, "s1", "g1")
	e.advance(7*24*time.Hour - time.Second)
	if _, ok := e.m.Get(id); !ok {
		t.Fatal("resolved alert gone before 7 days")
	}
	e.advance(2 * time.Second)
	if _, ok := e.m.Get(id); ok || len(e.m.List(Filter{})) != 0 {
		t.Fatal("resolved alert still in memory after 7 days")
	}
	if as, _, _ := e.store.Load(); len(as) != 1 {
		t.Fatalf("store holds %d alerts, want the resolved one", len(as))
	}
	e.advance(23 * 24 * time.Hour)
	if as, _, _ := e.store.Load(); len(as) != 0 {
		t.Fatalf("store holds %d alerts after 30 days, want 0", len(as))
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := newEnv(t, func(o *Options) { o.Registerer = reg })
	e.fire(alerting.AlarmPanic, "s1", "a1")
	e.fire(alerting.AlarmLinkDown, "s1", "g1")
	e.fire(alerting.AlarmLinkDown, "s1", "g1")
	e.clear(alerting.AlarmLinkDown, "s1", "g1")
	want := `
# HELP campusguard_alerts_open Open (firing or acknowledged) alerts, by severity.
# TYPE campusguard_alerts_open gauge
campusguard_alerts_open{severity="P0"} 1
campusguard_alerts_open{severity="P1"} 0
campusguard_alerts_open{severity="P2"} 0
campusguard_alerts_open{severity="P3"} 0
`
	if err := testutil.GatherAndCompare(reg, stringsReader(want), "campusguard_alerts_open"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.ToFloat64(e.m.met.changes[EventFired]); n != 2 {
		t.Fatalf("fired changes %v, want 2", n)
	}
	if n := testutil.ToFloat64(e.m.met.changes[EventUpdated]); n != 1 {
		t.Fatalf("updated changes %v, want 1", n)
	}
	// No label may carry a school or device id.
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, mt := range mf.GetMetric() {
			for _, l := range mt.GetLabel() {
				if n := l.GetName(); n != "severity" && n != "event" && n != "le" && n != "reason" {
					t.Errorf("%s has label %s", mf.GetName(), n)
				}
			}
		}
	}
}

// failingStore fails every write after the first `ok` writes.
type failingStore struct {
	*MemStore
	mu sync.Mutex
	ok int
}

var errDiskFull = errors.New("disk full")

func (s *failingStore) fail() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ok > 0 {
		s.ok--
		return false
	}
	return true
}

func (s *failingStore) Put(a alerting.Alert) error {
	if s.fail() {
		return errDiskFull
	}
	return s.MemStore.Put(a)
}

func TestStoreFailureKeepsAlerting(t *testing.T) {
	fs := &failingStore{MemStore: NewMemStore(), ok: 1}
	e := newEnv(t, func(o *Options) { o.Store = fs })
	e.fire(alerting.GateForced, "s1", "g1") // stored
	e.fire(alerting.AlarmPanic, "s1", "a1") // store fails
	e.fire(alerting.GateForced, "s1", "g1") // store fails
	expectEvents(t, e.rec.take(), "fired gate_forced", "fired alarm_panic", "updated gate_forced")
	if n := testutil.ToFloat64(e.m.met.storeErrors); n != 2 {
		t.Fatalf("store errors %v, want 2", n)
	}
	if a := e.one(alerting.AlarmPanic, "s1", "a1"); a.State != alerting.Firing {
		t.Fatalf("panic alert not kept in memory: %+v", a)
	}
	if _, err := e.m.Ack(e.one(alerting.AlarmPanic, "s1", "a1").ID, policeOf("u"), ""); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentOrder runs Apply, Ack and List from many goroutines and
// checks that every alert's changes reach OnChange in the order they were
// made (run with -race).
func TestConcurrentOrder(t *testing.T) {
	e := newEnv(t, nil)
	const workers, repeats = 8, 50
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			school := "s" + string(rune('a'+w))
			for i := 0; i < repeats; i++ {
				e.fire(alerting.AlarmLinkDown, school, "g1")
				if i == repeats/2 {
					for _, a := range e.m.List(Filter{Schools: []string{school}}) {
						if _, err := e.m.Ack(a.ID, policeOf("u"), ""); err != nil {
							t.Error(err)
						}
					}
				}
			}
			e.clear(alerting.AlarmLinkDown, school, "g1")
		}(w)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 100; i++ {
			e.m.List(Filter{})
		}
	}()
	wg.Wait()
	last := map[string]Change{}
	for _, c := range e.rec.take() {
		p, seen := last[c.Alert.ID]
		switch {
		case !seen && c.Event != EventFired:
			t.Fatalf("first change of %s is %s", c.Alert.ID, c.Event)
		case seen && p.Alert.State == alerting.Resolved:
			t.Fatalf("change %s after resolution of %s", c.Event, c.Alert.ID)
		case seen && c.Alert.Count < p.Alert.Count:
			t.Fatalf("count went back from %d to %d", p.Alert.Count, c.Alert.Count)
		}
		last[c.Alert.ID] = c
	}
	if len(last) != workers {
		t.Fatalf("%d alerts, want %d", len(last), workers)
	}
	for id, c := range last {
		if c.Event != EventResolved || c.Alert.Count != repeats || c.Alert.AckedBy != "u" {
			t.Fatalf("%s ended with %s count %d acked_by %q", id, c.Event, c.Alert.Count, c.Alert.AckedBy)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
