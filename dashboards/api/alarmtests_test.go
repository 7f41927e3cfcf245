package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/campusguard/campusguard/alerting/alarmtest"
	"github.com/campusguard/campusguard/devices"
)

var _ AlarmTests = (*alarmtest.Store)(nil)

// alarmEnv is an env with a real in-memory alarm test store.
func alarmEnv(t *testing.T) (*env, *alarmtest.Store) {
	t.Helper()
	var store *alarmtest.Store
	e := newEnv(t, func(o *Options) {
		reg := o.Registry
		s, err := alarmtest.Open(alarmtest.Options{Registry: func() *devices.Registry { return reg() }, Now: o.Clock})
		if err != nil {
			t.Fatal(err)
		}
		store = s
		o.AlarmTests = s
	})
	return e, store
}

func windowBody(school, device string, start time.Time, d time.Duration) string {
	b := `{"school":"` + school + `","start":"` + start.Format(time.RFC3339) + `","end":"` + start.Add(d).Format(time.RFC3339) + `","note":"月度测试 monthly test"`
	if device != "" {
		b += `,"device":"` + device + `"`
	}
	return b + "}"
}

func TestAlarmTestsAccess(t *testing.T) {
	start := t0.Add(time.Hour)
	for _, tc := range []struct {
		viewer, school string
		status         int
		code           string
	}{
		{"school-a", schoolA, http.StatusCreated, ""},
		{"admin", schoolA, http.StatusCreated, ""},
		{"school-a", schoolC, http.StatusForbidden, codeOutside},
		{"police", schoolA, http.StatusForbidden, codeRoleForbidden},
		{"edu-sq", schoolA, http.StatusForbidden, codeRoleForbidden},
		{"market", schoolA, http.StatusForbidden, codeRoleForbidden},
		{"admin", schoolB, http.StatusBadRequest, codeInvalidAlarmTest}, // no alarm terminal
	} {
		t.Run(tc.viewer+"→"+tc.school, func(t *testing.T) {
			e, _ := alarmEnv(t)
			rec := e.do("POST", "/api/v1/alarm-tests", tc.viewer, windowBody(tc.school, "", start, 30*time.Minute))
			if rec.Code != tc.status || (tc.code != "" && !strings.Contains(rec.Body.String(), `"code":"`+tc.code+`"`)) {
				t.Fatalf("status %d %s, want %d %s", rec.Code, rec.Body, tc.status, tc.code)
			}
			if tc.status == http.StatusCreated {
				w := decode[alarmtest.Window](t, rec, http.StatusCreated)
				if w.ID == "" || w.School != tc.school || w.CreatedBy != tc.viewer || !w.Start.Equal(start) ||
					rec.Header().Get("Location") != "/api/v1/alarm-tests/"+w.ID {
					t.Errorf("created %+v, Location %q", w, rec.Header().Get("Location"))
				}
			}
		})
	}
}

func TestAlarmTestsBadBodies(t *testing.T) {
	e, _ := alarmEnv(t)
	for name, body := range map[string]string{
		"too long":         windowBody(schoolA, "", t0.Add(time.Hour), 3*time.Hour),
		"in the past":      windowBody(schoolA, "", t0.Add(-time.Hour), 30*time.Minute),
		"too far ahead":    windowBody(schoolA, "", t0.Add(100*24*time.Hour), 30*time.Minute),
		"not a terminal":   windowBody(schoolA, "gate-a1", t0.Add(time.Hour), 30*time.Minute),
		"no school":        `{"start":"2026-11-30T10:00:00+08:00","end":"2026-11-30T10:30:00+08:00"}`,
		"unknown field":    `{"school":"sq-primary-1","from":"x"}`,
		"start not a time": `{"school":"sq-primary-1","start":"tomorrow","end":"2026-11-30T10:30:00+08:00"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if rec := e.do("POST", "/api/v1/alarm-tests", "school-a", body); rec.Code != http.StatusBadRequest {
				t.Errorf("status %d %s, want 400", rec.Code, rec.Body)
			}
		})
	}
}

func TestAlarmTestsListAndCancel(t *testing.T) {
	e, store := alarmEnv(t)
	w := decode[alarmtest.Window](t, e.do("POST", "/api/v1/alarm-tests", "school-a",
		windowBody(schoolA, "alarm-a1", t0.Add(-30*time.Second), 30*time.Minute)), http.StatusCreated)
	later := decode[alarmtest.Window](t, e.do("POST", "/api/v1/alarm-tests", "school-a",
		windowBody(schoolA, "", t0.Add(24*time.Hour), 30*time.Minute)), http.StatusCreated)
	if !store.Covers(schoolA, "alarm-a1", t0) {
		t.Fatal("the registered window does not cover its terminal")
	}
	for _, tc := range []struct {
		viewer, query string
		want          int
		status        int
	}{
		{"school-a", "", 2, 200},
		{"school-a", "?active=true", 1, 200},
		{"police", "?school=" + schoolA, 2, 200},
		{"police-sl", "", 0, 200},
		{"edu-sq", "?active=false", 2, 200},
		{"police-sl", "?school=" + schoolA, 0, 404},
		{"market", "", 0, 403},
		{"admin", "?active=maybe", 0, 400},
		{"admin", "?region=130802", 0, 400},
	} {
		rec := e.do("GET", "/api/v1/alarm-tests"+tc.query, tc.viewer, "")
		if rec.Code != tc.status {
			t.Errorf("%s %s: status %d %s", tc.viewer, tc.query, rec.Code, rec.Body)
			continue
		}
		if tc.status == 200 {
			l := decode[alarmTestList](t, rec, 200)
			if l.Count != tc.want || len(l.AlarmTests) != tc.want {
				t.Errorf("%s %s: %d windows, want %d", tc.viewer, tc.query, l.Count, tc.want)
			}
		}
	}
	// Cancel: not by the police, not another school's, then by the school.
	if rec := e.do("DELETE", "/api/v1/alarm-tests/"+w.ID, "police", ""); rec.Code != http.StatusForbidden {
		t.Errorf("police cancel: %d", rec.Code)
	}
	if rec := e.do("DELETE", "/api/v1/alarm-tests/at-unknown", "school-a", ""); rec.Code != http.StatusNotFound {
		t.Errorf("unknown cancel: %d", rec.Code)
	}
	if rec := e.do("DELETE", "/api/v1/alarm-tests/"+w.ID, "school-a", ""); rec.Code != http.StatusOK {
		t.Fatalf("cancel: %d %s", rec.Code, rec.Body)
	}
	if store.Covers(schoolA, "alarm-a1", t0) {
		t.Error("a cancelled window still covers")
	}
	e.clock.Set(later.End)
	if rec := e.do("DELETE", "/api/v1/alarm-tests/"+later.ID, "admin", ""); rec.Code != http.StatusConflict {
		t.Errorf("cancel of an ended window: %d %s", rec.Code, rec.Body)
	}
}

func TestAlarmTestsUnavailable(t *testing.T) {
	e := newEnv(t, nil)
	if rec := e.do("GET", "/api/v1/alarm-tests", "admin", ""); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d", rec.Code)
	}
}
