//go:build race

package ingest

// raceEnabled: the race detector is on (sync.Pool drops items at random,
// so allocation counts mean nothing).
const raceEnabled = true
