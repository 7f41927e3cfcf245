package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// An open event stream ends when its credential is revoked, and holds its
// session alive while it is open.
func TestStreamRevocation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		revoke func(h *harness, b browser)
	}{
		{"logout", func(h *harness, b browser) {
			r := b.request(http.MethodPost, "/logout", "")
			r.Header.Set(CSRFHeader, b.csrf)
			if w := h.do(r); w.Code != 204 {
				t.Errorf("logout %d", w.Code)
			}
		}},
		{"user removed", func(h *harness, _ browser) { h.reload(withoutEntry(h.yaml, "police-sq")) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			started := make(chan struct{})
			stream := h.auth.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				close(started)
				<-r.Context().Done()
			}))
			police := h.login("police-sq", policePassword)
			other := h.login("admin", adminPassword)
			done := make(chan struct{})
			go func() {
				defer close(done)
				stream.ServeHTTP(httptest.NewRecorder(), police.request(http.MethodGet, "/api/v1/stream", ""))
			}()
			<-started
			// Hours pass: the open stream keeps the session; an unrelated
			// revocation check does not end it.
			h.clock.Add(13 * time.Hour)
			r := other.request(http.MethodPost, "/logout", "")
			r.Header.Set(CSRFHeader, other.csrf)
			h.do(r)
			select {
			case <-done:
				t.Fatal("the stream ended on another user's logout")
			default:
			}
			tc.revoke(h, police)
			select {
			case <-done:
			case <-time.After(10 * time.Second): // a failsafe, not a wait: done closes at once
				t.Fatal("the stream did not end")
			}
		})
	}
}

func TestStreamReleasesItsSession(t *testing.T) {
	h := newHarness(t)
	b := h.login("admin", adminPassword)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	stream := h.auth.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		stream.ServeHTTP(httptest.NewRecorder(), b.request(http.MethodGet, "/api/v1/stream", "").WithContext(ctx))
	}()
	<-started
	h.clock.Add(20 * time.Hour)
	cancel() // the browser closes the stream
	<-done
	// The idle time starts when the stream ends.
	h.clock.Add(11 * time.Hour)
	if w := h.do(b.request(http.MethodGet, "/api/v1/alerts", "")); w.Code != 200 {
		t.Fatalf("11 h after the stream ended: %d", w.Code)
	}
}

func TestTokenStreamRevocation(t *testing.T) {
	h := newHarness(t)
	started := make(chan struct{})
	stream := h.auth.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := httptestRequest(http.MethodGet, "/api/v1/stream", "")
		r.Header.Set("Authorization", "Bearer "+tokenSecret)
		stream.ServeHTTP(httptest.NewRecorder(), r)
	}()
	<-started
	h.reload(h.yaml) // the same token: the stream goes on
	select {
	case <-done:
		t.Fatal("the stream ended on a reload that kept its token")
	default:
	}
	h.reload(withoutEntry(h.yaml, "police-platform"))
	select {
	case <-done:
	case <-time.After(10 * time.Second): // a failsafe, not a wait
		t.Fatal("the stream did not end")
	}
}
