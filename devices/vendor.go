package devices

import "strings"

// IntrusionTypes are the access events that raise gate_intrusion: a person
// got past the gate without passing it properly (tailgating, climbing
// over, reverse entry, forced impact). gate_forced (access.forced) is a
// door forced open, a rule of its own.
var IntrusionTypes = []string{"access.tailgate", "access.climb", "access.reverse", "access.impact"}

// IsIntrusion reports whether typ is one of IntrusionTypes.
func IsIntrusion(typ string) bool {
	for _, t := range IntrusionTypes {
		if t == typ {
			return true
		}
	}
	return false
}

// ContactIDTestMode returns the alarm.test mode a Contact ID code names:
// 601 (manual trigger test) → TestManual, 602 (periodic test report) →
// TestPeriodic; ok is false for any other code. The code may carry the
// event qualifier E or R, or none ("E602", "602"); case is ignored.
// Devices put their raw code in vendor_code, so this is how a panel that
// maps both codes to alarm.test without a mode is told apart.
func ContactIDTestMode(code string) (mode string, ok bool) {
	c := strings.TrimSpace(code)
	if len(c) == 4 && (c[0] == 'E' || c[0] == 'e' || c[0] == 'R' || c[0] == 'r') {
		c = c[1:]
	}
	switch c {
	case "601":
		return TestManual, true
	case "602":
		return TestPeriodic, true
	}
	return "", false
}
