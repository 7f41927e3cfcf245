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
// so that writing it again (cmd appends it to the spool every minute)
// overwrites the day's point and the last write — the frozen day after
// midnight — stays.
//
//   - per school: measure=all with field four_hundred, and one row per
//     applicable measure with fields ok and value (tags region, school,
//     measure);
//   - per region: level=region, region, measure (and measure=all for the
//     four-100% rate) with field rate;
//   - for the city: the same with level=city.
//
// Tags are low-cardinality only (no device or person ids).
func (s *Store) LineProtocol(date devices.Date, now time.Time) []byte {
	rep := s.DayAt(date, now)
	ts := strconv.FormatInt(dayStart(date).UnixNano(), 10)
	var b []byte
	for i := range rep.Schools {
		sd := &rep.Schools[i]
		b = schoolRow(b, sd.Region, sd.School, "all")
		b = append(b, " four_hundred="...)
		b = strconv.AppendBool(b, sd.FourHundred)
		b = endRow(b, ts)
		for _, m := range Measures {
			r, ok := sd.Measures[m]
			if !ok || !r.Applicable {
				continue
			}
			b = schoolRow(b, sd.Region, sd.School, string(m))
			b = append(b, " ok="...)
			b = strconv.AppendBool(b, r.OK)
			b = append(b, ",value="...)
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
	row := func(measure string, rate float64) {
		b = append(b, Measurement...)
		b = append(b, ",level="...)
		b = append(b, level...)
		b = append(b, ",measure="...)
		b = appendTag(b, measure)
		if r.Region != "" {
			b = append(b, ",region="...)
			b = appendTag(b, r.Region)
		}
		b = append(b, " rate="...)
		b = appendFloat(b, rate)
		b = endRow(b, ts)
	}
	row("all", r.FourHundredRate)
	for _, m := range Measures {
		if rate, ok := r.Rates[m]; ok {
			row(string(m), rate)
		}
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
