package peerbench

import "time"

// Poll calls step every interval (another process's state can only be
// read, not waited on) until step reports done, or its progress has not
// changed for stall, or p exits (p may be nil). It reports whether step
// reported done.
func Poll(p *Process, interval, stall time.Duration, step func() (done bool, progress float64)) bool {
	t := time.NewTicker(interval)
	defer t.Stop()
	var last float64
	since, first := time.Now(), true
	for {
		done, progress := step()
		if done {
			return true
		}
		if first || progress != last {
			last, since, first = progress, time.Now(), false
		}
		if time.Since(since) > stall || (p != nil && p.Exited()) {
			return false
		}
		<-t.C
	}
}
