package sim

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// FaultKind names an injectable fault.
type FaultKind string

// The injectable faults.
const (
	// FaultSilentDevice stops every message of Device inside [From, To).
	FaultSilentDevice FaultKind = "silent_device"
	// FaultPostUnstaffed skips the post check-ins of School's Post for every
	// peak window that overlaps [From, To).
	FaultPostUnstaffed FaultKind = "post_unstaffed"
	// FaultKitchenCamOff turns kitchen camera Device off inside [From, To):
	// retained status offline at From (online again at To), and its status
	// reports online=false, streaming=false, fps 0 and a growing frame age.
	FaultKitchenCamOff FaultKind = "kitchen_cam_off"
	// FaultPanicPress publishes one alarm.panic from alarm terminal Device at From.
	FaultPanicPress FaultKind = "panic_press"
	// FaultGateForced publishes one access.forced from gate controller Device at From.
	FaultGateForced FaultKind = "gate_forced"
	// FaultSilentSchool stops every message of every device of School inside
	// [From, To): a power cut or a broken uplink.
	FaultSilentSchool FaultKind = "silent_school"
	// FaultKitchenViolation publishes one kitchen.violation (category
	// "smoking", tier 2, confidence 0.9) from kitchen camera Device at From.
	FaultKitchenViolation FaultKind = "kitchen_violation"
)

// FaultKinds lists every fault kind.
var FaultKinds = []FaultKind{FaultSilentDevice, FaultPostUnstaffed, FaultKitchenCamOff, FaultPanicPress, FaultGateForced,
	FaultSilentSchool, FaultKitchenViolation}

// Fault is one injected fault. From and To are virtual times; a zero From
// means the virtual start, a zero To means no end. Times on the date
// 0000-01-01 are clock times (what ParseFault returns for "@HH:MM"): New
// places them on the virtual start day in Asia/Shanghai, or the next day when
// they would already be over at the start; a To not after From is on the
// following day.
type Fault struct {
	Kind   FaultKind
	Device string // silent_device, kitchen_cam_off, panic_press, gate_forced, kitchen_violation
	School string // post_unstaffed, silent_school
	Post   string // post_unstaffed
	From   time.Time
	To     time.Time
}

// Validate checks that the fault names what its kind needs.
func (f Fault) Validate() error {
	switch f.Kind {
	case FaultSilentDevice, FaultKitchenCamOff, FaultPanicPress, FaultGateForced, FaultKitchenViolation:
		if f.Device == "" {
			return fmt.Errorf("fault %s needs a device", f.Kind)
		}
	case FaultSilentSchool:
		if f.School == "" {
			return fmt.Errorf("fault %s needs a school", f.Kind)
		}
	case FaultPostUnstaffed:
		if f.School == "" || f.Post == "" {
			return fmt.Errorf("fault %s needs a school and a post", f.Kind)
		}
	default:
		return fmt.Errorf("unknown fault kind %q (want one of %s)", f.Kind, faultKindList())
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) && !isClockTime(f.To) {
		return fmt.Errorf("fault %s: to %s is not after from %s", f.Kind, f.To.Format(time.RFC3339), f.From.Format(time.RFC3339))
	}
	return nil
}

func faultKindList() string {
	s := make([]string, len(FaultKinds))
	for i, k := range FaultKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// ParseFault parses the command-line form of a fault:
//
//	kind:target[@when]
//
// where target is a device id, a school id for silent_school, or
// "school:post" for post_unstaffed, and when
// is "HH:MM" (from), "HH:MM-HH:MM" (from-to), an RFC 3339 time, or two RFC
// 3339 times joined by "/". Without @when the fault lasts the whole run
// (panic_press and gate_forced then happen at the start). Examples:
//
//	silent_device:cd-0001-alarm-1
//	post_unstaffed:cd-0002:main-gate
//	kitchen_cam_off:cd-0003-kitchencam-1@11:00-13:00
//	panic_press:cd-0001-alarm-1@2026-11-30T10:15:00+08:00
//	silent_school:cd-0004@14:00-15:00
func ParseFault(s string) (Fault, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok || rest == "" {
		return Fault{}, fmt.Errorf("fault %q: want kind:target[@when]", s)
	}
	f := Fault{Kind: FaultKind(kind)}
	target, when, hasWhen := strings.Cut(rest, "@")
	switch f.Kind {
	case FaultPostUnstaffed:
		school, post, ok := strings.Cut(target, ":")
		if !ok || school == "" || post == "" || strings.Contains(post, ":") {
			return Fault{}, fmt.Errorf("fault %q: want post_unstaffed:school:post[@when]", s)
		}
		f.School, f.Post = school, post
	case FaultSilentSchool:
		if strings.Contains(target, ":") {
			return Fault{}, fmt.Errorf("fault %q: want silent_school:school[@when]", s)
		}
		f.School = target
	default:
		if strings.Contains(target, ":") {
			return Fault{}, fmt.Errorf("fault %q: want %s:device[@when]", s, kind)
		}
		f.Device = target
	}
	if hasWhen {
		var err error
		if f.From, f.To, err = parseWhen(when); err != nil {
			return Fault{}, fmt.Errorf("fault %q: %w", s, err)
		}
	}
	if err := f.Validate(); err != nil {
		return Fault{}, fmt.Errorf("fault %q: %w", s, err)
	}
	return f, nil
}

// parseWhen parses the @when part of a fault.
func parseWhen(when string) (from, to time.Time, err error) {
	if when == "" {
		return from, to, errors.New("empty time after @")
	}
	if strings.Contains(when, "T") { // RFC 3339
		a, b, span := strings.Cut(when, "/")
		if from, err = time.Parse(time.RFC3339, a); err != nil {
			return from, to, fmt.Errorf("bad time %q (want RFC 3339)", a)
		}
		if span {
			if to, err = time.Parse(time.RFC3339, b); err != nil {
				return from, to, fmt.Errorf("bad time %q (want RFC 3339)", b)
			}
		}
		return from, to, nil
	}
	a, b, span := strings.Cut(when, "-")
	if from, err = parseClock(a); err != nil {
		return from, to, err
	}
	if span {
		if to, err = parseClock(b); err != nil {
			return from, to, err
		}
	}
	return from, to, nil
}

// parseClock parses "HH:MM" into a clock time on 0000-01-01 UTC.
func parseClock(s string) (time.Time, error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return time.Time{}, fmt.Errorf("bad clock time %q (want HH:MM)", s)
	}
	return time.Date(0, 1, 1, t.Hour(), t.Minute(), 0, 0, time.UTC), nil
}

// isClockTime reports whether t is a clock time from ParseFault.
func isClockTime(t time.Time) bool { return !t.IsZero() && t.Year() == 0 }

// span is a virtual time interval [from, to) in Unix nanoseconds.
type span struct{ from, to int64 }

func (p span) contains(t int64) bool        { return t >= p.from && t < p.to }
func (p span) overlaps(from, to int64) bool { return from < p.to && p.from < to }

// resolve places the fault on virtual time (Unix ns), given the virtual
// start. Clock times go to the start day, or to the next day when that
// occurrence is already over at the start (for a point fault: when From has
// passed).
func (f Fault) resolve(start int64) span {
	p := span{from: start, to: maxTime}
	day := localDayStart(start)
	if !f.From.IsZero() {
		p.from = f.From.UnixNano()
		if isClockTime(f.From) {
			p.from = day + clockOffset(f.From)
		}
	}
	if !f.To.IsZero() {
		p.to = f.To.UnixNano()
		if isClockTime(f.To) {
			p.to = day + clockOffset(f.To)
			for p.to <= p.from {
				p.to += nsDay
			}
		}
	}
	if isClockTime(f.From) {
		end := p.to
		if f.point() {
			end = p.from + 1
		}
		if end <= start {
			p.from += nsDay
			if isClockTime(f.To) {
				p.to += nsDay
			}
		}
	}
	return p
}

// point reports whether the fault is one event at From rather than a window.
func (f Fault) point() bool {
	return f.Kind == FaultPanicPress || f.Kind == FaultGateForced || f.Kind == FaultKitchenViolation
}

func clockOffset(t time.Time) int64 {
	return int64(t.Hour())*nsHour + int64(t.Minute())*nsMinute + int64(t.Second())*nsSecond
}
