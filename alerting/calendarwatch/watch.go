package calendarwatch

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/devices"
)

// DefaultWarnDays is how many days before a calendar runs out the warning
// starts.
const DefaultWarnDays = 60

// Clock gives the time (the engine's clock in the service, a fake in tests).
type Clock interface{ Now() time.Time }

// Options configure a Watcher.
type Options struct {
	Clock Clock // required
	// Apply takes the calendar_expiring conditions (lifecycle
	// Manager.Apply); required.
	Apply      func(alerting.Condition)
	Logger     zerolog.Logger
	Registerer prometheus.Registerer // nil: no metrics
	// Enabled says whether calendar_expiring may be raised (the rules
	// file's defaults.rules.calendar_expiring.enabled); nil: always. When
	// off, the log and the gauge stay and an open alert resolves.
	Enabled  func() bool
	WarnDays int           // 0: DefaultWarnDays
	Every    time.Duration // how often Run looks whether the day changed; 0: 10 minutes
}

// Watcher checks the calendars of the current registry.
type Watcher struct {
	opts  Options
	log   zerolog.Logger
	gauge *prometheus.GaugeVec

	mu      sync.Mutex
	reg     *devices.Registry
	lastDay devices.Date
	shown   map[string]bool // calendar ids with a gauge value or a possibly open alert
}

// New returns a Watcher; it checks nothing until Check.
func New(o Options) (*Watcher, error) {
	if o.Clock == nil || o.Apply == nil {
		return nil, errors.New("calendarwatch: Clock and Apply are required")
	}
	if o.WarnDays <= 0 {
		o.WarnDays = DefaultWarnDays
	}
	if o.Every <= 0 {
		o.Every = 10 * time.Minute
	}
	w := &Watcher{opts: o, log: o.Logger.With().Str("component", "calendarwatch").Logger(), shown: map[string]bool{}}
	w.gauge = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: "campusguard", Subsystem: "calendar", Name: "days_left",
		Help: "Days until the school calendar runs out (its last term ends or its national holiday data end); negative once it has.",
	}, []string{"calendar"})
	if o.Registerer != nil {
		if err := o.Registerer.Register(w.gauge); err != nil {
			return nil, fmt.Errorf("calendarwatch: %w", err)
		}
	}
	return w, nil
}

// Check takes reg as the current registry (at start and after each reload)
// and checks its calendars now.
func (w *Watcher) Check(reg *devices.Registry) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reg = reg
	w.checkLocked()
}

// Tick checks again when the date (Asia/Shanghai) has changed since the
// last check, so the warning is logged and the alert updated once a day.
func (w *Watcher) Tick() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.reg == nil || devices.DateOf(w.opts.Clock.Now().In(devices.Location())) == w.lastDay {
		return
	}
	w.checkLocked()
}

// Run calls Tick every Options.Every until ctx ends.
func (w *Watcher) Run(ctx context.Context) error {
	t := time.NewTicker(w.opts.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			w.Tick()
		}
	}
}

// Status is one calendar's standing.
type Status struct {
	Calendar string
	Until    devices.Date // the last date it answers for
	DaysLeft int          // from today to Until; negative once run out
	Schools  int          // schools that use it
}

// Statuses returns the standing of every calendar the registry's schools
// use on date today, by calendar id.
func Statuses(reg *devices.Registry, today devices.Date) []Status {
	use := map[string]int{}
	for i := range reg.Schools {
		use[reg.Schools[i].Calendar]++
	}
	var out []Status
	for id, n := range use {
		cal, ok := reg.Calendar(id)
		if !ok {
			continue
		}
		until := cal.Until()
		out = append(out, Status{Calendar: id, Until: until, DaysLeft: daysBetween(today, until), Schools: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Calendar < out[j].Calendar })
	return out
}

func daysBetween(a, b devices.Date) int {
	return int(b.In(time.UTC).Sub(a.In(time.UTC)).Round(time.Hour) / (24 * time.Hour))
}

func (w *Watcher) checkLocked() {
	now := w.opts.Clock.Now()
	today := devices.DateOf(now.In(devices.Location()))
	w.lastDay = today
	seen := map[string]bool{}
	for _, st := range Statuses(w.reg, today) {
		seen[st.Calendar] = true
		w.shown[st.Calendar] = true
		w.gauge.WithLabelValues(st.Calendar).Set(float64(st.DaysLeft))
		l := w.log.With().Str("calendar", st.Calendar).Stringer("until", st.Until).Int("days_left", st.DaysLeft).
			Int("schools", st.Schools).Logger()
		resolve := alerting.Condition{Rule: alerting.CalendarExpiring, Subject: st.Calendar, At: now}
		switch {
		case st.DaysLeft > w.opts.WarnDays:
			l.Info().Msg("calendar covers the next days")
			w.opts.Apply(resolve)
		case w.opts.Enabled != nil && !w.opts.Enabled():
			l.Warn().Msg("calendar runs out soon (calendar_expiring is disabled in the rules file): add next year's holiday file and the new terms (docs/calendar.md)")
			w.opts.Apply(resolve)
		default:
			l.Warn().Msg("calendar runs out soon: add next year's holiday file and the new terms (docs/calendar.md)")
			zh, en := messages(st)
			w.opts.Apply(alerting.Condition{Rule: alerting.CalendarExpiring, Subject: st.Calendar, Firing: true, At: now,
				Severity: alerting.P3, MessageZH: zh, MessageEN: en})
		}
	}
	for id := range w.shown {
		if !seen[id] {
			// Gone from the registry, or no school uses it any more.
			w.gauge.DeleteLabelValues(id)
			w.opts.Apply(alerting.Condition{Rule: alerting.CalendarExpiring, Subject: id, At: now})
			delete(w.shown, id)
		}
	}
}

func messages(st Status) (zh, en string) {
	if st.DaysLeft < 0 {
		return fmt.Sprintf("校历 %s 已于 %s 到期（%d 所学校使用）：到期后的节假日与学期未知，上学日判断不可靠。请加入下一年国务院节假日安排文件和新学期校历。",
				st.Calendar, st.Until, st.Schools),
			fmt.Sprintf("Calendar %s ran out on %s (%d schools): school days after it are unknown. Add next year's State Council holiday file and the new terms.",
				st.Calendar, st.Until, st.Schools)
	}
	return fmt.Sprintf("校历 %s 将于 %s 到期（剩余 %d 天，%d 所学校使用）：请在到期前加入下一年国务院节假日安排文件和新学期校历。",
			st.Calendar, st.Until, st.DaysLeft, st.Schools),
		fmt.Sprintf("Calendar %s runs out on %s (%d days left, %d schools): add next year's State Council holiday file and the new terms before then.",
			st.Calendar, st.Until, st.DaysLeft, st.Schools)
}
