package main

import (
	"sync/atomic"

	"github.com/campusguard/campusguard/devices"
)

// liveRegistry is the current registry, swapped atomically on reload so
// the decoder never sees a half-loaded one.
type liveRegistry struct {
	p atomic.Pointer[devices.Registry]
}

func newLiveRegistry(r *devices.Registry) *liveRegistry {
	l := &liveRegistry{}
	l.p.Store(r)
	return l
}

func (l *liveRegistry) Store(r *devices.Registry)                { l.p.Store(r) }
func (l *liveRegistry) Load() *devices.Registry                  { return l.p.Load() }
func (l *liveRegistry) Device(id string) (*devices.Device, bool) { return l.p.Load().Device(id) }
