package sim

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/campusguard/campusguard/devices"
)

// Options configures a Simulator. The zero value of every field but
// Registry is a usable default.
type Options struct {
	// Registry is the world to simulate. Required. The Simulator reads it and
	// never changes it; it must not be changed while the Simulator lives.
	Registry *devices.Registry

	// Speed is the virtual-time speed-up: virtual time advances Speed times
	// as fast as wall time (default 1, real time). The school day's schedule
	// runs on virtual time. With Speed > 1 payload timestamps are wall time,
	// not virtual time, because campusguard rejects timestamps more than
	// 5 min in the future (see Simulator).
	Speed float64

	// Start is the virtual start (default: the Clock's now).
	Start time.Time

	// Rate, when > 0, adds uniform load of Rate messages per wall second on
	// top of the realistic pattern, spread round-robin over all devices
	// (load-generator mode).
	Rate float64

	// HeartbeatScale multiplies every device's heartbeat frequency (default
	// 1; 2 halves the interval).
	HeartbeatScale float64

	// Faults are injected faults; times are virtual.
	Faults []Fault

	// PanicRate is the expected number of real panic presses per alarm
	// terminal per virtual day (default 0: panics only by fault).
	PanicRate float64

	// Quiet switches off random incidents: access denials, tailgating,
	// forced gates and kitchen violations. Faults and PanicRate still apply.
	// Use it where a normal day must raise no alert.
	Quiet bool

	// Seed makes the traffic reproducible: the same Options give the same
	// messages from Step.
	Seed uint64

	// Clock is the wall clock (default: the real one).
	Clock Clock

	// Logger is the parent logger; the Simulator logs with
	// component=devices.sim.
	Logger zerolog.Logger

	// Registerer, when set, receives the Simulator's metrics.
	Registerer prometheus.Registerer

	// SchoolDay, when set, decides whether a date is a school day for a
	// school (day is local midnight, Asia/Shanghai). By default the school's
	// calendar decides (devices.Calendar.IsSchoolDay); a school whose
	// calendar the registry lacks has Monday to Friday.
	SchoolDay func(school *devices.School, day time.Time) bool
}

// Validate reports the first invalid option, naming it.
func (o *Options) Validate() error {
	switch {
	case o.Registry == nil:
		return errors.New("sim: registry is required")
	case o.Speed < 0 || math.IsNaN(o.Speed) || math.IsInf(o.Speed, 0):
		return fmt.Errorf("sim: speed must be a positive number: %v", o.Speed)
	case o.Rate < 0 || math.IsNaN(o.Rate) || math.IsInf(o.Rate, 0):
		return fmt.Errorf("sim: rate must be >= 0 messages/s: %v", o.Rate)
	case o.HeartbeatScale < 0 || math.IsNaN(o.HeartbeatScale) || math.IsInf(o.HeartbeatScale, 0):
		return fmt.Errorf("sim: heartbeat scale must be a positive number: %v", o.HeartbeatScale)
	case o.PanicRate < 0 || math.IsNaN(o.PanicRate) || math.IsInf(o.PanicRate, 0):
		return fmt.Errorf("sim: panic rate must be >= 0 presses/day: %v", o.PanicRate)
	}
	for i, f := range o.Faults {
		if err := f.Validate(); err != nil {
			return fmt.Errorf("sim: faults[%d]: %w", i, err)
		}
	}
	return nil
}

// withDefaults returns a copy with every unset field defaulted.
func (o Options) withDefaults() Options {
	if o.Speed == 0 {
		o.Speed = 1
	}
	if o.HeartbeatScale == 0 {
		o.HeartbeatScale = 1
	}
	if o.Clock == nil {
		o.Clock = wallClock{}
	}
	if o.Start.IsZero() {
		o.Start = o.Clock.Now()
	}
	return o
}
