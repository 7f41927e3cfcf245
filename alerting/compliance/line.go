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
	return rollupRowsOf(b, Measurement, level, "", r, func(b []byte) []byte { return endRow(b, ts) })
}

// rollupRowsOf writes the rollup rows of r in measurement meas, with tag
// period when not empty; end finishes each row (extra fields, timestamp).
func rollupRowsOf(b []byte, meas, level string, period Period, r *RegionRollup, end func([]byte) []byte) []byte {
	row := func(measure string, c Counts) {
		b = append(b, meas...)
		b = append(b, ",level="...)
		b = append(b, level...)
		b = append(b, ",measure="...)
		b = appendTag(b, measure)
		if period != "" {
			b = append(b, ",period="...)
			b = append(b, period...)
		}
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
		b = end(b)
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

// PeriodMeasurement is the InfluxDB measurement of the week, month and
// term figures.
const PeriodMeasurement = "compliance_period"

// PeriodLineProtocol renders the period p containing date, evaluated at
// now, for measurement "compliance_period", tag period=week|month|term:
//
//   - per school: measure=all with field status (the four-100% verdict),
//     one row per measure with field status and integer fields days,
//     days_met, days_not_met (tags region, school, measure), stamped with
//     the school's period start;
//   - per region and for the city (level=region|city): the fields of the
//     day rollups (schools, met, not_met, not_applicable, not_judged,
//     rate), stamped with the report's period start;
//
// plus the string field to (the period's last day, "YYYY-MM-DD") and the
// boolean complete on every row. Written again, a period's point
// overwrites itself, so the last write — after the period ended — stays.
// The figures derive from the day verdicts (which Restore reads back);
// these rows are for readers outside campusguard (Grafana, inspections).
func (s *Store) PeriodLineProtocol(p Period, date devices.Date, now time.Time) []byte {
	if p == PeriodDay {
		return nil
	}
	rep := s.PeriodAt(p, date, now)
	var b []byte
	tail := func(b []byte, to, from devices.Date) []byte {
		b = append(b, `,to="`...)
		b = append(b, to.String()...)
		b = append(b, `",complete=`...)
		b = strconv.AppendBool(b, rep.Complete)
		return endRow(b, strconv.FormatInt(dayStart(from).UnixNano(), 10))
	}
	for i := range rep.Schools {
		sp := &rep.Schools[i]
		if sp.From.IsZero() {
			continue // no term in the school's calendar
		}
		b = periodSchoolRow(b, p, sp.Region, sp.School, "all")
		b = append(b, ` status="`...)
		b = append(b, sp.FourHundredStatus...)
		b = append(b, '"')
		b = tail(b, sp.To, sp.From)
		for _, m := range Measures {
			pr := sp.Measures[m]
			b = periodSchoolRow(b, p, sp.Region, sp.School, string(m))
			b = append(b, ` status="`...)
			b = append(b, pr.Status...)
			b = append(b, `",days=`...)
			b = strconv.AppendInt(b, int64(pr.Days.All), 10)
			b = append(b, "i,days_met="...)
			b = strconv.AppendInt(b, int64(pr.Days.Met), 10)
			b = append(b, "i,days_not_met="...)
			b = strconv.AppendInt(b, int64(pr.Days.NotMet), 10)
			b = append(b, 'i')
			b = tail(b, sp.To, sp.From)
		}
	}
	if rep.From.IsZero() {
		return b
	}
	end := func(b []byte) []byte { return tail(b, rep.To, rep.From) }
	for i := range rep.Regions {
		b = rollupRowsOf(b, PeriodMeasurement, "region", p, &rep.Regions[i], end)
	}
	if rep.City.Schools > 0 {
		b = rollupRowsOf(b, PeriodMeasurement, "city", p, &rep.City, end)
	}
	return b
}

// periodSchoolRow starts a per-school period row (tag keys sorted).
func periodSchoolRow(b []byte, p Period, region, school, measure string) []byte {
	b = append(b, PeriodMeasurement...)
	b = append(b, ",measure="...)
	b = appendTag(b, measure)
	b = append(b, ",period="...)
	b = append(b, p...)
	b = append(b, ",region="...)
	b = appendTag(b, region)
	b = append(b, ",school="...)
	return appendTag(b, school)
}
