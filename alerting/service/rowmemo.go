package service

import (
	"bytes"
	"hash/maphash"
	"time"
)

// fullRowsEvery is how often every compliance row is written again,
// changed or not: a row lost on the way (the history queue was full, a
// write was dead-lettered, InfluxDB was restored from a backup) is back
// within this time.
const fullRowsEvery = time.Hour

// rowMemo remembers the compliance rows last written, so the minute's
// write carries only the rows whose figures changed. A row's point (its
// series and its timestamp, the day's start) is the same all day, so
// leaving out an unchanged row leaves InfluxDB exactly as writing it
// again would, at no cost: the city's ~10,000 rows a minute become the few
// schools whose day moved. It belongs to the tick goroutine.
type rowMemo struct {
	seed   maphash.Seed
	last   map[uint64]uint64 // hash of series and timestamp → hash of the whole line
	fullAt time.Time         // when every row was last written
}

func newRowMemo() *rowMemo {
	return &rowMemo{seed: maphash.MakeSeed(), last: map[uint64]uint64{}}
}

// changed returns the lines of b (line protocol, one point a line) that
// differ from what was last written for the same point, and remembers
// them; every line when the last full write is fullRowsEvery old. The
// result reuses b's memory.
func (m *rowMemo) changed(b []byte, now time.Time) []byte {
	if now.Sub(m.fullAt) >= fullRowsEvery || now.Before(m.fullAt) {
		clear(m.last)
		m.fullAt = now
	}
	out := b[:0]
	for len(b) > 0 {
		end := bytes.IndexByte(b, '\n')
		if end < 0 {
			end = len(b) - 1
		}
		line := b[:end+1]
		b = b[end+1:]
		point := pointKey(m.seed, bytes.TrimRight(line, "\n"))
		sum := maphash.Bytes(m.seed, line)
		if prev, ok := m.last[point]; ok && prev == sum {
			continue
		}
		m.last[point] = sum
		out = append(out, line...) // out never overtakes b: it copies backwards into the part already read
	}
	return out
}

// pointKey hashes what identifies a point: the series (everything before
// the first space; compliance tags hold no escaped spaces) and the
// timestamp (after the last space).
func pointKey(seed maphash.Seed, line []byte) uint64 {
	series, ts := line, []byte(nil)
	if i := bytes.IndexByte(line, ' '); i >= 0 {
		series = line[:i]
	}
	if i := bytes.LastIndexByte(line, ' '); i >= 0 {
		ts = line[i+1:]
	}
	var h maphash.Hash
	h.SetSeed(seed)
	h.Write(series)
	h.WriteByte(0)
	h.Write(ts)
	return h.Sum64()
}
