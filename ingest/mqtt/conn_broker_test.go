package mqtt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/campusguard/campusguard/ingest/testenv"
)

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// writeTestCert writes a self-signed certificate for 127.0.0.1 and its key
// into dir and returns their paths (the certificate is its own CA).
func writeTestCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "campusguard test broker"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "broker.crt"), filepath.Join(dir, "broker.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestSubscriberOverTLSAndWebsockets receives and acknowledges messages
// over every kind of connection the subscriber dials itself (tcp, ssl with
// a CA file, ws): each goes through the buffered connection, and an
// acknowledged message is not redelivered to the next session.
func TestSubscriberOverTLSAndWebsockets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cert, key := writeTestCert(t, dir)
	tlsPort, wsPort := freePort(t), freePort(t)
	broker := testenv.MosquittoWith(t, testenv.MosquittoOptions{Config: []string{
		fmt.Sprintf("listener %d 127.0.0.1", tlsPort), "certfile " + cert, "keyfile " + key,
		fmt.Sprintf("listener %d", wsPort), "protocol websockets",
	}})
	pub := newPublisher(t, broker.URL(), "pub-schemes")
	for _, tc := range []struct{ name, url string }{
		{"tcp", broker.URL()},
		{"ssl", fmt.Sprintf("ssl://127.0.0.1:%d", tlsPort)},
		{"ws", fmt.Sprintf("ws://127.0.0.1:%d/mqtt", wsPort)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions(t, tc.url, "cg-scheme-"+tc.name)
			o.Topics = []string{"campus/130802/" + tc.name + "/access/gate-01/event"}
			if tc.name == "ssl" {
				o.CAFile = cert
			}
			got := newReceived()
			sub := start(t, o, ackAll(got))
			msgs := payloads(tc.name, 200)
			pub.publish(t, o.Topics[0], msgs...)
			waitFor(t, "all 200 received over "+tc.name, func() (bool, string) { return got.has(msgs...) })
			sub.stop(t)

			got2 := newReceived()
			start(t, o, ackAll(got2))
			pub.publish(t, o.Topics[0], "marker")
			waitFor(t, "marker received", func() (bool, string) { return got2.has("marker") })
			if before := got2.Before("marker"); len(before) != 0 {
				t.Fatalf("%d acknowledged messages redelivered over %s, e.g. %q", len(before), tc.name, before[0])
			}
		})
	}
}

// callCounter counts the reads and writes that reach a connection (the
// syscalls of a socket) and the bytes written.
type callCounter struct {
	net.Conn
	reads, writes, written *atomic.Int64
}

func (c callCounter) Read(p []byte) (int, error) {
	c.reads.Add(1)
	return c.Conn.Read(p)
}

func (c callCounter) Write(p []byte) (int, error) {
	c.writes.Add(1)
	n, err := c.Conn.Write(p)
	c.written.Add(int64(n))
	return n, err
}

// BenchmarkSubscriberSyscalls receives 10,000 QoS 1 messages per op from a
// real Mosquitto and acknowledges them in groups the way the spool's group
// commit does (everything that arrived while the previous group was being
// acknowledged), and reports the reads and writes per message that reached
// the socket: paho's plain connection against the buffered one.
func BenchmarkSubscriberSyscalls(b *testing.B) {
	broker := testenv.Mosquitto(b)
	for _, plain := range []bool{true, false} {
		name := "buffered"
		if plain {
			name = "plain"
		}
		b.Run(name, func(b *testing.B) {
			var reads, writes, written atomic.Int64
			o := Defaults()
			o.Broker, o.ClientID = broker.URL(), "cg-bench-"+name
			o.plainConn = plain
			o.wrapConn = func(c net.Conn) net.Conn { return callCounter{c, &reads, &writes, &written} }
			msgs := make(chan Message, 1<<16)
			var received atomic.Int64
			sub := start(b, o, func(m Message) { received.Add(1); msgs <- m })
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // the group committer: ack whatever has arrived
				defer wg.Done()
				for m := range msgs {
					m.Ack()
					for n := len(msgs); n > 0; n-- {
						(<-msgs).Ack()
					}
				}
			}()
			pub := newPublisher(b, broker.URL(), "pub-bench-"+name)
			const perOp = 10_000
			body := `{"id":"acc-000123","ts":"2026-11-28T07:12:03+08:00","type":"access.granted","direction":"in","method":"face","person":"p-7f3a9c","role":"student"}`
			reads.Store(0)
			writes.Store(0)
			written.Store(0)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := 0; j < perOp; j += 1000 {
					toks := make([]interface{ Wait() bool }, 0, 1000)
					for k := 0; k < 1000; k++ {
						toks = append(toks, pub.c.Publish(topic, 1, false, body))
					}
					for _, tk := range toks {
						tk.Wait()
					}
				}
				want := int64((i + 1) * perOp)
				waitFor(b, "every message received and acknowledged", func() (bool, string) {
					return received.Load() >= want && written.Load() >= 4*want,
						fmt.Sprintf("%d received, %d bytes written", received.Load(), written.Load())
				})
			}
			b.StopTimer()
			msgsN := float64(b.N * perOp)
			b.ReportMetric(float64(reads.Load())/msgsN, "reads/msg")
			b.ReportMetric(float64(writes.Load())/msgsN, "writes/msg")
			sub.stop(b)
			close(msgs)
			wg.Wait()
		})
	}
}
