package auth

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path"
	"strings"
)

// auditedAction returns the audit action of r, if it is one the
// middleware records once the handler answers 2xx: a step of the handling
// loop on an alert (ack, report, close or its alias resolve, return),
// creating or ending a silence, an export.
func auditedAction(r *http.Request) (action, target string, ok bool) {
	p := r.URL.Path
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	switch r.Method {
	case http.MethodPost:
		// api/v1/alerts/{id}/ack|report|close|resolve|return
		if len(parts) == 5 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "alerts" && parts[3] != "" {
			switch parts[4] {
			case "ack":
				return ActionAck, parts[3], true
			case "report":
				return ActionReport, parts[3], true
			case "close", "resolve":
				return ActionClose, parts[3], true
			case "return":
				return ActionReturn, parts[3], true
			}
		}
		if p == "/api/v1/silences" {
			return ActionSilenceCreate, "", true
		}
		if p == "/api/v1/alarm-tests" {
			return ActionAlarmTestCreate, "", true
		}
	case http.MethodDelete:
		if len(parts) == 4 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "silences" && parts[3] != "" {
			return ActionSilenceExpire, parts[3], true
		}
		if len(parts) == 4 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "alarm-tests" && parts[3] != "" {
			return ActionAlarmTestCancel, parts[3], true
		}
	case http.MethodGet:
		// Exports and reports leave the system as files or printouts.
		if strings.Contains(p, "/export") || strings.HasPrefix(p, "/api/v1/kitchen/report") {
			return ActionExport, p, true
		}
	}
	return "", "", false
}

// maxAuditBody is how much of a request body is kept for the detail of its
// audit event: as much as dashboards/api reads.
const maxAuditBody = 64 << 10

// bodyTap keeps the first maxAuditBody bytes that the handler reads.
type bodyTap struct {
	io.ReadCloser
	buf  bytes.Buffer
	head io.Reader // prefetched bytes the handler has yet to read
}

// prefetch reads the first maxAuditBody bytes now (they are kept, and
// handed to the handler before the rest).
func (t *bodyTap) prefetch() {
	var b bytes.Buffer
	_, _ = io.Copy(&b, io.LimitReader(t.ReadCloser, maxAuditBody))
	t.buf.Write(b.Bytes())
	t.head = &b
}

func (t *bodyTap) Read(p []byte) (int, error) {
	if t.head != nil {
		n, err := t.head.Read(p)
		if n > 0 || err != io.EOF {
			return n, err
		}
		t.head = nil
	}
	n, err := t.ReadCloser.Read(p)
	if room := maxAuditBody - t.buf.Len(); room > 0 && n > 0 {
		t.buf.Write(p[:min(n, room)])
	}
	return n, err
}

// auditDetail summarises the body of an audited request: the note of a
// handling step (and a report's evidence link); the reason, matchers and
// end of a silence; the query of an export.
func auditDetail(action string, r *http.Request, body []byte) string {
	switch action {
	case ActionExport:
		return r.URL.RawQuery
	case ActionAck, ActionReport, ActionClose, ActionReturn:
		var b struct {
			Note     string `json:"note"`
			Evidence string `json:"evidence"`
		}
		_ = json.Unmarshal(body, &b)
		if b.Evidence != "" {
			return b.Note + " " + b.Evidence
		}
		return b.Note
	case ActionAlarmTestCreate:
		var b struct {
			School string `json:"school"`
			Device string `json:"device"`
			Start  string `json:"start"`
			End    string `json:"end"`
			Note   string `json:"note"`
		}
		_ = json.Unmarshal(body, &b)
		var parts []string
		for _, p := range []string{b.School, b.Device, b.Start + "/" + b.End, b.Note} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		return strings.Join(parts, " ")
	case ActionSilenceCreate:
		var b struct {
			Reason   string `json:"reason"`
			Duration string `json:"duration"`
			EndsAt   string `json:"ends_at"`
			Matchers []struct {
				Name  string `json:"name"`
				Value string `json:"value"`
				Regex bool   `json:"regex"`
			} `json:"matchers"`
		}
		_ = json.Unmarshal(body, &b)
		parts := []string{b.Reason}
		for _, m := range b.Matchers {
			op := "="
			if m.Regex {
				op = "=~"
			}
			parts = append(parts, m.Name+op+m.Value)
		}
		if b.Duration != "" {
			parts = append(parts, "for "+b.Duration)
		}
		if b.EndsAt != "" {
			parts = append(parts, "until "+b.EndsAt)
		}
		return strings.Join(parts, " ")
	}
	return ""
}

// silenceID returns the id of a created silence (or alarm test window)
// from its Location header.
func silenceID(h http.Header) string {
	if loc := h.Get("Location"); loc != "" {
		return path.Base(loc)
	}
	return ""
}

// statusWriter remembers the status code; Unwrap lets
// http.ResponseController reach the connection, Flush serves handlers that
// assert http.Flusher.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Flush() {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// status is the code answered; 200 when the handler wrote nothing.
func (s *statusWriter) status() int {
	if s.code == 0 {
		return http.StatusOK
	}
	return s.code
}

// refusedSilence reports whether a silence create or expire was refused
// for what it asked (400) or who asked (403).
func refusedSilence(action string, code int) bool {
	return (action == ActionSilenceCreate || action == ActionSilenceExpire) &&
		(code == http.StatusBadRequest || code == http.StatusForbidden)
}

// refusedHandling reports whether a handling step was refused by the
// permission matrix (403): who tried to take a step that is not theirs.
func refusedHandling(action string, code int) bool {
	switch action {
	case ActionAck, ActionReport, ActionClose, ActionReturn:
		return code == http.StatusForbidden
	}
	return false
}
