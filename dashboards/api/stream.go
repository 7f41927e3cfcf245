package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/lifecycle"
)

// The stream (GET /api/v1/stream) is server-sent events: first
// "event: snapshot" with the open alerts the viewer may see, then one
// "event: alert" per change they may see, and ": ping" comments to keep
// proxies from closing an idle connection. There are no event ids: a
// client that reconnects simply gets a new snapshot.
//
// Publish hands each change to every stream's own buffered queue and
// never waits; a stream whose queue is full is cut off (and counted), so
// its client reconnects and starts again from a snapshot rather than
// silently missing changes.

// alertEvent is the data of "event: alert".
type alertEvent struct {
	Event string     `json:"event"` // lifecycle.Event*
	Alert *alertView `json:"alert"` // with the steps the stream's viewer can take
}

// snapshotEvent is the data of "event: snapshot".
type snapshotEvent struct {
	Alerts []alertView `json:"alerts"`
}

// hub is the set of connected streams.
type hub struct {
	mu      sync.Mutex
	clients map[*client]struct{}
}

// client is one connected stream.
type client struct {
	v    Viewer
	ch   chan []byte   // encoded alertEvents
	gone chan struct{} // closed when Publish drops the client
}

func newHub() *hub { return &hub{clients: map[*client]struct{}{}} }

func (h *hub) add(v Viewer, buf int) *client {
	c := &client{v: v, ch: make(chan []byte, buf), gone: make(chan struct{})}
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
	return c
}

// remove forgets c (if Publish has not dropped it already).
func (h *hub) remove(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
}

func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// Publish hands ch to every stream whose viewer may see its alert. It
// never blocks: a stream that has not kept up is dropped. Call it from
// the lifecycle's change feed, in order.
func (a *API) Publish(ch lifecycle.Change) {
	// One encoding per kind of actor ("can" depends on the agency and
	// admin flag, not on the person): at most one per role.
	var encoded map[alerting.Actor][]byte
	var dropped []string
	a.hub.mu.Lock()
	for c := range a.hub.clients {
		if !c.v.SeesAlert(&ch.Alert) {
			continue
		}
		kind := c.v.Actor()
		kind.Name = ""
		data, ok := encoded[kind]
		if !ok {
			view := a.viewOf(ch.Alert, c.v)
			var err error
			if data, err = json.Marshal(alertEvent{Event: ch.Event, Alert: &view}); err != nil {
				break // cannot happen with alerting.Alert
			}
			if encoded == nil {
				encoded = map[alerting.Actor][]byte{}
			}
			encoded[kind] = data
		}
		select {
		case c.ch <- data:
		default:
			delete(a.hub.clients, c)
			close(c.gone)
			dropped = append(dropped, c.v.Name)
		}
	}
	a.hub.mu.Unlock()
	for _, name := range dropped {
		a.metrics.sseDropped.Inc()
		a.log.Warn().Str("viewer", name).Msg("alert stream dropped: client too slow")
	}
}

func realTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

func (a *API) stream(w http.ResponseWriter, r *http.Request, v Viewer) {
	if e := checkParams(r.URL.Query()); e != nil {
		writeError(w, e)
		return
	}
	// Join before taking the snapshot, so that no change falls between
	// the two (one may come twice, the later copy being current).
	c := a.hub.add(v, a.clientBuf)
	defer a.hub.remove(c)
	a.metrics.sseClients.Inc()
	defer a.metrics.sseClients.Dec()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)

	rc := http.NewResponseController(w)
	open := a.visibleAlerts(lifecycle.Filter{States: []alerting.State{alerting.Firing, alerting.Acknowledged}}, v)
	views := make([]alertView, len(open))
	for i := range open {
		views[i] = a.viewOf(open[i], v)
	}
	snap, err := json.Marshal(snapshotEvent{Alerts: views})
	if err != nil {
		a.log.Error().Err(err).Msg("stream snapshot")
		return
	}
	if !a.send(w, rc, "retry: 5000\nevent: snapshot\ndata: ", snap) {
		return
	}
	tick, stop := a.newTicker(a.pingEvery)
	defer stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-c.gone:
			return
		case data := <-c.ch:
			if !a.send(w, rc, "event: alert\ndata: ", data) {
				return
			}
		case <-tick:
			if !a.send(w, rc, ": ping", nil) {
				return
			}
		}
	}
}

// send writes one event (head, then data, then the blank line) and
// flushes it; false means the stream is over. A write that takes longer
// than writeLimit fails, so a stalled connection cannot hold the stream.
func (a *API) send(w http.ResponseWriter, rc *http.ResponseController, head string, data []byte) bool {
	if err := rc.SetWriteDeadline(time.Now().Add(a.writeLimit)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return false
	}
	buf := make([]byte, 0, len(head)+len(data)+2)
	buf = append(append(append(buf, head...), data...), "\n\n"...)
	if _, err := w.Write(buf); err != nil {
		return false
	}
	if err := rc.Flush(); err != nil {
		a.log.Debug().Err(err).Msg("stream flush")
		return false
	}
	return true
}
