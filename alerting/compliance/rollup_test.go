package compliance

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/campusguard/campusguard/devices"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// threeSchools runs a day of three schools: a and b in 双桥区 (b's alarm
// terminal silent 10 min in school hours), c in 双滦区 without a kitchen
// camera (its kitchen registered: it cannot show bright_kitchen). It returns the store at midnight after the day.
func threeSchools(t *testing.T) *Store {
	d := monday
	reg := testRegistry(
		testSchool("a", "130802"),
		testSchool("b", "130802"),
		testSchool("c", "130803", devices.KindAccess, devices.KindAlarm, devices.KindGuard),
	)
	store := NewStore(reg, nil)
	end := at(d.AddDays(1), 0, 0)
	store.Now = func() time.Time { return end }
	for i := range reg.Schools {
		r := newRig(t, store, &reg.Schools[i], at(d, 0, 0))
		r.perfectDay(d)
		if reg.Schools[i].ID == "b" {
			r.quiet(devices.KindAlarm, at(d, 10, 0), at(d, 10, 10))
		}
		r.run(end)
	}
	return store
}

func TestRollup(t *testing.T) {
	rep := threeSchools(t).Day(monday)
	if len(rep.Schools) != 3 || rep.Schools[0].School != "a" || rep.Schools[2].School != "c" {
		t.Fatalf("schools = %+v", rep.Schools)
	}
	third := 1.0 / 3
	want := []RegionRollup{
		{Region: "130802", Name: "双桥区", Schools: 2, FourHundredRate: 0.5, Rates: map[Measure]float64{
			ClosedCampus: 1, GuardStaffing: 1, ProtectionPost: 1, AlarmLink: 0.5, BrightKitchen: 1}},
		{Region: "130803", Name: "双滦区", Schools: 1, FourHundredRate: 1, Rates: map[Measure]float64{
			ClosedCampus: 1, GuardStaffing: 1, ProtectionPost: 1, AlarmLink: 1, BrightKitchen: 0}},
	}
	city := RegionRollup{Region: "130800", Name: "承德市", Schools: 3, FourHundredRate: 2 * third, Rates: map[Measure]float64{
		ClosedCampus: 1, GuardStaffing: 1, ProtectionPost: 1, AlarmLink: 2 * third, BrightKitchen: 2 * third}}
	if len(rep.Regions) != len(want) {
		t.Fatalf("regions = %+v", rep.Regions)
	}
	for i, w := range want {
		sameRollup(t, rep.Regions[i], w)
	}
	sameRollup(t, rep.City, city)
	// c has a kitchen but no camera: it does not meet bright_kitchen (it
	// used to be left out, and 双滦区 had no bright_kitchen rate at all).
	if c := rep.Regions[1].Counts[BrightKitchen]; c != (Counts{All: 1, NotMet: 1}) {
		t.Errorf("双滦区 bright_kitchen counts = %+v", c)
	}
}

func sameRollup(t *testing.T, got, want RegionRollup) {
	t.Helper()
	if got.Region != want.Region || got.Name != want.Name || got.Schools != want.Schools ||
		math.Abs(got.FourHundredRate-want.FourHundredRate) > 1e-9 || len(got.Rates) != len(want.Rates) {
		t.Errorf("rollup = %+v, want %+v", got, want)
		return
	}
	for m, w := range want.Rates {
		if g, ok := got.Rates[m]; !ok || math.Abs(g-w) > 1e-9 {
			t.Errorf("%s %s rate = %v, want %v", got.Region, m, g, w)
		}
	}
}

func TestLineProtocolGolden(t *testing.T) {
	store := threeSchools(t)
	got := store.LineProtocol(monday, at(monday.AddDays(1), 0, 0))
	golden := filepath.Join("testdata", "lineprotocol.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("line protocol differs from %s:\n%s", golden, got)
	}
	// Written again later, the day's points keep their time: they overwrite.
	if again := store.LineProtocol(monday, at(monday.AddDays(3), 0, 0)); !bytes.Equal(again, got) {
		t.Errorf("frozen day renders differently later:\n%s", again)
	}
}

func TestLineProtocolEscapesTags(t *testing.T) {
	b := appendTag(nil, "a b,c=d")
	if string(b) != `a\ b\,c\=d` {
		t.Errorf("escaped = %s", b)
	}
}

// TestConcurrentReads reads the store from other goroutines while the
// module writes it (run with -race).
func TestConcurrentReads(t *testing.T) {
	r, _ := oneSchool(t, monday)
	r.perfectDay(monday)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = r.store.DayAt(monday, at(monday, 12, 0))
				_ = r.store.LineProtocol(monday, at(monday, 12, 0))
			}
		}()
	}
	r.run(at(monday.AddDays(1), 0, 30))
	close(stop)
	wg.Wait()
	assertOnly(t, r.day(monday), nil)
}
