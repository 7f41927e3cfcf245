package decode

import "github.com/campusguard/campusguard/devices"

// testMode settles the mode of an alarm.test (devices.TestManual or
// devices.TestPeriodic). Panels that speak Contact ID report both the
// manual test (E601) and their automatic periodic test (E602); many
// integrations map both to alarm.test and keep the raw code in
// vendor_code. Only a manual test satisfies alarm_test_overdue, so:
//
//   - a mode given by the device is kept, unless vendor_code is a Contact ID
//     test code naming the other mode: that contradiction is rejected
//     (bad_field_value) rather than guessed, so a self-test can never be
//     counted as a button press;
//   - without a mode, a vendor_code of 601 or 602 (ContactIDTestMode)
//     supplies it, appended to Values as if the device had sent it;
//   - without either, the test is manual: the contract has always called
//     alarm.test a test press, and devices that send it without a code
//     were built to that reading.
func testMode(e *devices.Event) *RejectError {
	coded, hasCode := devices.ContactIDTestMode(e.VendorCode)
	if v, ok := e.Lookup("mode"); ok {
		if hasCode && v.Str != coded {
			return reject(ReasonBadFieldValue, `field "mode" is `+quote(v.Str)+" but vendor_code "+quote(e.VendorCode)+" is a "+coded+" test")
		}
		return nil
	}
	mode := devices.TestManual
	if hasCode {
		mode = coded
	}
	// mode is the last field of alarm.test, so appending keeps the
	// vocabulary order of Values.
	e.Values = append(e.Values, devices.Value{Name: "mode", Type: devices.TypeEnum, Str: mode})
	return nil
}
