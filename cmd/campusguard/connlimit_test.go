package main

import (
	"net"
	"net/http"
	"net/netip"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// fakeAddr is a peer address.
type fakeAddr string

func (a fakeAddr) Network() string { return "tcp" }
func (a fakeAddr) String() string  { return string(a) }

// fakeConn is a connection from a peer that records whether it was closed.
type fakeConn struct {
	net.Conn
	peer   fakeAddr
	closed bool
}

func (c *fakeConn) RemoteAddr() net.Addr { return c.peer }
func (c *fakeConn) Close() error         { c.closed = true; return nil }

// TestConnLimiterCaps: at a cap an idle connection makes room (of the same
// address at the per-address cap, of the busiest address at the total
// cap); with none idle the new connection is closed; trusted proxies have
// no per-address cap; a closed connection frees its place.
func TestConnLimiterCaps(t *testing.T) {
	l, err := newConnLimiter(nil, 4, 2, []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32")}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	conn := func(peer string) (*fakeConn, *limitedConn) {
		fc := &fakeConn{peer: fakeAddr(peer)}
		return fc, l.admit(fc)
	}
	active := func(c *limitedConn) { l.connState(c, http.StateActive) }

	a1, _ := conn("192.0.2.1:1")
	_, la2 := conn("192.0.2.1:2")
	active(la2)
	// The per-address cap: a1 is idle, so it makes room.
	_, la3 := conn("192.0.2.1:3")
	if la3 == nil || !a1.closed {
		t.Fatalf("per-address cap with an idle connection: admitted %v, idle one closed %v", la3 != nil, a1.closed)
	}
	active(la3)
	// Now both of the address's connections are busy: the new one is refused.
	a4, la4 := conn("192.0.2.1:4")
	if la4 != nil || !a4.closed {
		t.Fatal("per-address cap with no idle connection: the new one was not refused")
	}
	if got := testutil.ToFloat64(l.refused.WithLabelValues("per_address")); got != 1 {
		t.Errorf("refused{per_address} = %v", got)
	}
	// A trusted proxy is exempt from the per-address cap.
	_, lp1 := conn("10.0.0.1:1")
	_, lp2 := conn("10.0.0.1:2")
	if lp1 == nil || lp2 == nil {
		t.Fatal("the trusted proxy was capped per address")
	}
	active(lp1)
	l.connState(lp2, http.StateIdle)
	// The total cap (4 open): the proxy's idle connection makes room.
	if _, lb := conn("198.51.100.1:1"); lb == nil || !lp2.Conn.(*fakeConn).closed {
		t.Fatal("total cap with an idle connection: no room made")
	}
	// Every connection busy: refused at the total cap.
	for c := range l.conns {
		active(c)
	}
	if fc, lc := conn("198.51.100.2:1"); lc != nil || !fc.closed {
		t.Fatal("total cap with no idle connection: the new one was not refused")
	}
	// A connection that ends frees its place.
	if err := la3.Close(); err != nil {
		t.Fatal(err)
	}
	if _, lc := conn("198.51.100.2:2"); lc == nil {
		t.Fatal("a closed connection did not free its place")
	}
	if len(l.conns) != 4 || testutil.ToFloat64(l.evicted) != 2 {
		t.Errorf("%d open, %v evicted; want 4 and 2", len(l.conns), testutil.ToFloat64(l.evicted))
	}
}
