package auth

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/dashboards/api"
)

// failedChecks is how many passwords were compared and found wrong: each
// comparison that fails leaves one login_failed audit event.
func failedChecks(h *harness) int {
	n := 0
	for _, e := range h.audit.Events() {
		if e.Action == ActionLoginFailed {
			n++
		}
	}
	return n
}

// TestParallelLoginsCountedBeforeCheck: 100 wrong passwords sent at once
// are counted before bcrypt runs, so at most the limit are ever checked,
// and the real user logging in from another address meanwhile gets in.
func TestParallelLoginsCountedBeforeCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		user  func(i int) string
		limit int
	}{
		{"one user name", func(int) string { return "police-sq" }, DefaultMaxFailuresPerUser},
		{"many user names", func(i int) string { return fmt.Sprintf("guess-%d", i) }, DefaultMaxFailuresPerIP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			const n = 100
			start := make(chan struct{})
			var wg sync.WaitGroup
			var codes sync.Map
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					w := h.loginJSON(tc.user(i), "wrong-password", "203.0.113.5")
					codes.Store(i, w.Code)
				}()
			}
			close(start)
			// The real user, from another address, while the flood runs.
			began := time.Now()
			done := make(chan int, 1)
			go func() { done <- h.loginJSON("police-sq", policePassword, "198.51.100.9").Code }()
			select {
			case code := <-done:
				t.Logf("real login answered %d in %s during the flood", code, time.Since(began))
				if code != http.StatusOK {
					t.Errorf("real user from another address: %d, want 200", code)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("real user's login did not answer within 30 s")
			}
			wg.Wait()
			checked := failedChecks(h)
			t.Logf("%d parallel wrong passwords: %d checked", n, checked)
			if checked > tc.limit {
				t.Errorf("%d wrong passwords checked, limit %d", checked, tc.limit)
			}
			codes.Range(func(_, v any) bool {
				if c := v.(int); c != http.StatusUnauthorized && c != http.StatusTooManyRequests {
					t.Errorf("flood answer %d", c)
					return false
				}
				return true
			})
		})
	}
}

// TestCheckGate: a login finding every password check slot taken, or its
// own address already being checked, gets a fast 429 with Retry-After: 1,
// which does not count as a failure.
func TestCheckGate(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.MaxConcurrentChecks = 2 })
	hold := make(chan struct{})
	inside := make(chan struct{}, 2)
	h.auth.gate.onTest = func() {
		inside <- struct{}{}
		<-hold
	}
	var wg sync.WaitGroup
	for _, ip := range []string{"192.0.2.10", "192.0.2.11"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.loginJSON("police-sq", "wrong-password", ip)
		}()
		<-inside
	}
	for _, ip := range []string{"192.0.2.10", "192.0.2.12"} { // same address; every slot taken
		w := h.loginJSON("police-sq", policePassword, ip)
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" {
			t.Errorf("from %s while the checks are busy: %d, Retry-After %q", ip, w.Code, w.Header().Get("Retry-After"))
		}
	}
	if got := testutil.ToFloat64(h.auth.metrics.logins.WithLabelValues(resultBusy)); got != 2 {
		t.Errorf("logins_total{result=busy} = %v, want 2", got)
	}
	close(hold)
	wg.Wait()
	h.auth.gate.onTest = nil
	if w := h.loginJSON("police-sq", policePassword, "192.0.2.12"); w.Code != http.StatusOK {
		t.Fatalf("after the checks: %d", w.Code)
	}
	if got := testutil.ToFloat64(h.auth.metrics.checks); got != 3 {
		t.Errorf("password_checks_total = %v, want 3", got)
	}
}

// TestLockoutPerUserAndAddress: failures for a user name from one address
// lock that name out there only; the account logs in from elsewhere.
func TestLockoutPerUserAndAddress(t *testing.T) {
	h := newHarness(t)
	for range DefaultMaxFailuresPerUser + 3 {
		h.loginJSON("police-sq", "wrong-password", "203.0.113.5")
	}
	if w := h.loginJSON("police-sq", policePassword, "203.0.113.5"); w.Code != http.StatusTooManyRequests {
		t.Errorf("the attacker's address: %d, want 429", w.Code)
	}
	if w := h.loginJSON("police-sq", policePassword, "198.51.100.9"); w.Code != http.StatusOK {
		t.Errorf("the police from their own address: %d, want 200", w.Code)
	}
	// IPv6: one /64 counts as one address.
	for i := range DefaultMaxFailuresPerUser {
		h.loginJSON("admin", "wrong-password", fmt.Sprintf("[2001:db8:1:2::%x]", i+1))
	}
	if w := h.loginJSON("admin", adminPassword, "[2001:db8:1:2::ff]"); w.Code != http.StatusTooManyRequests {
		t.Errorf("rotating addresses within a /64: %d, want 429", w.Code)
	}
}

// TestTrustedProxyLimits: behind a trusted proxy the limits count the
// client of X-Forwarded-For (its rightmost untrusted hop), so one client's
// failures do not lock out the city behind the proxy; from an untrusted
// peer the header is ignored.
func TestTrustedProxyLimits(t *testing.T) {
	proxy := netip.MustParsePrefix("10.0.0.0/8")
	h := newHarness(t, func(o *Options) { o.TrustedProxies = []netip.Prefix{proxy} })
	viaProxy := func(name, pw, xff, peer string) int {
		r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(fmt.Sprintf(`{"name":%q,"password":%q}`, name, pw)))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Forwarded-For", xff)
		r.RemoteAddr = peer + ":40000"
		return h.do(r).Code
	}
	// An attacker behind the proxy, spoofing the left of the chain.
	for i := range DefaultMaxFailuresPerIP {
		viaProxy(fmt.Sprintf("guess-%d", i), "wrong", fmt.Sprintf("1.2.3.%d, 203.0.113.5", i), "10.0.0.2")
	}
	if c := viaProxy("admin", adminPassword, "203.0.113.5", "10.0.0.2"); c != http.StatusTooManyRequests {
		t.Errorf("the attacker through the proxy: %d, want 429", c)
	}
	if c := viaProxy("admin", adminPassword, "198.51.100.9", "10.0.0.2"); c != http.StatusOK {
		t.Errorf("another client through the same proxy: %d, want 200", c)
	}
	// A client that is not the proxy cannot choose its address.
	for range DefaultMaxFailuresPerUser {
		viaProxy("police-sq", "wrong", "198.51.100.77", "192.0.2.66")
	}
	if c := viaProxy("police-sq", policePassword, "198.51.100.78", "192.0.2.66"); c != http.StatusTooManyRequests {
		t.Errorf("an untrusted peer naming a new X-Forwarded-For: %d, want 429", c)
	}
	var last AuditEvent
	for _, e := range h.audit.Events() {
		last = e
	}
	if last.RemoteIP != "192.0.2.66" {
		t.Errorf("audit address %q, want the untrusted peer", last.RemoteIP)
	}
}

// blockingAppend is an InfluxDB spool that is full for good: Append waits
// until its context ends.
type blockingAppend struct{ calls atomic.Int64 }

func (b *blockingAppend) Append(ctx context.Context, _ []byte) {
	b.calls.Add(1)
	<-ctx.Done()
}

// TestAuditNeverBlocks: with the audit store blocked for good (a full
// spool), logins, acknowledgements and resolutions still answer; the
// events that do not fit the queue are counted as dropped, and the log
// auditor still gets every one.
func TestAuditNeverBlocks(t *testing.T) {
	reg := prometheus.NewRegistry()
	sink := &blockingAppend{}
	q, err := NewAuditQueue(LineProtocolAuditor{Append: sink.Append}, 2, zerolog.New(io.Discard), reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- q.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-ran; err != nil {
			t.Error(err)
		}
	}()
	logged := &recordingAuditor{}
	h := newHarness(t, func(o *Options) { o.Audit = Auditors{logged, q} })

	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 5 {
			h.loginJSON("police-sq", "wrong-password", "192.0.2.50")
		}
		b := h.login("police-sq", policePassword)
		for _, p := range []string{"/api/v1/alerts/al-1/ack", "/api/v1/alerts/al-1/resolve"} {
			r := b.request(http.MethodPost, p, `{"note":"已处置"}`)
			r.Header.Set(CSRFHeader, b.csrf)
			if w := h.do(r); w.Code != http.StatusOK {
				t.Errorf("%s: %d", p, w.Code)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("logins and acknowledgements hang behind a blocked audit store")
	}
	if n := len(logged.Events()); n != 8 {
		t.Errorf("log auditor got %d events, want 8", n)
	}
	// One event is stuck in Append, two wait in the queue, the rest are dropped.
	dropped := testutil.ToFloat64(q.dropped)
	t.Logf("audit store blocked: %v of 8 events dropped, %d in Append", dropped, sink.calls.Load())
	if dropped < 8-3 {
		t.Errorf("audit_dropped_total = %v, want at least 5", dropped)
	}
	if n, err := testutil.GatherAndCount(reg, "campusguard_auth_audit_dropped_total"); err != nil || n != 1 {
		t.Errorf("metric campusguard_auth_audit_dropped_total: %d, %v", n, err)
	}
}

// endless is a multipart body that goes on and on; it counts what was read.
type endless struct {
	head  string
	limit int64
	read  atomic.Int64
}

func (e *endless) Read(p []byte) (int, error) {
	n := e.read.Load()
	if n >= e.limit {
		return 0, io.EOF
	}
	k := int64(len(p))
	if n < int64(len(e.head)) {
		k = int64(copy(p, e.head[n:]))
	} else {
		k = min(k, e.limit-n)
		clear(p[:k])
	}
	e.read.Add(k)
	return int(k), nil
}

// TestLargeFormRefusedUnread: a logged-in user's huge multipart body (no
// CSRF header, so the middleware reads the form for its token) is refused
// with 413 after at most MaxBodyBytes, not read to the end.
func TestLargeFormRefusedUnread(t *testing.T) {
	h := newHarness(t)
	b := h.login("police-sq", policePassword)
	for _, declared := range []bool{false, true} {
		body := &endless{head: "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\n\r\n", limit: 64 << 20}
		r := b.request(http.MethodPost, "/api/v1/alerts/al-1/ack", "")
		r.Body = io.NopCloser(body)
		r.ContentLength = -1
		if declared {
			r.ContentLength = body.limit
		}
		r.Header.Set("Content-Type", "multipart/form-data; boundary=XX")
		w := h.do(r)
		t.Logf("declared length %v: %d, %d bytes read", declared, w.Code, body.read.Load())
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("declared length %v: %d, want 413", declared, w.Code)
		}
		if n := body.read.Load(); n > MaxBodyBytes+64<<10 {
			t.Errorf("declared length %v: %d bytes read, want at most about %d", declared, n, MaxBodyBytes)
		}
	}
}

// TestReadyzViewer: /readyz stays public, and carries the viewer of valid
// credentials (so it can show an admin the details).
func TestReadyzViewer(t *testing.T) {
	h := newHarness(t)
	r := httptestRequest(http.MethodGet, "/readyz", "")
	if w := h.do(r); w.Code != http.StatusOK {
		t.Fatalf("anonymous /readyz: %d", w.Code)
	}
	if _, ok := h.lastViewer(); ok {
		t.Fatal("anonymous /readyz got a viewer")
	}
	r = httptestRequest(http.MethodGet, "/readyz", "")
	r.Header.Set("Authorization", "Bearer wrong")
	if w := h.do(r); w.Code != http.StatusOK {
		t.Fatalf("/readyz with a wrong token: %d (it is public)", w.Code)
	}
	b := h.login("admin", adminPassword)
	if w := h.do(b.request(http.MethodGet, "/readyz", "")); w.Code != http.StatusOK {
		t.Fatalf("admin /readyz: %d", w.Code)
	}
	if v, ok := h.lastViewer(); !ok || v.Role != api.RoleAdmin {
		t.Fatalf("admin /readyz viewer %+v %v", v, ok)
	}
}
