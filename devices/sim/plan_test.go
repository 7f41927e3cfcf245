package sim

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestDemoPlanTargets: the demo plan has each of its faults, the panic,
// the forced gate and the unstaffed post at the first school (the demo's
// school account), and the silent school apart from every other fault.
func TestDemoPlanTargets(t *testing.T) {
	p, err := DemoPlan(testRegistry(t))
	if err != nil {
		t.Fatal(err)
	}
	got := map[FaultKind]Fault{}
	for _, st := range p {
		if _, dup := got[st.Fault.Kind]; dup {
			t.Errorf("%s twice", st.Fault.Kind)
		}
		got[st.Fault.Kind] = st.Fault
	}
	want := map[FaultKind]string{
		FaultPostUnstaffed:    "cd-0001:main-gate",
		FaultKitchenCamOff:    "cd-0001-kitchencam-1",
		FaultPanicPress:       "cd-0001-alarm-1",
		FaultGateForced:       "cd-0001-gate-1",
		FaultKitchenViolation: "cd-0002-kitchencam-1", // another school than the dark camera's
		FaultSilentSchool:     "cd-0003",
	}
	for k, target := range want {
		f, ok := got[k]
		g := f.Device
		switch k {
		case FaultPostUnstaffed:
			g = f.School + ":" + f.Post
		case FaultSilentSchool:
			g = f.School
		}
		if !ok || g != target {
			t.Errorf("%s: target %q (present %v), want %q", k, g, ok, target)
		}
	}
	if len(got) != len(want) {
		t.Errorf("plan has %d faults, want %d:\n%s", len(got), len(want), p)
	}
	if _, err := New(Options{Registry: testRegistry(t), Start: monday, Faults: p.Faults(monday)}, nil); err != nil {
		t.Errorf("the simulator refuses the demo plan: %v", err)
	}
	if _, err := NamedPlan("chaos", testRegistry(t)); err == nil {
		t.Error(`NamedPlan("chaos"): no error`)
	}
	if none, err := NamedPlan(PlanNone, testRegistry(t)); err != nil || none != nil {
		t.Errorf("NamedPlan(none) = %v, %v", none, err)
	}
}

// TestDemoPlanOnTheClock runs the demo plan through Run on a fake clock at
// real speed, starting at 23:00 on a Saturday (no peak, no meal, no school
// day: the demo must show alerts at any hour), and checks each fault is
// emitted at its time: the dark camera's retained offline status at +0:20,
// the panic at +0:30, the forced gate at +1:00, the kitchen violation at
// +1:30, and nothing from the silent school from +0:15 on.
func TestDemoPlanOnTheClock(t *testing.T) {
	reg := testRegistry(t)
	plan, err := DemoPlan(reg)
	if err != nil {
		t.Fatal(err)
	}
	start := at(monday, -48+23, 0) // Saturday 2026-11-28 23:00
	clock := newFakeClock(start)
	pub := &fakePublisher{}
	s, err := New(Options{Registry: reg, Start: start, Clock: clock, Quiet: true, Seed: 2, Faults: plan.Faults(start)}, pub)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	for range 4 * 60 { // four minutes, a second at a time
		<-clock.waiting
		clock.Advance(time.Second)
	}
	<-clock.waiting
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	first := func(device, typ string) (time.Time, int) {
		var ts time.Time
		n := 0
		for _, p := range pub.got {
			if strings.Split(p.topic, "/")[4] != device {
				continue
			}
			var m struct {
				TS     time.Time `json:"ts"`
				Type   string    `json:"type"`
				Status string    `json:"status"`
			}
			if err := json.Unmarshal([]byte(p.payload), &m); err != nil {
				t.Fatal(err)
			}
			if m.Type == typ || (typ == "status:offline" && m.Type == "status" && m.Status == "offline") {
				if n == 0 {
					ts = m.TS
				}
				n++
			}
		}
		return ts, n
	}
	for _, c := range []struct {
		device, typ string
		at          time.Duration
	}{
		{"cd-0001-kitchencam-1", "status:offline", 20 * time.Second},
		{"cd-0001-alarm-1", "alarm.panic", 30 * time.Second},
		{"cd-0001-gate-1", "access.forced", time.Minute},
		{"cd-0002-kitchencam-1", "kitchen.violation", 90 * time.Second},
	} {
		ts, n := first(c.device, c.typ)
		if n != 1 || !ts.Equal(start.Add(c.at)) {
			t.Errorf("%s %s: %d messages, first at %s, want one at +%s (%s)", c.device, c.typ, n, ts.In(shanghai).Format(time.TimeOnly), c.at, start.Add(c.at).Format(time.TimeOnly))
		}
	}
	silentFrom := start.Add(15 * time.Second)
	var before int
	for _, p := range pub.got {
		if strings.Split(p.topic, "/")[2] != "cd-0003" {
			continue
		}
		var m struct {
			TS time.Time `json:"ts"`
		}
		_ = json.Unmarshal([]byte(p.payload), &m)
		if !m.TS.Before(silentFrom) {
			t.Errorf("silent school spoke at %s: %s %s", m.TS.In(shanghai).Format(time.TimeOnly), p.topic, p.payload)
		} else {
			before++
		}
	}
	if before == 0 {
		t.Error("the silent school sent nothing before it fell silent (its status at the start)")
	}
}

// TestDemoPlanPostUnstaffed: started before a school day's morning peak,
// the plan's post gets no check-in at that peak, while the other school's
// posts are staffed as usual.
func TestDemoPlanPostUnstaffed(t *testing.T) {
	reg := testRegistry(t)
	plan, err := DemoPlan(reg)
	if err != nil {
		t.Fatal(err)
	}
	start := at(monday, 6, 0)
	s := newSim(t, Options{Registry: reg, Start: start, Quiet: true, Seed: 2, Faults: plan.Faults(start)})
	posts := map[string]int{} // school:post → check-ins
	for _, m := range collect(t, s, at(monday, 8, 10), time.Minute) {
		if m.typ() == "guard.checkin" && m.str("post") != "" {
			posts[m.School+":"+m.str("post")]++
		}
	}
	if n := posts["cd-0001:main-gate"]; n != 0 {
		t.Errorf("the unstaffed post had %d check-ins", n)
	}
	if posts["cd-0002:main-gate"] == 0 {
		t.Errorf("no check-ins at another school's post: %v", posts)
	}
}
