package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/devices/sim"
)

// scenarioRun drives one scenario on virtual time, a minute at a time: the
// simulator's traffic plus scripted messages go through the real broker,
// campusguard handles all of it, then the engine and the lifecycle advance
// to the minute and the hooks due by then run (API calls, snapshots, more
// scripted messages). Everything waits on conditions, never on the wall
// clock.
type scenarioRun struct {
	t         *testing.T
	a         *app
	clk       *fakeClock
	sim       *sim.Simulator
	pub       *publisher
	published int
	// alarmEvents counts the published alarm events: each reaches
	// campusguard through both MQTT sessions (see settle).
	alarmEvents int
	seq         int

	scripted []timedSample // not yet published, in time order
	hooks    []scenarioHook
	watch    []func(topic string, payload []byte) // see every simulated message
	vt       time.Time                            // the minute being run
}

type timedSample struct {
	at time.Time
	s  sample
}

type scenarioHook struct {
	at   time.Time
	name string
	f    func(vt time.Time)
}

func newScenarioRun(t *testing.T, a *app, clk *fakeClock, s *sim.Simulator, brokerURL string) *scenarioRun {
	return &scenarioRun{t: t, a: a, clk: clk, sim: s, pub: newPublisher(t, brokerURL, "scenario-pub")}
}

// send schedules a device message of type typ at time at with the given
// extra fields (JSON values); it is published in the minute step that
// reaches at.
func (r *scenarioRun) send(d *devices.Device, at time.Time, typ string, fields map[string]any) {
	r.seq++
	p := map[string]any{"id": fmt.Sprintf("scn-%s-%d", d.ID, r.seq), "ts": at.Format(time.RFC3339Nano), "type": typ}
	for k, v := range fields {
		p[k] = v
	}
	b, err := json.Marshal(p)
	if err != nil {
		r.t.Fatal(err)
	}
	r.scripted = append(r.scripted, timedSample{at: at, s: sample{topic: topicOf(d, devices.ChannelEvent), payload: b}})
	sort.SliceStable(r.scripted, func(i, j int) bool { return r.scripted[i].at.Before(r.scripted[j].at) })
}

// at runs f once the minute step reaching at has been handled.
func (r *scenarioRun) at(at time.Time, name string, f func(vt time.Time)) {
	r.hooks = append(r.hooks, scenarioHook{at: at, name: name, f: f})
	sort.SliceStable(r.hooks, func(i, j int) bool { return r.hooks[i].at.Before(r.hooks[j].at) })
}

// run steps from from to to (inclusive) a minute at a time.
func (r *scenarioRun) run(from, to time.Time) {
	r.t.Helper()
	for vt := from; !vt.After(to); vt = vt.Add(time.Minute) {
		r.vt = vt
		var batch []sample
		r.sim.Step(vt, func(topic string, retained bool, payload []byte) {
			for _, w := range r.watch {
				w(topic, payload)
			}
			batch = append(batch, sample{topic: topic, payload: append([]byte(nil), payload...), retained: retained})
		})
		for len(r.scripted) > 0 && !r.scripted[0].at.After(vt) {
			for _, w := range r.watch {
				w(r.scripted[0].s.topic, r.scripted[0].s.payload)
			}
			batch = append(batch, r.scripted[0].s)
			r.scripted = r.scripted[1:]
		}
		r.clk.Set(vt)
		r.pub.publishAll(r.t, batch)
		r.published += len(batch)
		r.alarmEvents += alarmEvents(batch)
		r.settle()
		r.a.alerting.Engine().Advance(vt)
		r.a.alerting.Manager().Tick(vt)
		r.idle()
		for len(r.hooks) > 0 && !r.hooks[0].at.After(vt) {
			h := r.hooks[0]
			r.hooks = r.hooks[1:]
			h.f(vt)
			r.idle()
		}
	}
	if len(r.scripted) > 0 || len(r.hooks) > 0 {
		r.t.Fatalf("scenario ended at %s with %d scripted messages and %d hooks not reached", to.Format(time.DateTime), len(r.scripted), len(r.hooks))
	}
}

// settle is settle (scenario_test.go) polling more often than eventually:
// a scenario has a thousand or more steps.
func (r *scenarioRun) settle() {
	r.t.Helper()
	want := r.published + r.alarmEvents
	r.poll("campusguard handled every published message", func() (bool, string) {
		n, handed, evaluated := handled(r.t, r.a)
		return n >= float64(want) && evaluated >= handed,
			fmt.Sprintf("ingest handled %v of %d; engine evaluated %v of %v", n, want, evaluated, handed)
	})
	r.a.alerting.Engine().Flush()
}

func (r *scenarioRun) idle() {
	r.t.Helper()
	r.poll("alerting idle", func() (bool, string) { return r.a.alerting.Idle(), "busy" })
}

// poll waits for cond with a generous deadline, checking every 5 ms.
func (r *scenarioRun) poll(what string, cond func() (bool, string)) {
	r.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%s at virtual %s: not reached within 60s (last: %s)", what, r.vt.Format(time.DateTime), state)
		}
		<-tick.C
	}
}

// dutyWatch follows the guard check-ins and check-outs at one post that
// the simulator and the script send from one guard terminal, to know who
// is on duty there and since when.
type dutyWatch struct {
	topic, post string
	in          map[string]time.Time // guard → check-in time
}

func (r *scenarioRun) watchDuty(d *devices.Device, post string) *dutyWatch {
	w := &dutyWatch{topic: topicOf(d, devices.ChannelEvent), post: post, in: map[string]time.Time{}}
	r.watch = append(r.watch, func(topic string, payload []byte) {
		if topic != w.topic {
			return
		}
		var ev struct {
			Type  string    `json:"type"`
			TS    time.Time `json:"ts"`
			Guard string    `json:"guard"`
			Post  string    `json:"post"`
		}
		if json.Unmarshal(payload, &ev) != nil || ev.Post != w.post {
			return
		}
		switch ev.Type {
		case "guard.checkin":
			w.in[ev.Guard] = ev.TS
		case "guard.checkout":
			delete(w.in, ev.Guard)
		}
	})
	return w
}

// onDuty lists the roster guards checked in (before at when at is not
// zero), in roster order.
func (w *dutyWatch) onDuty(s *devices.School, before time.Time) []string {
	var ids []string
	for _, g := range s.Guards {
		if t, ok := w.in[g.ID]; ok && (before.IsZero() || t.Before(before)) {
			ids = append(ids, g.ID)
		}
	}
	return ids
}

// offDuty lists the roster guards not checked in, in roster order.
func (w *dutyWatch) offDuty(s *devices.School) []string {
	var ids []string
	for _, g := range s.Guards {
		if _, ok := w.in[g.ID]; !ok {
			ids = append(ids, g.ID)
		}
	}
	return ids
}

// guardTerminal returns school s's guard terminal serving post (the guard
// room terminal for devices.PostGuardroom), or nil.
func guardTerminal(s *devices.School, post string) *devices.Device {
	for i := range s.Devices {
		if d := &s.Devices[i]; d.Kind == devices.KindGuard && d.Post == post {
			return d
		}
	}
	return nil
}

// guardroomTerminal returns the guard terminal the simulator sends
// guard-room check-ins from: the one serving the guard room, else one
// serving no post, else the first; nil when the school has none.
func guardroomTerminal(s *devices.School) *devices.Device {
	if d := guardTerminal(s, devices.PostGuardroom); d != nil {
		return d
	}
	if d := guardTerminal(s, ""); d != nil {
		return d
	}
	return firstDevice(s, devices.KindGuard)
}

// rulesFile writes a rules file with per-school overrides: school id →
// key → value (as the rules file spells it, e.g. "3h").
func rulesFile(t *testing.T, schools map[string]map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("schools:\n")
	ids := make([]string, 0, len(schools))
	for id := range schools {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		b.WriteString("  " + id + ":\n")
		keys := make([]string, 0, len(schools[id]))
		for k := range schools[id] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteString("    " + k + ": " + strconv.Quote(schools[id][k]) + "\n")
		}
	}
	return writeTemp(t, "rules.yaml", b.String())
}

// alarmEvents counts the alarm events (campus/{region}/{school}/alarm/
// {device}/event) in batch: campusguard receives each twice, through the
// alarm lane and through the main session, whose filter campus/+/+/+/+/+
// matches them too; the second is counted as a duplicate.
func alarmEvents(batch []sample) int {
	n := 0
	for _, m := range batch {
		l := strings.Split(m.topic, "/")
		if !m.retained && len(l) == 6 && l[3] == string(devices.KindAlarm) && l[5] == string(devices.ChannelEvent) {
			n++
		}
	}
	return n
}
