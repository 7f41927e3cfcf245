package mqtt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// countingConn is a net.Conn that serves reads from a byte slice and
// records writes, counting the calls (the syscalls a real socket makes).
type countingConn struct {
	mu       sync.Mutex
	in       *bytes.Reader
	out      bytes.Buffer
	reads    int
	writes   int
	closed   bool
	writeErr error
	// gate, when set, holds every write until a value arrives.
	gate chan struct{}
}

func (c *countingConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	return c.in.Read(p)
}

func (c *countingConn) Write(p []byte) (int, error) {
	if c.gate != nil {
		<-c.gate
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	if c.writeErr != nil {
		return 0, c.writeErr
	}
	c.writes++
	return c.out.Write(p)
}

func (c *countingConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}

func (c *countingConn) counts() (reads, writes int, out []byte, closed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads, c.writes, append([]byte(nil), c.out.Bytes()...), c.closed
}

func (c *countingConn) LocalAddr() net.Addr              { return nil }
func (c *countingConn) RemoteAddr() net.Addr             { return nil }
func (c *countingConn) SetDeadline(time.Time) error      { return nil }
func (c *countingConn) SetReadDeadline(time.Time) error  { return nil }
func (c *countingConn) SetWriteDeadline(time.Time) error { return nil }

// puback is an MQTT PUBACK for packet id.
func puback(id uint16) []byte { return []byte{0x40, 2, byte(id >> 8), byte(id)} }

// TestBufferedConnCoalescesWrites writes 500 PUBACKs while the first flush
// is held in the "kernel": they leave in two writes, in order, instead of
// 500.
func TestBufferedConnCoalescesWrites(t *testing.T) {
	under := &countingConn{in: bytes.NewReader(nil), gate: make(chan struct{})}
	c := newBufferedConn(under)
	var want []byte
	for i := range 500 {
		p := puback(uint16(i + 1))
		want = append(want, p...)
		if _, err := c.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	close(under.gate) // let every write through
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	_, writes, out, closed := under.counts()
	if !bytes.Equal(out, want) {
		t.Fatalf("flushed %d bytes, want the 2,000 bytes in order", len(out))
	}
	if writes > 2 {
		t.Errorf("500 PUBACKs took %d writes, want at most 2 (one held, one with the rest)", writes)
	}
	if !closed {
		t.Error("Close did not close the connection")
	}
}

// TestBufferedConnLoneWriteGoesOut checks that one write (a CONNECT or a
// PINGREQ) is flushed without any further write or Close.
func TestBufferedConnLoneWriteGoesOut(t *testing.T) {
	under := &countingConn{in: bytes.NewReader(nil)}
	c := newBufferedConn(under)
	defer c.Close()
	if _, err := c.Write([]byte{0xc0, 0}); err != nil { // PINGREQ
		t.Fatal(err)
	}
	waitFor(t, "the PINGREQ reached the connection", func() (bool, string) {
		_, writes, out, _ := under.counts()
		return bytes.Equal(out, []byte{0xc0, 0}), fmt.Sprintf("%d writes, %x", writes, out)
	})
}

// TestBufferedConnReadsInBulk reads 1,000 small packets the way paho does
// (one byte, the length byte, then the body) with a few reads underneath.
func TestBufferedConnReadsInBulk(t *testing.T) {
	var in []byte
	for i := range 1000 {
		in = append(in, puback(uint16(i))...)
	}
	under := &countingConn{in: bytes.NewReader(in)}
	c := newBufferedConn(under)
	defer c.Close()
	buf := make([]byte, 2)
	for i := range 1000 {
		for _, n := range []int{1, 1, 2} {
			if _, err := io.ReadFull(c, buf[:n]); err != nil {
				t.Fatalf("packet %d: %v", i, err)
			}
		}
	}
	if reads, _, _, _ := under.counts(); reads > 2 {
		t.Errorf("4,000 bytes in 3,000 reads took %d reads underneath, want 1", reads)
	}
}

// TestBufferedConnWriteError checks that a failed flush closes the
// connection (paho's reader then fails and paho reconnects) and that later
// writes report the error.
func TestBufferedConnWriteError(t *testing.T) {
	boom := errors.New("broken pipe")
	under := &countingConn{in: bytes.NewReader(nil), writeErr: boom}
	c := newBufferedConn(under)
	if _, err := c.Write(puback(1)); err != nil {
		t.Fatalf("first write: %v (the error shows on a later write)", err)
	}
	waitFor(t, "the connection closed after the failed flush", func() (bool, string) {
		_, _, _, closed := under.counts()
		return closed, "open"
	})
	if _, err := c.Write(puback(2)); !errors.Is(err, boom) {
		t.Fatalf("write after a failed flush: %v, want %v", err, boom)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestBufferedConnClosed checks writes after Close fail and Close twice is
// harmless.
func TestBufferedConnClosed(t *testing.T) {
	under := &countingConn{in: bytes.NewReader(nil)}
	c := newBufferedConn(under)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(puback(1)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write after Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
