package access

import (
	"time"

	"github.com/campusguard/campusguard/alerting/engine"
)

// offlineMessage is the access_offline text of g (presence.Device.Describe).
func (g *gate) offlineMessage(c engine.Ctx, will bool, silent time.Duration) (zh, en string) {
	name := c.School().Name
	wzh, wen := g.where()
	if will {
		return name + " " + wzh + "门禁控制器已断开连接（离线遗嘱）",
			"At " + name + ", the controller of " + wen + " disconnected (last will)"
	}
	szh, sen := span(silent)
	return name + " " + wzh + "门禁控制器已离线 " + szh + "（未收到心跳）",
		"At " + name + ", the controller of " + wen + " is offline for " + sen + " (no heartbeat)"
}
