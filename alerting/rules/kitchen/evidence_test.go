package kitchen

import (
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/devices"
)

// withSnapshot is violation with the event's snapshot reference set to ref
// ("" leaves the field out).
func withSnapshot(ev devices.Event, ref string) devices.Event {
	vals := ev.Values[:0:0]
	for _, v := range ev.Values {
		if v.Name != "snapshot" {
			vals = append(vals, v)
		}
	}
	if ref != "" {
		vals = append(vals, devices.Value{Name: "snapshot", Type: devices.TypeString, Str: ref})
	}
	ev.Values = vals
	return ev
}

// TestSnapshotReachesTheAlert: the evidence reference of a kitchen.violation
// (docs/protocol.md, field snapshot) is carried into the alert of every
// tier; a grouped re-detection brings its newer snapshot, one without a
// snapshot keeps the last; the old code dropped it, so the market board had
// no evidence to show.
func TestSnapshotReachesTheAlert(t *testing.T) {
	start := at(monday, 10, 0)
	l := newLoop(t, start)
	l.event(withSnapshot(violation("cam-1", "r1", "rodent"), "https://img.example.org/snap/r1.jpg"))
	l.event(withSnapshot(violation("cam-1", "g1", "no_gloves"), "s3://snap/g1.jpg"))
	l.event(withSnapshot(violation("cam-1", "p1", "phone"), ""))
	got := map[string]string{}
	for _, a := range l.open(alerting.KitchenViolation) {
		got[violationCat(a.Subject)] = a.Snapshot
	}
	want := map[string]string{"rodent": "https://img.example.org/snap/r1.jpg", "no_gloves": "s3://snap/g1.jpg", "phone": ""}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: snapshot %q, want %q", k, got[k], w)
		}
	}

	l.advanceTo(start.Add(5 * time.Minute))
	l.event(withSnapshot(violation("cam-1", "r2", "rodent"), "https://img.example.org/snap/r2.jpg"))
	l.advanceTo(start.Add(6 * time.Minute))
	l.event(withSnapshot(violation("cam-1", "r3", "rodent"), ""))
	for _, a := range l.open(alerting.KitchenViolation) {
		if violationCat(a.Subject) == "rodent" && (a.Count != 3 || a.Snapshot != "https://img.example.org/snap/r2.jpg") {
			t.Errorf("grouped rodent alert: count %d snapshot %q, want 3 and r2's", a.Count, a.Snapshot)
		}
	}
}

// TestOverdueCarriesTheDeadline: the kitchen_overdue alert of a violation of
// every tier carries the deadline it missed (due_at) and the violation's
// evidence, so the boards show the tier's deadline on the overdue row;
// the old code left both out and the row read "—".
func TestOverdueCarriesTheDeadline(t *testing.T) {
	for _, tc := range []struct {
		cat string
		due time.Duration
	}{{"rodent", 4 * time.Hour}, {"smoking", 24 * time.Hour}, {"no_hat", 24 * time.Hour}} {
		t.Run(tc.cat, func(t *testing.T) {
			start := at(monday, 10, 0)
			l := newLoop(t, start)
			l.event(withSnapshot(violation("cam-1", "v", tc.cat), "https://img.example.org/v.jpg"))
			l.advanceTo(start.Add(tc.due))
			o := l.open(alerting.KitchenOverdue)
			if len(o) != 1 {
				t.Fatalf("overdue alerts %+v, want one", o)
			}
			if !dueIs(o[0], start.Add(tc.due)) {
				t.Errorf("overdue alert due_at %v, want the missed deadline %v", o[0].DueAt, start.Add(tc.due))
			}
			if o[0].Snapshot != "https://img.example.org/v.jpg" {
				t.Errorf("overdue alert snapshot %q", o[0].Snapshot)
			}
			// It must not go overdue itself.
			l.advanceTo(start.Add(3 * tc.due))
			if o := l.open(alerting.KitchenOverdue); len(o) != 1 {
				t.Fatalf("overdue alerts later: %+v", o)
			}
		})
	}
}

// violationCat is the category of a kitchen alert's subject
// ("<device>:<category>:<event>" or "<category>@<date>").
func violationCat(subject string) string {
	if parts := strings.Split(subject, ":"); len(parts) == 3 {
		return parts[1]
	}
	cat, _, _ := strings.Cut(subject, "@")
	return cat
}
