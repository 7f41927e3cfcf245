package compliance

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/campusguard/campusguard/devices"
)

// Measurement is the InfluxDB measurement compliance writes.
const Measurement = "compliance"

// LineProtocol renders the report of date, evaluated at now, as InfluxDB
// line protocol for measurement "compliance", one point per series and
// day: every point is stamped with local midnight at the start of date,
// so that writing it again (the service appends it every minute) overwrites
// the day's point and the last write — the frozen day after midnight —
// stays.
//
//   - per school: measure=all with fields four_hundred (bool) and status
//     (the four-100% verdict), and one row per measure with fields status
//     (met, not_met, not_applicable, not_judged), ok and value (tags
//     region, school, measure);
//   - per region: level=region, region, measure (measure=all for the
//     four-100% verdict) with integer fields schools, met, not_met,
//     not_applicable, not_judged and, when some school is judged, rate
//     (met ÷ (met + not_met));
//   - for the city: the same with level=city.
//
// Tags are low-cardinality only (no device or person ids). Store.Restore
// reads the per-school rows back.
func (s *Store) LineProtocol(date devices.Date, now time.Time) []byte {
	rep := s.DayAt(date, now)
	ts := strconv.FormatInt(dayStart(date).UnixNano(), 10)
	var b []byte
	for i := range rep.Schools {
		sd := &rep.Schools[i]
		b = schoolRow(b, sd.Region, sd.School, "all")
		b = append(b, " four_hundred="...)
		b = strconv.AppendBool(b, sd.FourHundred)
		b = append(b, `,status="`...)
		b = append(b, sd.FourHundredStatus...)
		b = append(b, '"')
		b = endRow(b, ts)
		for _, m := range Measures {
			r, ok := sd.Measures[m]
			if !ok {
				continue
			}
			b = schoolRow(b, sd.Region, sd.School, string(m))
			b = append(b, " ok="...)
			b = strconv.AppendBool(b, r.OK)
			b = append(b, `,status="`...)
			b = append(b, r.Status...)
			b = append(b, `",value=`...)
			b = appendFloat(b, r.Value)
			b = endRow(b, ts)
		}
	}
	for i := range rep.Regions {
		b = rollupRows(b, "region", &rep.Regions[i], ts)
	}
	if rep.City.Schools > 0 {
		b = rollupRows(b, "city", &rep.City, ts)
	}
	return b
}

// schoolRow starts a per-school row (tag keys in sorted order).
func schoolRow(b []byte, region, school, measure string) []byte {
	b = append(b, Measurement...)
	b = append(b, ",measure="...)
	b = appendTag(b, measure)
	b = append(b, ",region="...)
	b = appendTag(b, region)
	b = append(b, ",school="...)
	return appendTag(b, school)
}

func rollupRows(b []byte, level string, r *RegionRollup, ts string) []byte {
	row := func(measure string, c Counts) {
		b = append(b, Measurement...)
		b = append(b, ",level="...)
		b = append(b, level...)
		b = append(b, ",measure="...)
		b = appendTag(b, measure)
		if r.Region != "" {
			b = append(b, ",region="...)
			b = appendTag(b, r.Region)
		}
		b = append(b, " schools="...)
		b = strconv.AppendInt(b, int64(c.All), 10)
		for _, f := range []struct {
			name string
			n    int
		}{{"met", c.Met}, {"not_met", c.NotMet}, {"not_applicable", c.NotApplicable}, {"not_judged", c.NotJudged}} {
			b = append(b, "i,"...)
			b = append(b, f.name...)
			b = append(b, '=')
			b = strconv.AppendInt(b, int64(f.n), 10)
		}
		b = append(b, 'i')
		if rate, ok := c.Rate(); ok {
			b = append(b, ",rate="...)
			b = appendFloat(b, rate)
		}
		b = endRow(b, ts)
	}
	row("all", r.FourHundredCounts)
	for _, m := range Measures {
		row(string(m), r.Counts[m])
	}
	return b
}

func endRow(b []byte, ts string) []byte {
	b = append(b, ' ')
	b = append(b, ts...)
	return append(b, '\n')
}

// appendFloat writes v rounded to 4 decimals (a share of 0.0001 is finer
// than any threshold).
func appendFloat(b []byte, v float64) []byte {
	return strconv.AppendFloat(b, math.Round(v*1e4)/1e4, 'f', -1, 64)
}

var tagEscaper = strings.NewReplacer(",", `\,`, "=", `\=`, " ", `\ `, "\n", "", "\r", "")

// appendTag writes a tag value escaped for line protocol.
func appendTag(b []byte, v string) []byte {
	if strings.ContainsAny(v, ", =\n\r") {
		v = tagEscaper.Replace(v)
	}
	return append(b, v...)
}
