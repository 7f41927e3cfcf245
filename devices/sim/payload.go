package sim

import (
	"strconv"
	"unicode/utf8"
)

// writer renders one JSON payload at a time into a reused buffer with
// strconv and append: no encoding/json, no allocation per message. Field
// names and enum values are the package's own constants; free strings are
// escaped.
type writer struct {
	b []byte

	day  int64    // local day number whose date is cached in date
	date [10]byte // "YYYY-MM-DD" of day
}

func newWriter() *writer { return &writer{b: make([]byte, 0, 512), day: -1 << 62} }

// key appends `,"name":`.
func (w *writer) key(name string) {
	w.b = append(w.b, ',', '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':')
}

func (w *writer) str(name, v string) {
	w.key(name)
	w.b = appendJSONString(w.b, v)
}

func (w *writer) boolean(name string, v bool) {
	w.key(name)
	w.b = strconv.AppendBool(w.b, v)
}

// num appends a number with prec digits after the point.
func (w *writer) num(name string, v float64, prec int) {
	w.key(name)
	w.b = strconv.AppendFloat(w.b, v, 'f', prec, 64)
}

func (w *writer) integer(name string, v int64) {
	w.key(name)
	w.b = strconv.AppendInt(w.b, v, 10)
}

// token appends a pseudonymous id: prefix followed by h in base 36.
func (w *writer) token(name, prefix string, h uint64) {
	w.key(name)
	w.b = append(w.b, '"')
	w.b = append(w.b, prefix...)
	w.b = strconv.AppendUint(w.b, h, 36)
	w.b = append(w.b, '"')
}

// appendTS appends t (Unix ns) as RFC 3339 in +08:00 with milliseconds,
// e.g. 2026-11-28T07:12:03.250+08:00. The date part is cached per day.
func (w *writer) appendTS(t int64) {
	sec := floorDiv(t, nsSecond)
	ms := (t - sec*nsSecond) / 1e6
	local := sec + tzOffset
	day := floorDiv(local, 86400)
	w.cacheDay(day)
	sod := int(local - day*86400)
	var buf [29]byte
	copy(buf[:10], w.date[:])
	buf[10] = 'T'
	put2(buf[11:13], sod/3600)
	buf[13] = ':'
	put2(buf[14:16], sod/60%60)
	buf[16] = ':'
	put2(buf[17:19], sod%60)
	buf[19] = '.'
	buf[20] = byte('0' + ms/100)
	buf[21] = byte('0' + ms/10%10)
	buf[22] = byte('0' + ms%10)
	copy(buf[23:], "+08:00")
	w.b = append(w.b, buf[:]...)
}

// appendDate appends the local date of t as YYYY-MM-DD.
func (w *writer) appendDate(t int64) {
	w.cacheDay(dayNumber(t))
	w.b = append(w.b, w.date[:]...)
}

// cacheDay renders the date of local day number day into w.date.
func (w *writer) cacheDay(day int64) {
	if day == w.day {
		return
	}
	w.day = day
	y, m, d := civil(day)
	put4(w.date[0:4], int(y))
	w.date[4] = '-'
	put2(w.date[5:7], m)
	w.date[7] = '-'
	put2(w.date[8:10], d)
}

func put2(b []byte, v int) { b[0], b[1] = byte('0'+v/10), byte('0'+v%10) }

func put4(b []byte, v int) {
	b[0], b[1], b[2], b[3] = byte('0'+v/1000%10), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Registry ids never need
// escaping; the slow path exists so that no input can break the payload.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i += size
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
