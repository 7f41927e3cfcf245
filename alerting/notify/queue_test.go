package notify

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/alerting"
)

var t0 = time.Date(2026, 11, 28, 7, 0, 0, 0, shanghai)

func gauge() prometheus.Gauge { return prometheus.NewGauge(prometheus.GaugeOpts{Name: "q"}) }

// sev is a notification of one severity for queue tests.
func sev(id string, s alerting.Severity) Notification {
	n := note(id)
	n.Alert.Severity = s
	return n
}

// drain takes every due entry at now and returns their alert ids, one
// string per entry ("a+b" for a digest).
func drain(q *queue, now time.Time, maxAlerts int) []string {
	var got []string
	for {
		e, _ := q.next(now)
		if e == nil {
			return got
		}
		q.take(e, now, maxAlerts)
		id := ""
		for i, m := range e.members {
			if i > 0 {
				id += "+"
			}
			id += m.n.Alert.ID
		}
		got = append(got, id)
	}
}

func ids(ms []*member) []string {
	var s []string
	for _, m := range ms {
		s = append(s, m.n.Alert.ID)
	}
	return s
}

// TestQueueMostSevereFirst: P0 overtakes everything queued; each severity
// keeps its order.
func TestQueueMostSevereFirst(t *testing.T) {
	q := newQueue(100, GroupOptions{}, gauge())
	for _, n := range []Notification{sev("a", alerting.P2), sev("b", alerting.P1), sev("c", alerting.P2),
		sev("d", alerting.P0), sev("e", alerting.P1), sev("f", alerting.P3), sev("g", alerting.P0)} {
		q.push(n, t0)
	}
	if got, want := drain(q, t0, 0), []string{"d", "g", "b", "e", "a", "c", "f"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	if q.len() != 0 {
		t.Fatalf("len = %d after draining", q.len())
	}
}

// TestQueueFullNeverShedsP0: a full queue sheds the oldest of the least
// severe non-P0 notifications; P0s are never shed, even beyond max.
func TestQueueFullNeverShedsP0(t *testing.T) {
	q := newQueue(3, GroupOptions{}, gauge())
	steps := []struct {
		n    Notification
		shed []string
	}{
		{sev("p1", alerting.P0), nil},
		{sev("x2", alerting.P2), nil},
		{sev("y1", alerting.P1), nil},
		{sev("p2", alerting.P0), []string{"x2"}}, // least severe goes first
		{sev("z3", alerting.P3), []string{"z3"}}, // the newcomer is the least severe
		{sev("p3", alerting.P0), []string{"y1"}}, // the last non-P0
		{sev("p4", alerting.P0), nil},            // only P0s left: kept beyond max
		{sev("w1", alerting.P1), []string{"w1"}}, // a non-P0 cannot push a P0 out
	}
	for _, s := range steps {
		if got := ids(q.push(s.n, t0)); !slices.Equal(got, s.shed) {
			t.Fatalf("push %s shed %v, want %v", s.n.Alert.ID, got, s.shed)
		}
	}
	if got, want := drain(q, t0, 0), []string{"p1", "p2", "p3", "p4"}; !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want every P0 in order", got)
	}
}

// TestQueueShedsOldestOfTheLeastSevere across many pushes.
func TestQueueShedsOldestOfTheLeastSevere(t *testing.T) {
	q := newQueue(40, GroupOptions{}, gauge())
	var shed []string
	for i := range 100 {
		s := alerting.P1
		if i%2 == 1 {
			s = alerting.P2
		}
		shed = append(shed, ids(q.push(sev(fmt.Sprint(i), s), t0))...)
	}
	// 50 P1 and 50 P2 pushed into 40 places: the 50 P2 go first, then the
	// 10 oldest P1 (0, 2, ..., 18).
	if len(shed) != 60 || q.len() != 40 {
		t.Fatalf("shed %d, kept %d; want 60 and 40", len(shed), q.len())
	}
	got := drain(q, t0, 0)
	for i, id := range got {
		if want := fmt.Sprint(20 + 2*i); id != want {
			t.Fatalf("kept %v, want the 40 newest P1 in order", got)
		}
	}
}

// TestQueueGroups: non-P0 notifications of one (rule, region, event) wait
// group.wait and go as one digest; the next digest of the group waits for
// group.interval; P0 is never held.
func TestQueueGroups(t *testing.T) {
	g := GroupOptions{By: []string{"rule", "region"}, Wait: 30 * time.Second, Interval: 2 * time.Minute, MaxAlerts: 3}
	q := newQueue(100, g, gauge())
	off := func(id, region string, s alerting.Severity) Notification {
		n := sev(id, s)
		n.Alert.Rule, n.Alert.Region = alerting.SchoolOffline, region
		return n
	}
	q.push(off("a", "130802", alerting.P2), t0)
	q.push(off("b", "130802", alerting.P1), t0.Add(time.Second))
	q.push(off("c", "130803", alerting.P2), t0.Add(2*time.Second))
	q.push(off("d", "130802", alerting.P2), t0.Add(3*time.Second))
	if e, wake := q.next(t0.Add(29 * time.Second)); e != nil || !wake.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("next before group_wait = %v, wake %v", e, wake)
	}
	q.push(sev("panic", alerting.P0), t0.Add(4*time.Second))
	if got := drain(q, t0.Add(5*time.Second), 3); !slices.Equal(got, []string{"panic"}) {
		t.Fatalf("during group_wait got %v, want only the P0", got)
	}
	// At 30s the 130802 group is due (its P1 ranks it first); 130803's at 32s.
	if got := drain(q, t0.Add(30*time.Second), 3); !slices.Equal(got, []string{"a+b+d"}) {
		t.Fatalf("at group_wait got %v", got)
	}
	if got := drain(q, t0.Add(32*time.Second), 3); !slices.Equal(got, []string{"c"}) {
		t.Fatalf("second group got %v", got)
	}
	// After a digest the group's next one waits for group_interval.
	for _, id := range []string{"e", "f", "g", "h", "i"} {
		q.push(off(id, "130802", alerting.P2), t0.Add(40*time.Second))
	}
	if _, wake := q.next(t0.Add(time.Minute)); !wake.Equal(t0.Add(30*time.Second + 2*time.Minute)) {
		t.Fatalf("next digest wakes at %v, want group_interval after the last", wake)
	}
	// More than max_alerts: split into messages of at most 3.
	if got := drain(q, t0.Add(3*time.Minute), 3); !slices.Equal(got, []string{"e+f+g", "h+i"}) {
		t.Fatalf("split digest %v", got)
	}
	if q.len() != 0 {
		t.Fatalf("len = %d", q.len())
	}
}

// TestQueueShedsFromDigests: a full queue sheds grouped notifications too,
// oldest of the least severe first; a digest emptied by shedding is gone.
func TestQueueShedsFromDigests(t *testing.T) {
	q := newQueue(3, RobotGroup(), gauge())
	off := func(id, region string, s alerting.Severity) Notification {
		n := sev(id, s)
		n.Alert.Rule, n.Alert.Region = alerting.SchoolOffline, region
		return n
	}
	q.push(off("a2", "130802", alerting.P2), t0)
	q.push(off("b1", "130802", alerting.P1), t0)
	q.push(off("c2", "130803", alerting.P2), t0)
	if got := ids(q.push(sev("panic", alerting.P0), t0)); !slices.Equal(got, []string{"a2"}) {
		t.Fatalf("shed %v, want the oldest P2", got)
	}
	if got := ids(q.push(sev("panic2", alerting.P0), t0)); !slices.Equal(got, []string{"c2"}) {
		t.Fatalf("shed %v, want the other P2 (emptying its digest)", got)
	}
	if got := drain(q, t0.Add(time.Hour), 40); !slices.Equal(got, []string{"panic", "panic2", "b1"}) {
		t.Fatalf("delivered %v", got)
	}
}
