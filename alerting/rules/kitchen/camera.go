package kitchen

import (
	"fmt"
	"time"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/alerting/engine"
	"github.com/campusguard/campusguard/devices"
)

// present records a message from the camera: it is online and its
// heartbeat deadline moves on.
func (s *State) present(c engine.Ctx, cam *camera, now time.Time) {
	cam.lastSeen = now
	cam.hbMissed, cam.willOffline = false, false
	c.AtDevice(now.Add(s.hbTimeout(c, cam)), cam.d, slotHB)
}

// applyStatus takes the stream fields of kitchen.status or a heartbeat;
// a field left out keeps its last value.
func (s *State) applyStatus(c engine.Ctx, cam *camera, ev *devices.Event) {
	if ev.Type != typeStatus && ev.Channel != devices.ChannelHeartbeat {
		return
	}
	if v, ok := ev.Bool("online"); ok {
		cam.reportedOff = !v
	}
	if v, ok := ev.Bool("streaming"); ok {
		cam.notStream = !v
	}
	if v, ok := ev.Num("frame_age_s"); ok {
		cam.frameAge = v
		cam.frozen = v > c.Params().KitchenFrameAgeMax.Seconds()
	}
	if v, ok := ev.Bool("occluded"); ok {
		cam.occluded = v
	}
}

// heartbeatMissed handles the heartbeat deadline: no message for
// HeartbeatMisses × interval means offline.
func (s *State) heartbeatMissed(c engine.Ctx, cam *camera) {
	now := c.Now()
	if due := cam.lastSeen.Add(s.hbTimeout(c, cam)); now.Before(due) {
		c.AtDevice(due, cam.d, slotHB) // a stale deadline (interval changed on reload)
		return
	}
	s.flush(cam, now)
	cam.hbMissed = true
	s.evaluate(c, cam)
}

// evaluate acts on the camera's state after a change (its accounting
// must have been flushed up to now before the change).
func (s *State) evaluate(c engine.Ctx, cam *camera) {
	now := c.Now()
	bad := cam.hbMissed || cam.willOffline || cam.reportedOff || cam.notStream || cam.frozen
	if bad != cam.bad {
		cam.bad = bad
		if bad {
			cam.badSince = now
			if s.open {
				c.AtDevice(now.Add(c.Params().KitchenOfflineAfter), cam.d, slotBad)
			}
		} else {
			c.CancelDevice(cam.d, slotBad)
			if cam.offFiring {
				cam.offFiring = false
				c.Resolve(alerting.KitchenCamOffline, cam.id)
			}
		}
	}
	switch {
	case cam.occluded && s.open && !cam.occFiring:
		s.fireOccluded(c, cam)
	case !cam.occluded && cam.occFiring:
		cam.occFiring = false
		c.Resolve(alerting.KitchenCamOccluded, cam.id)
	}
}

// offlineDue handles the offline-alert deadline: the camera has been bad
// for KitchenOfflineAfter inside the open window.
func (s *State) offlineDue(c engine.Ctx, cam *camera) {
	now := c.Now()
	if !s.open || !cam.bad || cam.offFiring || !now.Before(s.win.end) {
		return
	}
	from := cam.badSince
	if from.Before(s.openedAt) {
		from = s.openedAt
	}
	mins := int(now.Sub(from).Round(time.Minute) / time.Minute)
	zh, en := cam.reason(c)
	cam.offFiring = true
	c.Fire(alerting.Condition{
		Rule:    alerting.KitchenCamOffline,
		Subject: cam.id,
		Device:  cam.id,
		MessageZH: fmt.Sprintf("%s %s摄像头%s已 %d 分钟（%s运营时段 %s–%s）",
			s.school, cam.placeZH(), zh, mins, windowZH(s.win.name), clock(s.win.start), clock(s.win.end)),
		MessageEN: fmt.Sprintf("%s: kitchen camera %s%s %s for %d min (%s operating window %s–%s)",
			s.school, cam.id, cam.at(), en, mins, windowEN(s.win.name), clock(s.win.start), clock(s.win.end)),
	})
}

// fireOccluded reports an occluded camera inside the open window.
func (s *State) fireOccluded(c engine.Ctx, cam *camera) {
	cam.occFiring = true
	c.Fire(alerting.Condition{
		Rule:    alerting.KitchenCamOccluded,
		Subject: cam.id,
		Device:  cam.id,
		MessageZH: fmt.Sprintf("%s %s摄像头被遮挡（%s运营时段 %s–%s）",
			s.school, cam.placeZH(), windowZH(s.win.name), clock(s.win.start), clock(s.win.end)),
		MessageEN: fmt.Sprintf("%s: kitchen camera %s%s covered or blinded (%s operating window %s–%s)",
			s.school, cam.id, cam.at(), windowEN(s.win.name), clock(s.win.start), clock(s.win.end)),
	})
}

// reason says why the camera is bad, most basic cause first.
func (cam *camera) reason(c engine.Ctx) (zh, en string) {
	switch {
	case cam.hbMissed || cam.willOffline || cam.reportedOff:
		return "离线", "offline"
	case cam.notStream:
		return "未推流", "not streaming"
	default:
		return fmt.Sprintf("画面冻结（最新画面 %.0f 秒前，上限 %.0f 秒）", cam.frameAge, c.Params().KitchenFrameAgeMax.Seconds()),
			fmt.Sprintf("frozen (last frame %.0f s old, limit %.0f s)", cam.frameAge, c.Params().KitchenFrameAgeMax.Seconds())
	}
}

// placeZH names where the camera is for Chinese messages.
func (cam *camera) placeZH() string {
	if cam.where == "" {
		return "后厨"
	}
	return cam.where
}

// at renders " at <where>" for English messages.
func (cam *camera) at() string {
	if cam.where == "" {
		return ""
	}
	return " at " + cam.where
}

// clock renders a local time as "HH:MM".
func clock(t time.Time) string { return t.In(devices.Location()).Format("15:04") }
