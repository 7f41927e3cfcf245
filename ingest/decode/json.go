package decode

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is a small JSON scanner for the one shape of payload we accept:
// a single object whose interesting members are scalars. It validates the
// whole document (RFC 8259 syntax; the caller has already checked UTF-8),
// records the members whose key is known to the vocabulary and skips the
// rest without building anything. It never allocates unless a key contains
// an escape sequence.

// maxDepth bounds nesting inside unknown members.
const maxDepth = 64

// valKind is the JSON type of a member value.
type valKind uint8

const (
	kString valKind = iota + 1
	kNumber
	kTrue
	kFalse
	kNull
	kObject
	kArray
)

func (k valKind) String() string {
	switch k {
	case kString:
		return "string"
	case kNumber:
		return "number"
	case kTrue, kFalse:
		return "bool"
	case kNull:
		return "null"
	case kObject:
		return "object"
	case kArray:
		return "array"
	}
	return "nothing"
}

// member is one top-level object member with a known key.
type member struct {
	key  []byte  // unescaped key
	kind valKind // JSON type of the value
	raw  []byte  // kString: the bytes between the quotes (escapes intact); kNumber: the literal
	esc  bool    // kString: raw contains escape sequences
	frac bool    // kNumber: the literal has a fraction or an exponent
}

// scanner walks p; i is the next byte.
type scanner struct {
	p []byte
	i int
}

func badJSON(detail string) *RejectError { return reject(ReasonBadJSON, detail) }

// scanObject parses p as exactly one JSON object and appends to ms the
// members for which known reports true. A key that occurs twice among the
// known members is an error: a device must not be able to say two things.
func scanObject(p []byte, ms []member, known func([]byte) bool) ([]member, *RejectError) {
	s := scanner{p: p}
	s.ws()
	if s.i >= len(p) {
		return ms, badJSON("empty payload")
	}
	if p[s.i] != '{' {
		return ms, badJSON("payload is not a JSON object")
	}
	s.i++
	s.ws()
	if s.i < len(p) && p[s.i] == '}' {
		s.i++
	} else {
		for {
			if s.i >= len(p) || p[s.i] != '"' {
				return ms, s.errAt("want member name")
			}
			raw, esc, err := s.str()
			if err != nil {
				return ms, err
			}
			key := raw
			if esc {
				key = unescape(nil, raw)
			}
			s.ws()
			if s.i >= len(p) || p[s.i] != ':' {
				return ms, s.errAt("want ':'")
			}
			s.i++
			s.ws()
			if known(key) {
				m := member{key: key}
				if err := s.value(&m); err != nil {
					return ms, err
				}
				for j := range ms {
					if string(ms[j].key) == string(key) {
						return ms, badJSON("duplicate member " + quote(string(key)))
					}
				}
				ms = append(ms, m)
			} else if err := s.skip(1); err != nil {
				return ms, err
			}
			s.ws()
			if s.i >= len(p) {
				return ms, badJSON("unexpected end of payload")
			}
			if p[s.i] == '}' {
				s.i++
				break
			}
			if p[s.i] != ',' {
				return ms, s.errAt("want ',' or '}'")
			}
			s.i++
			s.ws()
		}
	}
	s.ws()
	if s.i != len(p) {
		return ms, s.errAt("trailing data after the object")
	}
	return ms, nil
}

func (s *scanner) errAt(what string) *RejectError {
	if s.i >= len(s.p) {
		return badJSON(what + ", got end of payload")
	}
	return badJSON(what + " at offset " + strconv.Itoa(s.i))
}

func (s *scanner) ws() {
	for s.i < len(s.p) {
		switch s.p[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value scans the member value at s.i into m.
func (s *scanner) value(m *member) *RejectError {
	if s.i >= len(s.p) {
		return s.errAt("want a value")
	}
	switch c := s.p[s.i]; {
	case c == '"':
		raw, esc, err := s.str()
		m.kind, m.raw, m.esc = kString, raw, esc
		return err
	case c == '-' || '0' <= c && c <= '9':
		raw, frac, err := s.num()
		m.kind, m.raw, m.frac = kNumber, raw, frac
		return err
	case c == 't':
		m.kind = kTrue
	case c == 'f':
		m.kind = kFalse
	case c == 'n':
		m.kind = kNull
	case c == '{':
		m.kind = kObject
	case c == '[':
		m.kind = kArray
	default:
		return s.errAt("want a value")
	}
	return s.skip(1)
}

// skip scans over one value of any type at depth.
func (s *scanner) skip(depth int) *RejectError {
	if depth > maxDepth {
		return badJSON("nesting deeper than " + strconv.Itoa(maxDepth))
	}
	if s.i >= len(s.p) {
		return s.errAt("want a value")
	}
	switch c := s.p[s.i]; {
	case c == '"':
		_, _, err := s.str()
		return err
	case c == '-' || '0' <= c && c <= '9':
		_, _, err := s.num()
		return err
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	case c == '{':
		return s.container(depth, '}', true)
	case c == '[':
		return s.container(depth, ']', false)
	}
	return s.errAt("want a value")
}

// container scans an object or array whose opening byte is at s.i.
func (s *scanner) container(depth int, end byte, object bool) *RejectError {
	s.i++
	s.ws()
	if s.i < len(s.p) && s.p[s.i] == end {
		s.i++
		return nil
	}
	for {
		if object {
			if s.i >= len(s.p) || s.p[s.i] != '"' {
				return s.errAt("want member name")
			}
			if _, _, err := s.str(); err != nil {
				return err
			}
			s.ws()
			if s.i >= len(s.p) || s.p[s.i] != ':' {
				return s.errAt("want ':'")
			}
			s.i++
			s.ws()
		}
		if err := s.skip(depth + 1); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.p) {
			return s.errAt("want ',' or closing bracket")
		}
		switch s.p[s.i] {
		case end:
			s.i++
			return nil
		case ',':
			s.i++
			s.ws()
		default:
			return s.errAt("want ',' or closing bracket")
		}
	}
}

func (s *scanner) lit(word string) *RejectError {
	if len(s.p)-s.i < len(word) || string(s.p[s.i:s.i+len(word)]) != word {
		return s.errAt("want " + word)
	}
	s.i += len(word)
	return nil
}

// str scans a string whose opening quote is at s.i and returns the bytes
// between the quotes and whether they contain escapes.
func (s *scanner) str() (raw []byte, esc bool, err *RejectError) {
	s.i++
	start := s.i
	for s.i < len(s.p) {
		c := s.p[s.i]
		switch {
		case c == '"':
			raw = s.p[start:s.i]
			s.i++
			return raw, esc, nil
		case c == '\\':
			esc = true
			if s.i+1 >= len(s.p) {
				return nil, esc, s.errAt("unterminated string")
			}
			switch s.p[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if len(s.p)-s.i < 6 || !isHex4(s.p[s.i+2:s.i+6]) {
					return nil, esc, s.errAt("bad \\u escape")
				}
				s.i += 6
			default:
				return nil, esc, s.errAt("bad escape")
			}
		case c < 0x20:
			return nil, esc, s.errAt("control character in string")
		default:
			s.i++
		}
	}
	return nil, esc, badJSON("unterminated string")
}

// num scans a number literal at s.i (RFC 8259 grammar).
func (s *scanner) num() (raw []byte, frac bool, err *RejectError) {
	start := s.i
	p := s.p
	if s.i < len(p) && p[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(p) && p[s.i] == '0':
		s.i++
	case s.i < len(p) && '1' <= p[s.i] && p[s.i] <= '9':
		s.digits()
	default:
		return nil, false, s.errAt("bad number")
	}
	if s.i < len(p) && p[s.i] == '.' {
		frac = true
		s.i++
		if s.digits() == 0 {
			return nil, frac, s.errAt("bad number fraction")
		}
	}
	if s.i < len(p) && (p[s.i] == 'e' || p[s.i] == 'E') {
		frac = true
		s.i++
		if s.i < len(p) && (p[s.i] == '+' || p[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return nil, frac, s.errAt("bad number exponent")
		}
	}
	return p[start:s.i], frac, nil
}

func (s *scanner) digits() int {
	start := s.i
	for s.i < len(s.p) && '0' <= s.p[s.i] && s.p[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if hexVal(c) < 0 {
			return false
		}
	}
	return true
}

func hexVal(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// unescape appends the decoded form of raw, a string body that str has
// validated, to dst. Unpaired surrogates become U+FFFD, as in encoding/json.
func unescape(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		switch raw[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(raw[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if r2 := utf16.DecodeRune(r, hex4(raw[i+2:])); r2 != utf8.RuneError {
						r = r2
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/'
			dst = append(dst, raw[i+1])
		}
		i += 2
	}
	return dst
}

func hex4(b []byte) rune {
	return hexVal(b[0])<<12 | hexVal(b[1])<<8 | hexVal(b[2])<<4 | hexVal(b[3])
}
