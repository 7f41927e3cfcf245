package auth

import "testing"

// FuzzParse: the users file decoder never panics, and what it accepts
// yields valid viewers.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := Parse("users.yaml", data, nil)
		if err != nil {
			return
		}
		if u == nil {
			t.Fatal("nil users without an error")
		}
	})
}
