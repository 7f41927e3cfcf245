package api

import (
	"regexp"

	"github.com/campusguard/campusguard/alerting/lifecycle"
	"github.com/campusguard/campusguard/devices"
)

// silenceInside reports whether s lies inside v's jurisdiction: v is
// city-wide, or a literal school matcher names a school v sees, or a
// literal region matcher names a region v sees whole. As every matcher
// must match, one such matcher bounds the whole silence.
func silenceInside(v Viewer, s *lifecycle.Silence, reg *devices.Registry) bool {
	if v.CityWide() {
		return true
	}
	for _, m := range s.Matchers {
		if m.Regex {
			continue
		}
		switch m.Name {
		case "school":
			if sch, ok := reg.School(m.Value); ok && v.CanSee(sch.Region, sch.ID) {
				return true
			}
		case "region":
			if v.seesRegion(m.Value) {
				return true
			}
		}
	}
	return false
}

// silenceVisible reports whether s could mute an alert of a school v
// sees: its school and region matchers all match one of v's schools. A
// city-wide silence (say, rule=alarm_test_overdue for a drill) is thus
// shown to everyone, one for another county to no one there.
func silenceVisible(v Viewer, s *lifecycle.Silence, reg *devices.Registry) bool {
	if v.CityWide() || silenceInside(v, s, reg) {
		return true
	}
	var school, region []fieldMatcher
	for _, m := range s.Matchers {
		switch m.Name {
		case "school":
			school = append(school, compileField(m))
		case "region":
			region = append(region, compileField(m))
		}
	}
	fits := func(sch *devices.School) bool {
		if !v.CanSee(sch.Region, sch.ID) {
			return false
		}
		for _, m := range school {
			if !m.match(sch.ID) {
				return false
			}
		}
		for _, m := range region {
			if !m.match(sch.Region) {
				return false
			}
		}
		return true
	}
	if len(v.Schools) > 0 {
		for _, id := range v.Schools {
			if sch, ok := reg.School(id); ok && fits(sch) {
				return true
			}
		}
		return false
	}
	for i := range reg.Schools {
		if fits(&reg.Schools[i]) {
			return true
		}
	}
	return false
}

// fieldMatcher is a compiled Matcher: an exact value or an anchored regex
// (one that does not compile matches nothing).
type fieldMatcher struct {
	value string
	re    *regexp.Regexp
	bad   bool
}

func compileField(m lifecycle.Matcher) fieldMatcher {
	if !m.Regex {
		return fieldMatcher{value: m.Value}
	}
	re, err := regexp.Compile("^(?:" + m.Value + ")$")
	return fieldMatcher{re: re, bad: err != nil}
}

func (f fieldMatcher) match(s string) bool {
	switch {
	case f.bad:
		return false
	case f.re != nil:
		return f.re.MatchString(s)
	}
	return s == f.value
}
