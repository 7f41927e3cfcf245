package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/campusguard/campusguard/dashboards/api"
	"github.com/campusguard/campusguard/dashboards/auth"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/ingest/testenv"
)

// deadInflux is an InfluxDB URL nothing answers: these tests are about
// the HTTP side, and campusguard must serve it with InfluxDB down.
const deadInflux = "http://127.0.0.1:1"

// securedApp starts campusguard with login (an admin and a city police
// account) on real Mosquitto, after mod has adjusted the configuration.
func securedApp(t *testing.T, mod func(*runConfig)) (*app, *devices.Registry, *testenv.MosquittoServer) {
	t.Helper()
	mq := testenv.Mosquitto(t)
	reg, regPath := testRegistry(t, 5)
	c := baseConfig(t, regPath, mq.URL(), deadInflux, "campusguard/autogen")
	c.NoAuth = false
	c.InsecureCookies = true
	c.Users = writeUsers(t, []testUser{
		{User: auth.User{Name: "admin", Role: api.RoleAdmin}},
		{User: auth.User{Name: "police", Role: api.RolePolice}},
	})
	if mod != nil {
		mod(c)
	}
	ps, err := parsePrefixes(c.TrustedProxies) // the other hardening options: zero is the default
	if err != nil {
		t.Fatal(err)
	}
	c.trustedProxies = ps
	return startApp(t, c), reg, mq
}

// dialerFrom dials from the loopback address local (127.0.0.0/8 is all
// ours), so one test can be many clients.
func dialerFrom(local string) *net.Dialer {
	return &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 10 * time.Second}
}

func clientFrom(local string) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: dialerFrom(local).DialContext}}
}

// metricSum is the sum of every series of the named metric.
func metricSum(t testing.TB, g prometheus.Gatherer, name string) float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			switch {
			case m.Counter != nil:
				sum += m.Counter.GetValue()
			case m.Gauge != nil:
				sum += m.Gauge.GetValue()
			}
		}
	}
	return sum
}

// TestHTTPConnectionFlood: more idle connections than the caps — silent
// ones from one address, idle keep-alive ones from thirty others — are
// closed down to the caps, and the police still log in, and a panic
// published meanwhile raises its alert, seen on the alert topic and
// through the API.
func TestHTTPConnectionFlood(t *testing.T) {
	const maxConns, perIP = 16, 8
	a, reg, mq := securedApp(t, func(c *runConfig) {
		c.HTTPMaxConns, c.HTTPMaxConnsPerIP = maxConns, perIP
		// Long timeouts: the caps alone must hold the flood off.
		c.HTTPReadHeaderTimeout, c.HTTPIdleTimeout = 10*time.Minute, 10*time.Minute
	})
	alerts := subscribeAlerts(t, mq.URL(), "flood-police-platform")
	addr := a.http.Addr()
	var flood []net.Conn
	t.Cleanup(func() {
		for _, c := range flood {
			c.Close()
		}
	})
	// Forty connections that never send a byte, from one address.
	for range 40 {
		c, err := dialerFrom("127.0.0.2").Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		flood = append(flood, c)
	}
	// Thirty keep-alive connections left idle after one request, from
	// thirty addresses. Some are closed by the time they write or read:
	// that is the cap at work.
	for i := range 30 {
		c, err := dialerFrom(fmt.Sprintf("127.0.0.%d", 10+i)).Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		flood = append(flood, c)
		_ = c.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err == nil {
			_, _ = http.ReadResponse(bufio.NewReader(c), nil)
		}
	}
	opened := len(flood)
	eventually(t, 30*time.Second, "the server down to its cap", func() (bool, string) {
		open := metricSum(t, a.promReg, "campusguard_http_connections")
		closed := metricSum(t, a.promReg, "campusguard_http_connections_refused_total") +
			metricSum(t, a.promReg, "campusguard_http_connections_evicted_total")
		return open <= maxConns && closed >= float64(opened-maxConns), fmt.Sprintf("%v open, %v closed of %d", open, closed, opened)
	})
	t.Logf("flood of %d idle connections: %v refused, %v evicted", opened,
		metricSum(t, a.promReg, "campusguard_http_connections_refused_total"), metricSum(t, a.promReg, "campusguard_http_connections_evicted_total"))

	began := time.Now()
	police := apiLogin(t, "http://"+addr, "police")
	t.Logf("login during the flood took %s", time.Since(began))

	alarm := deviceOf(t, &reg.Schools[0], devices.KindAlarm)
	newPublisher(t, mq.URL(), "flood-panic").publishAll(t, []sample{{topic: topicOf(alarm, devices.ChannelEvent), payload: panicPayload("flood-press", time.Now())}})
	got := waitAlert(t, alerts, 30*time.Second, "panic alert during the flood", func(m alertMsg) bool { return m.Rule == "alarm_panic" })
	if seen := police.alert(t, got.ID); seen.Rule != "alarm_panic" || seen.State != "firing" {
		t.Fatalf("the police see %+v", seen)
	}
}

// TestParallelLoginOverHTTP: 100 wrong passwords sent at once from one
// address are checked at most the limit's times, and the police logging
// in from another address meanwhile get in.
func TestParallelLoginOverHTTP(t *testing.T) {
	a, _, _ := securedApp(t, nil)
	base := "http://" + a.http.Addr()
	attacker := clientFrom("127.0.0.2")
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, err := attacker.Post(base+"/login", "application/json", strings.NewReader(`{"name":"police","password":"wrong-password"}`))
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	close(start)
	began := time.Now()
	apiLogin(t, base, "police") // from 127.0.0.1
	t.Logf("real login during 100 parallel wrong passwords took %s", time.Since(began))
	wg.Wait()
	checks := metricSum(t, a.promReg, "campusguard_auth_password_checks_total")
	t.Logf("password checks: %v (1 real, the rest wrong)", checks)
	if checks > 1+auth.DefaultMaxFailuresPerUser {
		t.Errorf("%v passwords checked, want at most %d wrong ones and the real one", checks, auth.DefaultMaxFailuresPerUser)
	}
}

// TestHTTPBodyRefusedUnread: a request announcing a 1 GB body is answered
// 413 at once, without the server waiting to read it.
func TestHTTPBodyRefusedUnread(t *testing.T) {
	_, regPath := testRegistry(t, 2)
	c := baseConfig(t, regPath, "", deadInflux, "campusguard/autogen")
	c.Broker = "" // the embedded broker: this test is HTTP only
	a := startApp(t, c)
	conn, err := net.Dial("tcp", a.http.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, "POST /api/v1/alerts/al-1/ack HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{\"note\":"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a 1 GB body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("1 GB body: HTTP %d, want 413", resp.StatusCode)
	}
}

// TestReadyzAnonymous: anonymous /readyz says ready or not and nothing
// else (no InfluxDB address, no error text); an admin sees the details.
func TestReadyzAnonymous(t *testing.T) {
	a, _, _ := securedApp(t, nil)
	base := "http://" + a.http.Addr()
	code, body := get(t, base+"/readyz")
	if code != http.StatusServiceUnavailable || strings.TrimSpace(body) != `{"ready":false}` {
		t.Errorf("anonymous /readyz with InfluxDB down = %d %s, want 503 {\"ready\":false}", code, body)
	}
	for _, secret := range []string{"127.0.0.1", "influx", "mqtt"} {
		if strings.Contains(body, secret) {
			t.Errorf("anonymous /readyz shows %q: %s", secret, body)
		}
	}
	var details map[string]any
	admin := apiLogin(t, base, "admin")
	if code := admin.do(t, http.MethodGet, "/readyz", nil, nil); code != http.StatusServiceUnavailable {
		t.Fatalf("admin /readyz: %d", code)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/readyz", nil)
	req.AddCookie(&http.Cookie{Name: admin.cookie.Name, Value: admin.cookie.Value})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&details); err != nil {
		t.Fatal(err)
	}
	if details["influx"] != "down" || details["influx_error"] == "" || details["mqtt"] != "up" {
		t.Errorf("admin /readyz = %v, want the details", details)
	}
	police := apiLogin(t, base, "police")
	req, _ = http.NewRequest(http.MethodGet, base+"/readyz", nil)
	req.AddCookie(&http.Cookie{Name: police.cookie.Name, Value: police.cookie.Value})
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	if strings.TrimSpace(string(b)) != `{"ready":false}` {
		t.Errorf("non-admin /readyz = %s", b)
	}
}

// TestHSTS: Strict-Transport-Security is sent over TLS, and behind a
// trusted proxy that says X-Forwarded-Proto: https; never over plain HTTP
// or on an untrusted client's word.
func TestHSTS(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	h := harden(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }), trusted)
	tlsSrv := httptest.NewTLSServer(h)
	defer tlsSrv.Close()
	resp, err := tlsSrv.Client().Get(tlsSrv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); got != hstsValue {
		t.Errorf("over TLS: Strict-Transport-Security %q, want %q", got, hstsValue)
	}
	for _, tc := range []struct {
		name, remote, proto string
		want                string
	}{
		{"plain HTTP", "127.0.0.1:1234", "", ""},
		{"trusted proxy terminating TLS", "127.0.0.1:1234", "https", hstsValue},
		{"untrusted client claiming https", "192.0.2.9:1234", "https", ""},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tc.remote
		if tc.proto != "" {
			r.Header.Set("X-Forwarded-Proto", tc.proto)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Header().Get("Strict-Transport-Security"); got != tc.want {
			t.Errorf("%s: Strict-Transport-Security %q, want %q", tc.name, got, tc.want)
		}
	}
}

// serveHardened serves h through harden, the connection limiter and the
// server's timeouts (read and write 300 ms) on a loopback port until the
// test ends, and returns the address.
func serveHardened(t *testing.T, h http.Handler) string {
	t.Helper()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := smallSendBuffers{inner}
	lim, err := newConnLimiter(ln, 100, 100, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := httpOptions{readHeader: time.Second, read: 300 * time.Millisecond, write: 300 * time.Millisecond, idle: time.Minute}
	srv := newServer(context.Background(), harden(h, nil), o, lim)
	go func() { _ = srv.Serve(lim) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// smallSendBuffers gives every accepted connection a 4 KiB send buffer, so
// a test whose client never reads reaches a blocked server write after a
// few dozen answers, not after the megabytes loopback buffers hold (which
// on a loaded machine takes longer than any deadline).
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

// unauthorized answers as the auth middleware answers a stranger.
var unauthorized = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "login required", http.StatusUnauthorized)
})

// TestStreamOutlivesTimeouts: the read and write timeouts cut a slow
// answer, but not the event stream, which outlives them both.
func TestStreamOutlivesTimeouts(t *testing.T) {
	otherCut := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/stream", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "first\n")
		_ = http.NewResponseController(w).Flush()
		select {
		case <-otherCut: // the timeouts have passed for the other answer
		case <-r.Context().Done():
			return
		}
		if r.Context().Err() != nil {
			return
		}
		_, _ = io.WriteString(w, "second\n")
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		defer close(otherCut)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for range tick.C { // write until the write deadline cuts it
			if _, err := io.WriteString(w, "x\n"); err != nil {
				return
			}
			if err := http.NewResponseController(w).Flush(); err != nil {
				return
			}
		}
	})
	base := "http://" + serveHardened(t, mux)

	resp, err := http.Get(base + "/api/v1/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rd := bufio.NewReader(resp.Body)
	if line, err := rd.ReadString('\n'); err != nil || line != "first\n" {
		t.Fatalf("stream first line %q %v", line, err)
	}
	slow, err := http.Get(base + "/slow")
	if err != nil {
		t.Fatal(err)
	}
	n, slowErr := io.Copy(io.Discard, slow.Body)
	slow.Body.Close()
	if slowErr == nil {
		t.Fatalf("/slow: %d bytes, ended without error: the write timeout did not cut it", n)
	}
	if line, err := rd.ReadString('\n'); err != nil || line != "second\n" {
		t.Fatalf("stream after the timeouts: %q %v", line, err)
	}
}

// TestHTTPFlags: the hardening flags parse, and bad values are refused
// with the flag's name.
func TestHTTPFlags(t *testing.T) {
	c, err := parseRunConfig([]string{"--trusted-proxy", "10.0.0.0/8, 192.0.2.7", "--trusted-proxy", "::1", "--http-max-conns", "100"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("::1/128")}
	if fmt.Sprint(c.trustedProxies) != fmt.Sprint(want) || c.HTTPMaxConns != 100 || c.HTTPIdleTimeout != time.Minute {
		t.Errorf("parsed %v, max conns %d, idle %s", c.trustedProxies, c.HTTPMaxConns, c.HTTPIdleTimeout)
	}
	for args, wantErr := range map[string]string{
		"--trusted-proxy=proxy.example": "--trusted-proxy",
		"--http-max-conns=0":            "--http-max-conns",
		"--http-idle-timeout=0s":        "--http-idle-timeout",
		"--http-cert-file=c.pem":        "--http-key-file",
	} {
		if _, err := parseRunConfig([]string{args}, io.Discard); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s: %v, want an error naming %s", args, err, wantErr)
		}
	}
}

// TestTrustedProxyFlag: with --trusted-proxy the login limits count the
// client behind the proxy, so one client's failures do not lock out every
// user who comes through it.
func TestTrustedProxyFlag(t *testing.T) {
	a, _, _ := securedApp(t, func(c *runConfig) { c.TrustedProxies = stringList{"127.0.0.1"} })
	base := "http://" + a.http.Addr()
	login := func(name, pw, client string) int {
		req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(fmt.Sprintf(`{"name":%q,"password":%q}`, name, pw)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", client)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range auth.DefaultMaxFailuresPerIP {
		login(fmt.Sprintf("guess-%d", i), "wrong-password", "203.0.113.5")
	}
	if code := login("police", testPassword, "203.0.113.5"); code != http.StatusTooManyRequests {
		t.Errorf("the guessing client: %d, want 429", code)
	}
	if code := login("police", testPassword, "198.51.100.9"); code != http.StatusOK {
		t.Errorf("another client through the same proxy: %d, want 200", code)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their
// paths and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "campusguard test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestHTTPSWithHSTS: with --http-cert-file and --http-key-file campusguard
// serves HTTPS (through the connection caps) and sends HSTS.
func TestHTTPSWithHSTS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	a, _, _ := securedApp(t, func(c *runConfig) { c.HTTPCertFile, c.HTTPKeyFile = certFile, keyFile })
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + a.http.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Strict-Transport-Security") != hstsValue {
		t.Fatalf("HTTPS /healthz: %d, Strict-Transport-Security %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	if n := metricSum(t, a.promReg, "campusguard_http_connections"); n < 1 { // the body is unread: the connection is open
		t.Errorf("the TLS connection is not counted: %v open", n)
	}
}

// TestStreamPathBodyKeepsReadTimeout: only a real event stream (a GET
// without a body) is freed of the read timeout. A request to the stream
// path that declares a body and trickles it (here: one byte, then
// nothing) is answered by the auth middleware at once, and the server then
// reads the rest of the body before reusing the connection; with the read
// deadline cleared that read would hold the connection, active and never
// evictable, for ever. It must end within the read timeout: the test
// waits up to 30 s for the server to close the connection.
func TestStreamPathBodyKeepsReadTimeout(t *testing.T) {
	c, err := net.Dial("tcp", serveHardened(t, unauthorized))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\na"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(io.Discard, c) // until the server closes the connection
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the connection of a trickled body on the stream path was still open after 30 s: its read timeout was cleared")
	}
}

// TestStreamPathRefusalKeepsWriteTimeout: a stranger pipelining bodiless
// GETs of the stream path and never reading the refusals must not hold the
// connection once the socket buffers are full: the answer left to write
// after the handler gets the write timeout back. The test waits up to 30 s
// for the server to close the connection (the limiter counts it out).
func TestStreamPathRefusalKeepsWriteTimeout(t *testing.T) {
	c, err := net.Dial("tcp", serveHardened(t, unauthorized))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4096) // fill up sooner: this client never reads
	}
	closed := make(chan error, 1)
	go func() { // pipeline requests until the server closes the connection
		req := []byte(strings.Repeat("GET /api/v1/stream HTTP/1.1\r\nHost: x\r\n\r\n", 256))
		for {
			if _, err := c.Write(req); err != nil {
				closed <- err
				return
			}
		}
	}()
	select {
	case err := <-closed:
		t.Logf("the server closed the connection: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("a client pipelining stream requests and never reading still held its connection after 2 min: the write timeout was cleared")
	}
}
