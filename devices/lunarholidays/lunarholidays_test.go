package lunarholidays

import (
	"reflect"
	"testing"

	"github.com/campusguard/campusguard/devices"
)

// TestShippedMatchLunar cross-checks every shipped year file with lunar-go:
// the same festivals, days off and make-up workdays. (The shipped 2026 file
// is checked against the notice's text itself in the devices tests.)
func TestShippedMatchLunar(t *testing.T) {
	years := devices.ShippedHolidayYears()
	if len(years) == 0 {
		t.Fatal("no shipped holiday years")
	}
	for _, y := range years {
		lib, ok, err := Year(y.Year)
		if err != nil || !ok {
			t.Fatalf("%d: lunar-go: ok=%v err=%v", y.Year, ok, err)
		}
		if len(lib.Festivals) != len(y.Festivals) {
			t.Fatalf("%d: %d festivals shipped, lunar-go has %d", y.Year, len(y.Festivals), len(lib.Festivals))
		}
		for i := range y.Festivals {
			if !reflect.DeepEqual(y.Festivals[i], lib.Festivals[i]) {
				t.Errorf("%d: shipped %+v, lunar-go %+v", y.Year, y.Festivals[i], lib.Festivals[i])
			}
		}
	}
}

// TestYearRoundTrip: what Year makes is a valid holiday file.
func TestYearRoundTrip(t *testing.T) {
	y, ok, err := Year(2026)
	if err != nil || !ok {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	data, err := Marshal(y)
	if err != nil {
		t.Fatal(err)
	}
	back, err := devices.ParseHolidayFile("gen.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if !reflect.DeepEqual(*back, y) {
		t.Errorf("round trip:\n got %+v\nwant %+v", *back, y)
	}
	if _, ok, _ := Year(1800); ok {
		t.Error("lunar-go has holidays for 1800?")
	}
}
