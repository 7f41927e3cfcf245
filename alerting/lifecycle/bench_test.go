package lifecycle

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting"
)

// BenchmarkApply measures the hot path: a repeat of an open alert (count,
// updated_at, store write, OnChange) with 10,000 alerts open and a few
// silences to check, on the memory store.
func BenchmarkApply(b *testing.B) {
	clock := &fakeClock{t: t0}
	m, err := Open(Options{Store: NewMemStore(), Clock: clock, StartedAt: t0.Add(-time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 10000; i++ {
		m.Apply(alerting.Condition{Rule: alerting.AccessOffline, School: fmt.Sprintf("s%d", i), Subject: "c1", Firing: true, At: t0})
	}
	for i := 0; i < 5; i++ {
		if _, err := m.AddSilence(Silence{CreatedBy: "ops", Reason: "maintenance",
			Matchers: []Matcher{{Name: "school", Value: fmt.Sprintf("x%d", i)}}, EndsAt: t0.Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
	}
	c := alerting.Condition{Rule: alerting.AccessOffline, School: "s42", Subject: "c1", Firing: true, At: t0.Add(time.Second)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Apply(c)
	}
}

// BenchmarkApplyBolt is the same update on the bbolt store (fsync per
// transaction), from parallel callers as the engine shards call it: the
// Manager groups concurrent changes into one transaction.
func BenchmarkApplyBolt(b *testing.B) {
	st, err := OpenBolt(filepath.Join(b.TempDir(), "alerts.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	clock := &fakeClock{t: t0}
	m, err := Open(Options{Store: st, Clock: clock, StartedAt: t0.Add(-time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 64; i++ {
		m.Apply(alerting.Condition{Rule: alerting.AccessOffline, School: fmt.Sprintf("s%d", i), Subject: "c1", Firing: true, At: t0})
	}
	b.ReportAllocs()
	b.SetParallelism(8) // 16 callers on 2 CPUs, like the engine's shards
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			m.Apply(alerting.Condition{Rule: alerting.AccessOffline, School: fmt.Sprintf("s%d", i%64), Subject: "c1", Firing: true, At: t0})
			i++
		}
	})
}

// BenchmarkBoltPut is one alert write with its fsync: the cost a lone
// change pays.
func BenchmarkBoltPut(b *testing.B) {
	st, err := OpenBolt(filepath.Join(b.TempDir(), "alerts.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	a := alerting.Alert{ID: "al-1", Rule: alerting.AccessOffline, School: "s1", State: alerting.Firing, StartedAt: t0}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Count = i
		if err := st.Put(a); err != nil {
			b.Fatal(err)
		}
	}
}
