package decode

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func allKnown([]byte) bool { return true }

// oracle says what scanObject must answer for p, using encoding/json: p is
// one object, nesting at most maxDepth, no key twice at the top level (all
// keys count as known here). It returns the decoded top-level members.
func oracle(p []byte) (map[string]any, bool) {
	if !utf8.Valid(p) || !json.Valid(p) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.UseNumber()
	depth, maxSeen := 0, 0
	keys := map[string]bool{}
	expectKey := false
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if depth == 0 && tok != json.Delim('{') {
				return nil, false
			}
			depth++
			maxSeen = max(maxSeen, depth)
			expectKey = tok == json.Delim('{') && depth == 1
			continue
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 1 && expectKey {
			if s, ok := tok.(string); ok {
				if keys[s] {
					return nil, false
				}
				keys[s] = true
			}
			expectKey = false
			continue
		}
		if depth == 1 {
			expectKey = true
		}
	}
	if maxSeen == 0 || maxSeen > maxDepth+1 {
		return nil, false
	}
	var m map[string]any
	dec = json.NewDecoder(bytes.NewReader(p))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return nil, false
	}
	return m, true
}

func checkScan(t *testing.T, p []byte) {
	t.Helper()
	ms, err := scanObject(p, nil, allKnown)
	want, ok := oracle(p)
	if (err == nil) != ok {
		t.Fatalf("scanObject(%q) error %v, encoding/json says valid=%v", p, err, ok)
	}
	if err != nil {
		if err.Reason != ReasonBadJSON {
			t.Fatalf("reason %s", err.Reason)
		}
		return
	}
	if len(ms) != len(want) {
		t.Fatalf("scanObject(%q): %d members, encoding/json %d", p, len(ms), len(want))
	}
	for i := range ms {
		m := &ms[i]
		j, found := want[string(m.key)]
		if !found {
			t.Fatalf("key %q not in encoding/json's map", m.key)
		}
		switch m.kind {
		case kString:
			if s := string(unescape(nil, m.raw)); s != j {
				t.Fatalf("member %q = %q, encoding/json %q", m.key, s, j)
			}
		case kNumber:
			if n, ok := j.(json.Number); !ok || string(n) != string(m.raw) {
				t.Fatalf("member %q = %s, encoding/json %v", m.key, m.raw, j)
			}
			if m.frac != strings.ContainsAny(string(m.raw), ".eE") {
				t.Fatalf("member %q: frac %v for %s", m.key, m.frac, m.raw)
			}
		case kTrue, kFalse:
			if j != (m.kind == kTrue) {
				t.Fatalf("member %q = %s, encoding/json %v", m.key, m.kind, j)
			}
		case kNull:
			if j != nil {
				t.Fatalf("member %q null, encoding/json %v", m.key, j)
			}
		}
	}
}

var scanSeeds = []string{
	`{}`, ` { } `, `{"a":1}`, `{"a":-0.5e+3,"b":true,"c":false,"d":null,"e":"x","f":[],"g":{}}`,
	`{"a":"\u00e9\ud83d\ude00\n\t\"\\\/"}`, `{"\u0069d":"k"}`, `{"a":"\ud800"}`, `{"a":"\ud800\u0041"}`,
	`{"a":[1,[2,{"b":[3]}]]}`, `{"a":1,}`, `{"a":1 "b":2}`, `{"a" 1}`, `{a:1}`, `{"a":01}`, `{"a":1.}`,
	`{"a":.5}`, `{"a":1e}`, `{"a":-}`, `{"a":tru}`, `{"a":nul}`, `{"a":"x}`, `{"a":"\x"}`, `{"a":"\u12"}`,
	`{"a":1}}`, `{"a":1} x`, `[]`, `"s"`, `1`, ``, `   `, `{"a":1,"a":2}`, `{"a":[}`, `{"a":{]}`,
	`{"a":"` + "\x01" + `"}`, "{\"a\":\"\xff\"}", `{"a":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + `}`,
	`{"a":` + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1) + `}`, "\ufeff{}",
}

func TestScanObject(t *testing.T) {
	for _, s := range scanSeeds {
		p := []byte(s)
		if !utf8.Valid(p) {
			continue // Decode checks UTF-8 before scanning
		}
		checkScan(t, p)
	}
}

// FuzzScanObject compares the scanner with encoding/json.
func FuzzScanObject(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		if !utf8.Valid(p) {
			return
		}
		checkScan(t, p)
	})
}

func TestKnownMembersOnly(t *testing.T) {
	known := func(k []byte) bool { return string(k) == "id" }
	ms, err := scanObject([]byte(`{"x":1,"id":"a","y":{"id":"b"},"x":2}`), nil, known)
	if err != nil || len(ms) != 1 || string(ms[0].raw) != "a" {
		t.Fatalf("members %+v, %v", ms, err)
	}
	if _, err := scanObject([]byte(`{"id":"a","\u0069d":"b"}`), nil, known); err == nil {
		t.Fatal("duplicate known key through an escape accepted")
	}
}
