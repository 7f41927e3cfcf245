package devices

import "fmt"

// Kind is the class of a security device; it appears in the MQTT topic.
type Kind string

// The four device kinds of the contract.
const (
	KindAlarm      Kind = "alarm"      // one-button emergency alarm terminal (一键报警)
	KindAccess     Kind = "access"     // gate / turnstile controller (门禁)
	KindGuard      Kind = "guard"      // guard and post check-in terminal (保安/护学岗签到)
	KindKitchenCam Kind = "kitchencam" // bright-kitchen AI camera (明厨亮灶)
)

// Kinds lists every kind in a stable order.
var Kinds = []Kind{KindAlarm, KindAccess, KindGuard, KindKitchenCam}

// ParseKind returns the Kind named s or an error.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown device kind %q (want alarm, access, guard or kitchencam)", s)
}

// Channel is the last topic level: what sort of message a device sends.
type Channel string

// The three channels of the contract.
const (
	ChannelEvent     Channel = "event"
	ChannelHeartbeat Channel = "heartbeat"
	ChannelStatus    Channel = "status"
)

// ParseChannel returns the Channel named s or an error.
func ParseChannel(s string) (Channel, error) {
	switch Channel(s) {
	case ChannelEvent, ChannelHeartbeat, ChannelStatus:
		return Channel(s), nil
	}
	return "", fmt.Errorf("unknown channel %q (want event, heartbeat or status)", s)
}
