package decode

import (
	"time"
)

// maxFracDigits bounds the fraction of an RFC 3339 second (nanoseconds).
const maxFracDigits = 9

// parseTS returns the instant a ts member names: an RFC 3339 string with an
// offset, or an integer JSON number of Unix milliseconds. The result is UTC.
func parseTS(m *member) (time.Time, *RejectError) {
	switch m.kind {
	case kString:
		b := m.raw
		if m.esc {
			b = unescape(nil, b)
		}
		t, ok := parseRFC3339(b)
		if !ok {
			return time.Time{}, reject(ReasonBadTS, "want RFC 3339 with offset, got "+quote(string(b)))
		}
		return t, nil
	case kNumber:
		ms, ok := parseInt(m)
		if !ok {
			return time.Time{}, reject(ReasonBadTS, "want integer Unix milliseconds, got "+quote(string(m.raw)))
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	return time.Time{}, reject(ReasonBadTS, "want a string or a number, got "+m.kind.String())
}

// parseRFC3339 parses YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM) without
// allocating (time.Parse allocates a zone for every offset). Lower-case t and
// z are accepted (RFC 3339 §5.6); leap seconds are not (nor by time.Parse).
func parseRFC3339(b []byte) (time.Time, bool) {
	if len(b) < len("2006-01-02T15:04:05Z") {
		return time.Time{}, false
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != 't') || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	i, nsec := 19, 0
	if b[i] == '.' {
		i++
		n := 0
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			if n < maxFracDigits {
				nsec = nsec*10 + int(b[i]-'0')
			}
			n++
			i++
		}
		if n == 0 || n > maxFracDigits {
			return time.Time{}, false
		}
		for ; n < maxFracDigits; n++ {
			nsec *= 10
		}
	}
	if i >= len(b) {
		return time.Time{}, false
	}
	offset := 0
	switch b[i] {
	case 'Z', 'z':
		i++
	case '+', '-':
		if len(b)-i != len("+08:00") || b[i+3] != ':' {
			return time.Time{}, false
		}
		oh, ok1 := digits(b[i+1 : i+3])
		om, ok2 := digits(b[i+4 : i+6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if b[i] == '-' {
			offset = -offset
		}
		i += len("+08:00")
	default:
		return time.Time{}, false
	}
	if i != len(b) {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

// digits parses a fixed-width run of ASCII digits.
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseInt parses an integer number member (no fraction, no exponent) that
// fits int64.
func parseInt(m *member) (int64, bool) {
	if m.kind != kNumber || m.frac {
		return 0, false
	}
	b := m.raw
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	var n uint64
	for _, c := range b {
		d := uint64(c - '0')
		if n > (1<<63)/10 || n*10 > 1<<63-d {
			return 0, false
		}
		n = n*10 + d
	}
	if neg {
		return -int64(n), true // n == 1<<63 wraps to MinInt64, as it should
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}
