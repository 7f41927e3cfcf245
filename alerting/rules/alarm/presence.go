package alarm

import (
	"time"

	"github.com/campusguard/campusguard/alerting/engine"
)

// offlineMessage is the alarm_offline text of t (presence.Device.Describe).
func (t *terminal) offlineMessage(c engine.Ctx, will bool, silent time.Duration) (zh, en string) {
	name := c.School().Name
	wzh, wen := t.where()
	if will {
		return name + " " + wzh + "已断开连接（离线遗嘱），无法向110报警",
			"At " + name + ", " + wen + " disconnected (last will): it cannot call 110"
	}
	szh, sen := span(silent)
	return name + " " + wzh + "已离线 " + szh + "（未收到心跳），无法向110报警",
		"At " + name + ", " + wen + " is offline for " + sen + " (no heartbeat): it cannot call 110"
}
