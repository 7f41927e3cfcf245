package devices

import "testing"

// TestValidIDMatchesPattern: the hand-written id check accepts exactly what
// idPattern does.
func TestValidIDMatchesPattern(t *testing.T) {
	ids := []string{"", "a", "cd-0001-alarm-1", "A", "a_b", "a b", "ä", "-", "0", "a.b", "a\n",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}
	for c := 0; c < 256; c++ {
		ids = append(ids, "x"+string(rune(c)), string([]byte{byte(c)}))
	}
	for _, id := range ids {
		if got, want := validID(id), idPattern.MatchString(id); got != want {
			t.Errorf("validID(%q) = %v, idPattern says %v", id, got, want)
		}
	}
}
