package engine

import (
	"slices"
	"sort"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// Device deadlines (Ctx.AtDevice) are deadline handles: every school of a
// shard owns a range of stride handles per device, in its registry order;
// within a device's stride each module implementing DeviceTimers has its
// slots, laid out per device kind. A handle is found from the device's
// dense registry index, fired back to its school, device and module by a
// binary search over the ranges, and costs 4 bytes while idle.

// slotOwner is what a handle's place within a device's stride stands for.
type slotOwner struct {
	mod  int16 // module index, -1 for none
	slot int16
}

// layout is the per-kind arrangement of device slots, fixed at New.
type layout struct {
	stride int32
	off    [][]int32     // [kind][module] first place of the module's slots
	n      [][]int32     // [kind][module] the module's slots
	owner  [][]slotOwner // [kind][place]
}

func newLayout(mods []Module) layout {
	var l layout
	for _, k := range devices.Kinds {
		off, n := make([]int32, len(mods)), make([]int32, len(mods))
		var owner []slotOwner
		for j, m := range mods {
			dt, ok := m.(DeviceTimers)
			if !ok {
				continue
			}
			off[j], n[j] = int32(len(owner)), int32(max(dt.TimerSlots(k), 0))
			for s := range n[j] {
				owner = append(owner, slotOwner{int16(j), int16(s)})
			}
		}
		l.off, l.n, l.owner = append(l.off, off), append(l.n, n), append(l.owner, owner)
		l.stride = max(l.stride, int32(len(owner)))
	}
	return l
}

// kindIndex is k's place in devices.Kinds, or -1.
func kindIndex(k devices.Kind) int {
	for i, x := range devices.Kinds {
		if x == k {
			return i
		}
	}
	return -1
}

// handleRange is a school's range of handles.
type handleRange struct {
	base   int32 // first handle
	school int32 // index in shard.schools
}

// allocHandles gives school i a range for its devices, or keeps its range
// when that is large enough.
func (sh *shard) allocHandles(i int) {
	st := sh.schools[i]
	st.first = -1
	if len(st.s.Devices) > 0 {
		st.first = st.s.Devices[0].Index()
	}
	need := len(st.s.Devices) * int(sh.lay.stride)
	if need <= st.nHandles {
		return
	}
	st.base, st.nHandles = sh.timers.AddHandles(need), need
	sh.ranges = append(sh.ranges, handleRange{st.base, int32(i)})
}

// devicePos is d's place in school st's device list, or -1.
func devicePos(st *schoolState, d *devices.Device) int {
	if p := d.Index() - st.first; st.first >= 0 && p >= 0 && p < len(st.s.Devices) && &st.s.Devices[p] == d {
		return p
	}
	for p := range st.s.Devices { // a device of another registry, or not indexed
		if st.s.Devices[p].ID == d.ID {
			return p
		}
	}
	return -1
}

// handleOf returns the handle of module mod's slot of d in school school.
func (sh *shard) handleOf(school, mod int, d *devices.Device, slot int) (int32, bool) {
	st := sh.schools[school]
	p := devicePos(st, d)
	if p < 0 {
		return 0, false
	}
	k := kindIndex(st.s.Devices[p].Kind)
	if k < 0 || slot < 0 || int32(slot) >= sh.lay.n[k][mod] {
		return 0, false
	}
	return st.base + int32(p)*sh.lay.stride + sh.lay.off[k][mod] + int32(slot), true
}

// fireHandle calls the module that owns handle h, if its school and
// device are still there.
func (sh *shard) fireHandle(h int32, at time.Time) {
	at = at.In(sh.now.Location())
	if at.After(sh.now) {
		sh.now = at
	}
	r := sort.Search(len(sh.ranges), func(i int) bool { return sh.ranges[i].base > h }) - 1
	if r < 0 {
		return
	}
	i := int(sh.ranges[r].school)
	st := sh.schools[i]
	if st == nil || st.base != sh.ranges[r].base {
		return // a removed school, or a range its school outgrew
	}
	rel := h - st.base
	p := int(rel / sh.lay.stride)
	if p >= len(st.s.Devices) {
		return
	}
	d := &st.s.Devices[p]
	k := kindIndex(d.Kind)
	if k < 0 || int(rel%sh.lay.stride) >= len(sh.lay.owner[k]) {
		return
	}
	o := sh.lay.owner[k][rel%sh.lay.stride]
	if st.states[o.mod] == nil {
		return
	}
	sh.ctx.bind(i, int(o.mod))
	sh.e.opts.Modules[o.mod].(DeviceTimers).OnDeviceTimer(&sh.ctx, st.states[o.mod], d, int(o.slot))
}

// pendingDeadline is a device deadline carried over a registry reload.
type pendingDeadline struct {
	id    string
	kind  devices.Kind
	place int32 // within the device's stride
	at    time.Time
}

// takeDeviceDeadlines cancels the device deadlines of school i and
// returns them (by device id), in time order.
func (sh *shard) takeDeviceDeadlines(i int) []pendingDeadline {
	st := sh.schools[i]
	var out []pendingDeadline
	for p := range st.s.Devices {
		for place := range sh.lay.stride {
			h := st.base + int32(p)*sh.lay.stride + place
			if at, ok := sh.timers.WhenHandle(h); ok {
				sh.timers.CancelHandle(h)
				out = append(out, pendingDeadline{st.s.Devices[p].ID, st.s.Devices[p].Kind, place, at})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b pendingDeadline) int { return a.at.Compare(b.at) })
	return out
}

// restoreDeviceDeadlines schedules again, at their devices' new places,
// the deadlines of the devices still registered with the same kind.
func (sh *shard) restoreDeviceDeadlines(i int, pend []pendingDeadline) {
	st := sh.schools[i]
	for _, pd := range pend {
		for p := range st.s.Devices {
			if d := &st.s.Devices[p]; d.ID == pd.id && d.Kind == pd.kind {
				sh.timers.ScheduleHandle(st.base+int32(p)*sh.lay.stride+pd.place, pd.at)
				break
			}
		}
	}
}

// dropDeviceDeadlines cancels the device deadlines of school i (removed).
func (sh *shard) dropDeviceDeadlines(i int) {
	st := sh.schools[i]
	for h := st.base; h < st.base+int32(st.nHandles); h++ {
		sh.timers.CancelHandle(h)
	}
}
