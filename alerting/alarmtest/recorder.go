package alarmtest

import (
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/devices"
)

// Measurement is the InfluxDB measurement of the test records.
const Measurement = "alarm_test"

// Recorder makes each alarm test visible: a log line, the metric
// campusguard_alarm_tests_total{outcome} and one InfluxDB point (measurement
// alarm_test) handed to Sink. Record is called from the engine's workers:
// it never blocks (Sink must not either).
type Recorder struct {
	log   zerolog.Logger
	total *prometheus.CounterVec
	sink  func(line []byte)
}

// NewRecorder registers the metric on reg (nil: not registered) and
// returns a Recorder writing points to sink (nil: no points).
func NewRecorder(log zerolog.Logger, reg prometheus.Registerer, sink func(line []byte)) (*Recorder, error) {
	r := &Recorder{
		log: log.With().Str("component", "alerting.alarmtest").Logger(),
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "campusguard", Subsystem: "alarm", Name: "tests_total",
			Help: "Alarm tests seen, by outcome: window (a panic press inside a registered test window, no P0), " +
				"manual (E601 test press), periodic (E602 self-test: link only, not a test press), failed (ok=false).",
		}, []string{"outcome"}),
		sink: sink,
	}
	for _, o := range Outcomes {
		r.total.WithLabelValues(string(o))
	}
	if reg != nil {
		if err := reg.Register(r.total); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Record records ev's outcome o (None records nothing). Tests are rare
// (monthly presses, daily self-tests), so each gets a log line; the
// periodic self-test logs at debug level.
func (r *Recorder) Record(ev *devices.Event, o Outcome) {
	if r == nil || o == None {
		return
	}
	r.total.WithLabelValues(string(o)).Inc()
	lvl := zerolog.InfoLevel
	if o == Periodic {
		lvl = zerolog.DebugLevel
	}
	r.log.WithLevel(lvl).Str("school", ev.School).Str("device", ev.Device).Str("outcome", string(o)).
		Str("event", ev.ID).Str("type", ev.Type).Time("ts", ev.TS).Msg("alarm test recorded")
	if r.sink != nil {
		r.sink(AppendLine(nil, ev, o))
	}
}

// AppendLine appends the InfluxDB line of a test record:
//
//	alarm_test,device=…,outcome=window,region=…,school=… event="…",type="alarm.panic" <ts ns>
//
// Tags are registry ids and the closed outcome set; the event id is a
// field. A redelivered event writes the same point again (same time, same
// tags), so it is not counted twice.
func AppendLine(b []byte, ev *devices.Event, o Outcome) []byte {
	b = append(b, Measurement...)
	b = append(b, ",device="...)
	b = appendTag(b, ev.Device)
	b = append(b, ",outcome="...)
	b = append(b, o...)
	b = append(b, ",region="...)
	b = appendTag(b, ev.Region)
	b = append(b, ",school="...)
	b = appendTag(b, ev.School)
	b = append(b, " event="...)
	b = appendField(b, ev.ID)
	b = append(b, ",type="...)
	b = appendField(b, ev.Type)
	b = append(b, ' ')
	b = strconv.AppendInt(b, ev.TS.Truncate(time.Millisecond).UnixNano(), 10)
	return append(b, '\n')
}

var tagEscaper = strings.NewReplacer(",", `\,`, "=", `\=`, " ", `\ `)

func appendTag(b []byte, s string) []byte { return append(b, tagEscaper.Replace(s)...) }

var fieldEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", " ", "\r", " ")

func appendField(b []byte, s string) []byte {
	b = append(b, '"')
	b = append(b, fieldEscaper.Replace(s)...)
	return append(b, '"')
}
