package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// at returns the instant of clock time h:m on day.
func at(day time.Time, h, m int) time.Time {
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

func inWindow(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

// oneDay runs one virtual Monday (00:00 to 24:00) for the test registry.
func oneDay(t *testing.T, opts Options) (*Simulator, []msg) {
	t.Helper()
	s := newSim(t, opts)
	return s, collect(t, s, monday.AddDate(0, 0, 1), time.Minute)
}

func TestSchoolDayShape(t *testing.T) {
	s, msgs := oneDay(t, Options{Seed: 11})
	reg := s.opts.Registry

	t.Run("status online first, retained", func(t *testing.T) {
		first := map[string]*msg{}
		for i := range msgs {
			if first[msgs[i].Device] == nil {
				first[msgs[i].Device] = &msgs[i]
			}
		}
		for _, sc := range reg.Schools {
			for _, d := range sc.Devices {
				m := first[d.ID]
				if m == nil || m.Channel != "status" || m.str("status") != "online" || !m.Retained || !m.TS.Equal(monday) {
					t.Errorf("%s: first message %+v, want retained status online at the start", d.ID, m)
				}
			}
		}
	})

	t.Run("ids unique, seq +1 per device, ts in order", func(t *testing.T) {
		ids := map[string]bool{}
		seq := map[string]float64{}
		last := map[string]time.Time{}
		for _, m := range msgs {
			id := m.str("id")
			if ids[id] {
				t.Fatalf("duplicate id %s", id)
			}
			ids[id] = true
			if got := m.Fields["seq"].(float64); got != seq[m.Device]+1 {
				t.Fatalf("%s: seq %v after %v", m.Device, got, seq[m.Device])
			}
			seq[m.Device]++
			if m.TS.Before(last[m.Device]) {
				t.Fatalf("%s: ts %s before %s", m.Device, m.TS, last[m.Device])
			}
			last[m.Device] = m.TS
			if _, off := m.TS.Zone(); off != 8*3600 {
				t.Fatalf("ts %s not in +08:00", m.str("ts"))
			}
		}
	})

	for i := range reg.Schools {
		school := &reg.Schools[i]
		t.Run(school.ID, func(t *testing.T) { checkSchoolDay(t, school, msgs) })
	}
}

func checkSchoolDay(t *testing.T, school *devices.School, msgs []msg) {
	peaks, gateWins, kitchenWins := schoolWindows(school)
	win := func(w window) (time.Time, time.Time) {
		return monday.Add(time.Duration(w.start) * time.Minute), monday.Add(time.Duration(w.end) * time.Minute)
	}
	var mine []msg
	for _, m := range msgs {
		if m.School == school.ID {
			mine = append(mine, m)
		}
	}
	population := school.Pupils - school.Boarders + max(3, school.Pupils/12)

	t.Run("morning arrivals and afternoon dismissals", func(t *testing.T) {
		inFrom, inTo := win(peaks[0])
		outFrom, outTo := win(peaks[len(peaks)-1])
		var in, out, visitors int
		buckets := map[int]int{} // arrivals per 10 min
		for _, m := range mine {
			if m.typ() != "access.granted" {
				continue
			}
			if m.str("role") == "visitor" {
				visitors++
				continue
			}
			switch m.str("direction") {
			case "in":
				if !inWindow(m.TS, inFrom, inTo) {
					t.Fatalf("arrival at %s outside the morning peak %s-%s", m.TS, inFrom, inTo)
				}
				in++
				buckets[int(m.TS.Sub(inFrom)/(10*time.Minute))]++
			case "out":
				if !inWindow(m.TS, outFrom, outTo) {
					t.Fatalf("dismissal at %s outside the last peak %s-%s", m.TS, outFrom, outTo)
				}
				out++
			}
		}
		if in != population || out != population {
			t.Errorf("in %d, out %d; want each of %d day pupils and staff once each way", in, out, population)
		}
		if want := 2 * (2 + school.Pupils/300); visitors != want {
			t.Errorf("visitor passages %d, want %d", visitors, want)
		}
		// Arrivals crowd towards the start of lessons: the busiest 10 min
		// hold well over the average share.
		busiest := 0
		for _, n := range buckets {
			busiest = max(busiest, n)
		}
		if avg := float64(in) / float64(len(buckets)); float64(busiest) < 1.3*avg {
			t.Errorf("busiest 10 min %d arrivals, average %.0f: no peak", busiest, avg)
		}
	})

	t.Run("gate opens and closes with its windows", func(t *testing.T) {
		var opens, closes []time.Time
		for _, m := range mine {
			if m.typ() == "gate.state" && m.Device == school.Devices[1].ID {
				if m.str("state") == "open" {
					opens = append(opens, m.TS)
				} else {
					closes = append(closes, m.TS)
				}
			}
		}
		if len(opens) != len(gateWins) || len(closes) != len(gateWins) {
			t.Fatalf("%d opens, %d closes; want %d each", len(opens), len(closes), len(gateWins))
		}
		for i, w := range gateWins {
			from, to := win(w)
			if !opens[i].Equal(from) || !closes[i].Equal(to) {
				t.Errorf("window %d: open %s close %s, want %s %s", i, opens[i], closes[i], from, to)
			}
		}
	})

	t.Run("posts staffed before every peak", func(t *testing.T) {
		posts := []devices.Post{}
		for _, p := range school.Posts {
			if p.ID != "guardroom" {
				posts = append(posts, p)
			}
		}
		if len(posts) == 0 {
			posts = []devices.Post{{ID: "main-gate"}}
		}
		for _, p := range posts {
			for _, w := range peaks {
				from, to := win(w)
				ins, outs := 0, 0
				for _, m := range mine {
					if m.str("post") != p.ID {
						continue
					}
					switch {
					case m.typ() == "guard.checkin" && inWindow(m.TS, from.Add(-20*time.Minute), from.Add(-15*time.Minute).Add(time.Nanosecond)):
						ins++
					case m.typ() == "guard.checkout" && inWindow(m.TS, to, to.Add(5*time.Minute+time.Nanosecond)):
						outs++
					}
				}
				if want := max(p.MinStaff, 2); ins < want || outs != ins {
					t.Errorf("post %s, peak %s: %d check-ins 15-20 min before, %d check-outs after; want >= %d each", p.ID, w.name, ins, outs, want)
				}
			}
		}
	})

	t.Run("guard room never empty", func(t *testing.T) {
		on := map[string]time.Time{} // guard → last check-in
		events := 0
		for _, m := range mine {
			if m.str("post") != "guardroom" {
				continue
			}
			g := m.str("guard")
			switch m.typ() {
			case "guard.checkin":
				// A guard staying on through a handover checks in again
				// there (campusguard forgets a check-in after 16 h); a
				// second check-in is fine only then, hours after the last.
				if last, ok := on[g]; ok && m.TS.Sub(last) < 6*time.Hour {
					t.Fatalf("%s checks in twice at %s (last %s)", g, m.TS, last)
				}
				on[g] = m.TS
			case "guard.checkout":
				if _, ok := on[g]; !ok {
					t.Fatalf("%s checks out at %s without checking in", g, m.TS)
				}
				delete(on, g)
				if len(on) == 0 {
					t.Fatalf("guard room empty at %s", m.TS)
				}
			}
			events++
		}
		if len(on) == 0 {
			t.Fatalf("nobody in the guard room (%d events)", events)
		}
		for g, last := range on {
			if end := mine[len(mine)-1].TS; end.Sub(last) > 16*time.Hour {
				t.Errorf("%s last checked in at %s, over 16 h before %s: campusguard no longer counts them", g, last, end)
			}
		}
		// During school hours the roster covers the requirement.
		var during int
		dn, _ := shiftAt(at(monday, 10, 0).UnixNano())
		for g := range school.Guards {
			if (&schoolState{school: school, required: school.RequiredGuards()}).onDuty(g, dn, false) {
				during++
			}
		}
		if want := min(school.RequiredGuards(), len(school.Guards)); during < want {
			t.Errorf("%d guards on the day shift, want >= %d", during, want)
		}
	})

	t.Run("patrol rounds", func(t *testing.T) {
		rounds := map[float64]int{}
		for _, m := range mine {
			if m.typ() == "patrol.checkpoint" {
				rounds[m.Fields["round"].(float64)]++
			}
		}
		if len(rounds) < 5 {
			t.Errorf("%d patrol rounds, want >= 5", len(rounds))
		}
		for r, n := range rounds {
			if n != patrolPoints {
				t.Errorf("round %v: %d checkpoints, want %d", r, n, patrolPoints)
			}
		}
	})

	t.Run("heartbeats every interval", func(t *testing.T) {
		count := map[string]int{}
		for _, m := range mine {
			if m.Channel == "heartbeat" {
				count[m.Device]++
			}
		}
		for _, d := range school.Devices {
			want := int(24 * time.Hour / time.Duration(d.HeartbeatInterval()))
			if got := count[d.ID]; got < want-1 || got > want+1 {
				t.Errorf("%s: %d heartbeats, want %d (every %s)", d.ID, got, want, d.HeartbeatInterval())
			}
		}
	})

	t.Run("kitchen status only inside operating windows", func(t *testing.T) {
		perWindow := map[string]int{}
		for _, m := range mine {
			if m.typ() != "kitchen.status" && m.typ() != "kitchen.violation" {
				continue
			}
			inside := ""
			for _, w := range kitchenWins {
				if from, to := win(w); inWindow(m.TS, from, to) {
					inside = w.name
				}
			}
			if inside == "" {
				t.Fatalf("%s at %s outside the kitchen windows %v", m.typ(), m.TS, kitchenWins)
			}
			if m.typ() == "kitchen.status" {
				perWindow[m.Device+" "+inside]++
			}
		}
		cams := 0
		for _, d := range school.Devices {
			if d.Kind != devices.KindKitchenCam {
				continue
			}
			cams++
			for _, w := range kitchenWins {
				if got, want := perWindow[d.ID+" "+w.name], w.end-w.start; got < want-1 || got > want {
					t.Errorf("%s %s: %d statuses, want one a minute (%d)", d.ID, w.name, got, want)
				}
			}
		}
		if cams == 0 {
			t.Fatal("no kitchen camera in the fixture")
		}
	})
}

func TestWeekendAndCalendar(t *testing.T) {
	saturday := monday.AddDate(0, 0, -2)
	count := func(opts Options) map[string]uint64 {
		opts.Start = saturday
		s := newSim(t, opts)
		s.Step(saturday.AddDate(0, 0, 1), func(string, bool, []byte) {})
		return s.Stats().ByType
	}
	weekend := count(Options{Seed: 1})
	for _, typ := range []string{"access.granted", "gate.state", "kitchen.status"} {
		if weekend[typ] != 0 {
			t.Errorf("Saturday: %d %s, want none", weekend[typ], typ)
		}
	}
	for _, typ := range []string{"guard.checkin", "patrol.checkpoint", "heartbeat.alarm"} {
		if weekend[typ] == 0 {
			t.Errorf("Saturday: no %s; the guard room and devices work every day", typ)
		}
	}
	makeUp := count(Options{Seed: 1, SchoolDay: func(*devices.School, time.Time) bool { return true }})
	if makeUp["access.granted"] == 0 || makeUp["kitchen.status"] == 0 {
		t.Errorf("Options.SchoolDay ignored: %v", makeUp)
	}
}

func TestFaults(t *testing.T) {
	faults := []string{
		"silent_device:cd-0001-gate-1@07:00-08:00",
		"post_unstaffed:cd-0001:main-gate@07:00-08:10",
		"post_unstaffed:cd-0002:north-gate",
		"kitchen_cam_off:cd-0001-kitchencam-1@11:00-13:00",
		"panic_press:cd-0003-alarm-1@10:15",
		"gate_forced:cd-0002-gate-1@22:00",
	}
	var fs []Fault
	for _, f := range faults {
		fs = append(fs, mustFault(t, f))
	}
	s, msgs := oneDay(t, Options{Seed: 5, Faults: fs, Quiet: true})

	t.Run("silent_device", func(t *testing.T) {
		var before, during, after int
		for _, m := range msgs {
			if m.Device != "cd-0001-gate-1" {
				continue
			}
			switch {
			case m.TS.Before(at(monday, 7, 0)):
				before++
			case m.TS.Before(at(monday, 8, 0)):
				during++
			default:
				after++
			}
		}
		if during != 0 || before == 0 || after == 0 {
			t.Errorf("messages before/during/after the silence: %d/%d/%d", before, during, after)
		}
		if s.Stats().Suppressed == 0 {
			t.Error("Stats.Suppressed is 0")
		}
		// The other gate carries the morning traffic as usual.
		other := 0
		for _, m := range msgs {
			if m.Device == "cd-0001-gate-2" && m.typ() == "access.granted" && inWindow(m.TS, at(monday, 7, 0), at(monday, 8, 0)) {
				other++
			}
		}
		if other == 0 {
			t.Error("gate-2 silent too")
		}
	})

	t.Run("post_unstaffed", func(t *testing.T) {
		checkins := map[string]int{}
		for _, m := range msgs {
			if m.typ() != "guard.checkin" {
				continue
			}
			switch {
			case m.School == "cd-0001" && m.str("post") == "main-gate" && m.TS.Before(at(monday, 8, 10)):
				checkins["cd-0001 morning"]++
			case m.School == "cd-0001" && m.str("post") == "main-gate":
				checkins["cd-0001 later"]++
			case m.School == "cd-0002":
				checkins["cd-0002 "+m.str("post")]++
			}
		}
		if checkins["cd-0001 morning"] != 0 || checkins["cd-0002 north-gate"] != 0 {
			t.Errorf("check-ins at unstaffed posts: %v", checkins)
		}
		if checkins["cd-0001 later"] < 6 || checkins["cd-0002 main-gate"] < 6 {
			t.Errorf("other peaks and posts unstaffed too: %v", checkins)
		}
	})

	t.Run("kitchen_cam_off", func(t *testing.T) {
		var statuses []string
		for _, m := range msgs {
			if m.Device != "cd-0001-kitchencam-1" {
				continue
			}
			if m.Channel == "status" {
				statuses = append(statuses, fmt.Sprintf("%s@%s", m.str("status"), m.TS.Format("15:04")))
			}
			if m.typ() == "kitchen.status" || m.Channel == "heartbeat" {
				off := inWindow(m.TS, at(monday, 11, 0), at(monday, 13, 0))
				if m.Fields["online"] != !off || m.Fields["streaming"] != !off {
					t.Errorf("%s at %s: online=%v streaming=%v, want %v", m.typ(), m.TS.Format("15:04:05"), m.Fields["online"], m.Fields["streaming"], !off)
				}
			}
		}
		if want := "[online@00:00 offline@11:00 online@13:00]"; fmt.Sprint(statuses) != want {
			t.Errorf("status messages %v, want %s", statuses, want)
		}
	})

	t.Run("panic_press and gate_forced", func(t *testing.T) {
		var got []string
		for _, m := range msgs {
			if m.typ() == "alarm.panic" || m.typ() == "access.forced" {
				got = append(got, fmt.Sprintf("%s %s@%s", m.typ(), m.Device, m.TS.Format("15:04:05")))
			}
		}
		want := "[alarm.panic cd-0003-alarm-1@10:15:00 access.forced cd-0002-gate-1@22:00:00]"
		if fmt.Sprint(got) != want {
			t.Errorf("got %v, want %s", got, want)
		}
	})

	t.Run("quiet", func(t *testing.T) {
		for _, m := range msgs {
			switch m.typ() {
			case "access.denied", "access.tailgate", "kitchen.violation":
				t.Fatalf("Quiet run sent %s", m.Raw)
			}
		}
	})
}

func TestFaultTargetsChecked(t *testing.T) {
	tests := []struct{ fault, want string }{
		{"silent_device:nope", `unknown device "nope"`},
		{"panic_press:cd-0001-gate-1", "is a access, not a alarm"},
		{"gate_forced:cd-0001-alarm-1", "not a access"},
		{"kitchen_cam_off:cd-0001-alarm-1", "not a kitchencam"},
		{"post_unstaffed:cd-9999:main-gate", `unknown school "cd-9999"`},
		{"post_unstaffed:cd-0001:back-door", `no staffed post "back-door"`},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			_, err := New(Options{Registry: testRegistry(t), Start: monday, Faults: []Fault{mustFault(t, tt.fault)}}, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
