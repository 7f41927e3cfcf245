package sim

import (
	"fmt"

	"github.com/campusguard/campusguard/devices"
)

// evType is a payload type the simulator sends, resolved once so that the
// hot path counts by index instead of by map lookup.
type evType struct {
	name string
	idx  int
}

var evTypes []*evType

func newType(name string) *evType {
	t := &evType{name: name, idx: len(evTypes)}
	evTypes = append(evTypes, t)
	return t
}

// The payload types the simulator sends: vocabulary names, heartbeats as
// "heartbeat.<kind>" and the status channel as "status".
var (
	tStatus    = newType("status")
	tPanic     = newType("alarm.panic")
	tTest      = newType("alarm.test")
	tGranted   = newType("access.granted")
	tDenied    = newType("access.denied")
	tForced    = newType("access.forced")
	tTailgate  = newType("access.tailgate")
	tGateState = newType("gate.state")
	tCheckin   = newType("guard.checkin")
	tCheckout  = newType("guard.checkout")
	tPatrol    = newType("patrol.checkpoint")
	tKitchen   = newType("kitchen.status")
	tViolation = newType("kitchen.violation")
	// tHeartbeat is indexed by kindIndex.
	tHeartbeat = [...]*evType{
		newType("heartbeat.alarm"), newType("heartbeat.access"),
		newType("heartbeat.guard"), newType("heartbeat.kitchencam"),
	}
)

func init() {
	// The simulator must only speak the vocabulary.
	for _, t := range evTypes {
		if t != tStatus && devices.Vocabulary[t.name] == nil {
			panic(fmt.Sprintf("sim: type %q is not in devices.Vocabulary", t.name))
		}
	}
	for i, k := range devices.Kinds {
		if i >= len(tHeartbeat) || tHeartbeat[i].name != "heartbeat."+string(k) {
			panic(fmt.Sprintf("sim: no heartbeat type for kind %q", k))
		}
	}
}

// kindIndex returns the index of k in devices.Kinds, or -1.
func kindIndex(k devices.Kind) int {
	for i, x := range devices.Kinds {
		if x == k {
			return i
		}
	}
	return -1
}

// Channel indexes.
const (
	chEvent = iota
	chHeartbeat
	chStatus
	numChannels
)

var channels = [numChannels]devices.Channel{devices.ChannelEvent, devices.ChannelHeartbeat, devices.ChannelStatus}
