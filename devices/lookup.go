package devices

// Index builds the lookup maps. Load calls it; call it again after editing a
// Registry by hand. It does not validate (see Validate).
func (r *Registry) Index() {
	r.regionByCode = make(map[string]*Region, len(r.Regions))
	for i := range r.Regions {
		r.regionByCode[r.Regions[i].Code] = &r.Regions[i]
	}
	r.calendarByID = make(map[string]*Calendar, len(r.Calendars))
	for i := range r.Calendars {
		r.Calendars[i].table = r.holidays
		r.calendarByID[r.Calendars[i].ID] = &r.Calendars[i]
	}
	r.schoolByID = make(map[string]*School, len(r.Schools))
	n := 0
	for i := range r.Schools {
		n += len(r.Schools[i].Devices)
	}
	r.deviceByID = make(map[string]*Device, n)
	r.deviceAt = make([]*Device, 0, n)
	for i := range r.Schools {
		s := &r.Schools[i]
		r.schoolByID[s.ID] = s
		s.calendar = r.calendarByID[s.Calendar]
		for j := range s.Devices {
			d := &s.Devices[j]
			d.school = s
			d.index = int32(len(r.deviceAt))
			r.deviceAt = append(r.deviceAt, d)
			r.deviceByID[d.ID] = d
		}
	}
	r.indexClosures()
}

// Device returns the device with id.
func (r *Registry) Device(id string) (*Device, bool) {
	d, ok := r.deviceByID[id]
	return d, ok
}

// School returns the school with id.
func (r *Registry) School(id string) (*School, bool) {
	s, ok := r.schoolByID[id]
	return s, ok
}

// Region returns the region with code.
func (r *Registry) Region(code string) (*Region, bool) {
	g, ok := r.regionByCode[code]
	return g, ok
}

// Calendar returns the calendar with id.
func (r *Registry) Calendar(id string) (*Calendar, bool) {
	c, ok := r.calendarByID[id]
	return c, ok
}

// DeviceCount returns the number of devices in the registry.
func (r *Registry) DeviceCount() int { return len(r.deviceAt) }

// DeviceAt returns the device with dense index i (0 ≤ i < DeviceCount), in
// registry order. Indexes are dense so that per-device state can live in
// slices instead of maps keyed by id; they hold for one indexed Registry
// only: a reloaded registry numbers its devices afresh, so state kept by
// index must be carried over by id on a reload.
func (r *Registry) DeviceAt(i int) *Device { return r.deviceAt[i] }

// Index returns the device's dense index in its registry (see
// Registry.DeviceAt); -1 for a device that was never indexed.
func (d *Device) Index() int {
	if d.school == nil {
		return -1
	}
	return int(d.index)
}

// School returns the school the device belongs to (set by Registry.Index).
func (d *Device) School() *School { return d.school }

// HeartbeatInterval returns the device's heartbeat interval or the default.
func (d *Device) HeartbeatInterval() Duration {
	if d.Heartbeat <= 0 {
		return Duration(DefaultHeartbeat)
	}
	return d.Heartbeat
}

// HasPost reports whether the school has a post with id.
func (s *School) HasPost(id string) bool {
	for i := range s.Posts {
		if s.Posts[i].ID == id {
			return true
		}
	}
	return false
}
