package devices

import "testing"

// TestDenseDeviceIndexes checks that Index numbers every device 0..n-1 in
// registry order, that DeviceAt returns it, and that a second Index after
// an edit numbers afresh.
func TestDenseDeviceIndexes(t *testing.T) {
	r, err := Load(smallFixture)
	if err != nil {
		t.Fatal(err)
	}
	check := func() {
		t.Helper()
		n := 0
		for i := range r.Schools {
			for j := range r.Schools[i].Devices {
				d := &r.Schools[i].Devices[j]
				if d.Index() != n || r.DeviceAt(n) != d {
					t.Fatalf("device %s: Index %d, DeviceAt(%d) = %p, want %d and %p", d.ID, d.Index(), n, r.DeviceAt(n), n, d)
				}
				n++
			}
		}
		if n != r.DeviceCount() || n == 0 {
			t.Fatalf("DeviceCount %d, devices %d", r.DeviceCount(), n)
		}
	}
	check()
	r.Schools = r.Schools[1:]
	r.Index()
	check()
	if (&Device{ID: "loose"}).Index() != -1 {
		t.Error("a device never indexed has Index -1")
	}
}
