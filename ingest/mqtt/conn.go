package mqtt

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"net/url"
	"runtime"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Buffer sizes of the connection under paho.
const (
	// readBufferSize is how much one read syscall may bring in: a burst
	// of PUBLISH packets (~300 bytes each) is read ~200 at a time instead
	// of three reads per packet (paho reads the fixed header byte, the
	// remaining length and the body separately).
	readBufferSize = 64 << 10
	// maxPendingWrite bounds the bytes waiting for the flusher; a writer
	// beyond it waits (a broker that stops reading holds paho back
	// instead of growing memory).
	maxPendingWrite = 1 << 20
	// closeFlushTimeout bounds how long Close tries to get the pending
	// bytes (the last PUBACKs, a DISCONNECT) out to a broker that does
	// not read.
	closeFlushTimeout = 2 * time.Second
)

// openConn is the subscriber's paho.OpenConnectionFunc: it dials like
// paho (tcp, tls, ws) and wraps the connection in a bufferedConn.
func (s *Subscriber) openConn(uri *url.URL, o paho.ClientOptions) (net.Conn, error) {
	c, err := dial(uri, o)
	if err != nil {
		return nil, err
	}
	if s.opts.wrapConn != nil {
		c = s.opts.wrapConn(c)
	}
	if s.opts.plainConn {
		return c, nil
	}
	return newBufferedConn(c), nil
}

// dial opens the network connection paho would open for uri. Proxies from
// the environment, which paho's own dialler honours, are not supported.
func dial(uri *url.URL, o paho.ClientOptions) (net.Conn, error) {
	d := o.Dialer
	if d == nil {
		d = &net.Dialer{Timeout: o.ConnectTimeout}
	}
	switch uri.Scheme {
	case "tcp", "mqtt":
		return d.Dial("tcp", uri.Host)
	case "ssl", "tls", "mqtts":
		return tls.DialWithDialer(d, "tcp", uri.Host, o.TLSConfig)
	case "ws", "wss":
		u := *uri
		u.User = nil
		var cfg *tls.Config
		if uri.Scheme == "wss" {
			cfg = o.TLSConfig
		}
		return paho.NewWebsocket(u.String(), cfg, o.ConnectTimeout, o.HTTPHeaders, o.WebsocketOptions)
	}
	return nil, errors.New("mqtt: unknown broker scheme " + uri.Scheme)
}

// bufferedConn is the connection paho reads and writes MQTT packets on,
// made cheap in syscalls:
//
//   - reads go through a bufio.Reader, so a burst of packets costs one read
//     per buffer rather than three per packet;
//   - writes are appended to a buffer that one flusher goroutine writes
//     out: the PUBACKs of a group commit (hundreds, 4 bytes each, written
//     one by one by paho) leave in a few syscalls instead of one each.
//
// Nothing waits for a timer: the flusher starts as soon as it is signalled
// and takes everything written by then, so a lone packet (CONNECT,
// PINGREQ, SUBSCRIBE, the only PUBACK) goes out at once. Writes that
// arrive while a flush is in the kernel coalesce into the next one. A
// failed flush closes the connection, so paho's reader fails and paho
// reconnects; later writes return the error. Close flushes first.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader

	mu      sync.Mutex
	room    *sync.Cond // signalled when pending shrinks or the conn fails
	pending []byte     // written, not yet flushed
	spare   []byte     // the previous flush's buffer, reused
	err     error      // first flush error, or net.ErrClosed after Close
	closing bool

	kick    chan struct{} // cap 1: there is something to flush
	flushed chan struct{} // closed when the flusher has exited
	close   sync.Once
}

func newBufferedConn(c net.Conn) *bufferedConn {
	b := &bufferedConn{
		Conn:    c,
		r:       bufio.NewReaderSize(c, readBufferSize),
		kick:    make(chan struct{}, 1),
		flushed: make(chan struct{}),
	}
	b.room = sync.NewCond(&b.mu)
	go b.flusher()
	return b
}

// Read implements net.Conn through the read buffer.
func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// Write queues p for the flusher. It reports an error only once a flush
// failed or the connection was closed; bytes queued before that may still
// be lost with the connection, as they could be in the kernel's buffer.
func (b *bufferedConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	for b.err == nil && !b.closing && len(b.pending) >= maxPendingWrite {
		b.room.Wait()
	}
	if b.err != nil || b.closing {
		err := b.err
		b.mu.Unlock()
		if err == nil {
			err = net.ErrClosed
		}
		return 0, err
	}
	b.pending = append(b.pending, p...)
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default:
	}
	return len(p), nil
}

// flusher writes the pending bytes whenever kicked, until Close.
func (b *bufferedConn) flusher() {
	defer close(b.flushed)
	for range b.kick {
		// Let the writer that kicked us go on first: paho writes a group
		// commit's PUBACKs one by one, and one yield collects many of
		// them into this flush without delaying a lone packet measurably.
		runtime.Gosched()
		b.mu.Lock()
		out := b.pending
		b.pending = b.spare[:0]
		closing := b.closing
		b.mu.Unlock()
		if len(out) > 0 {
			if _, err := b.Conn.Write(out); err != nil {
				b.fail(err)
				return
			}
		}
		b.mu.Lock()
		b.spare = out[:0]
		b.room.Broadcast()
		more := len(b.pending) > 0
		b.mu.Unlock()
		if closing && !more {
			return
		}
	}
}

// fail records a flush error and closes the connection, which ends
// paho's reader (and so the connection, which paho then re-establishes).
func (b *bufferedConn) fail(err error) {
	b.mu.Lock()
	if b.err == nil {
		b.err = err
	}
	b.pending = nil
	b.room.Broadcast()
	b.mu.Unlock()
	_ = b.Conn.Close()
}

// Close flushes what was written (waiting at most closeFlushTimeout for a
// broker that does not read) and closes the connection. It does not set a
// write deadline: a websocket connection's deadline may not be set while
// the flusher writes.
func (b *bufferedConn) Close() error {
	var err error
	b.close.Do(func() {
		b.mu.Lock()
		b.closing = true
		b.room.Broadcast()
		b.mu.Unlock()
		select {
		case b.kick <- struct{}{}:
		default:
		}
		t := time.NewTimer(closeFlushTimeout)
		select {
		case <-b.flushed:
		case <-t.C: // the flusher is stuck in a write: closing ends it
		}
		t.Stop()
		err = b.Conn.Close()
		b.mu.Lock()
		if b.err == nil {
			b.err = net.ErrClosed
		}
		b.mu.Unlock()
	})
	return err
}
