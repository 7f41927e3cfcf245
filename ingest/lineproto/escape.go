package lineproto

// Line protocol escaping (InfluxDB 2 reference, "Special characters"):
// measurement names escape comma and space; tag keys, tag values and field
// keys also escape the equals sign; string field values escape double quote
// and backslash. Backslashes are always doubled, so a value never ends in an
// escape that swallows the separator after it.
//
// Line protocol has no escape for a newline, and parsers differ on what
// else they accept (InfluxDB takes a raw newline inside a quoted string,
// Telegraf's parser refuses \f and lone backslashes). So that every point is
// one line every parser accepts, ASCII control characters become spaces:
// escaped in names and tags, plain in strings, where only the tab is kept.
// Decode lets no control character into ids, enums or topic levels; only
// free text such as access.denied's reason can lose a line break.

// Byte classes for the escaping loops: which bytes need attention in a
// measurement, in a key or tag value, and in a string field.
const (
	specialMeasurement = 1 << iota
	specialKey
	specialString
)

var special = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = specialMeasurement | specialKey | specialString
	}
	t['\t'] &^= specialString
	t[0x7f] = specialMeasurement | specialKey | specialString
	t[','] = specialMeasurement | specialKey
	t[' '] = specialMeasurement | specialKey
	t['='] = specialKey
	t['\\'] = specialMeasurement | specialKey | specialString
	t['"'] = specialString
	return t
}()

// appendMeasurement escapes a measurement name.
func appendMeasurement(dst []byte, s string) []byte {
	return appendEscaped(dst, s, specialMeasurement)
}

// appendKey escapes a tag key, tag value or field key.
func appendKey(dst []byte, s string) []byte {
	return appendEscaped(dst, s, specialKey)
}

// appendString escapes the body of a string field value.
func appendString(dst []byte, s string) []byte {
	return appendEscaped(dst, s, specialString)
}

// appendEscaped appends s, copying runs of ordinary bytes at once.
func appendEscaped(dst []byte, s string, class uint8) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if special[c]&class == 0 {
			continue
		}
		dst = append(dst, s[start:i]...)
		start = i + 1
		switch {
		case c < 0x20 || c == 0x7f:
			if class == specialString {
				dst = append(dst, ' ')
			} else {
				dst = append(dst, '\\', ' ')
			}
		default:
			dst = append(dst, '\\', c)
		}
	}
	return append(dst, s[start:]...)
}
