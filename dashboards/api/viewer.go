package api

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/campusguard/campusguard/alerting"
)

// Roles a Viewer may have.
const (
	RoleAdmin     = "admin"     // sees every audience
	RolePolice    = "police"    // 公安
	RoleEducation = "education" // 教育局
	RoleMarket    = "market"    // 市场监管
	RoleSchool    = "school"    // 学校保卫处: must name its schools
)

// Roles lists every role.
var Roles = []string{RoleAdmin, RolePolice, RoleEducation, RoleMarket, RoleSchool}

// Viewer is who is asking. An auth middleware sets it with WithViewer;
// without one the handlers use Options.DefaultViewer.
//
// Regions and Schools are the jurisdiction: an empty list does not narrow
// (both empty: the whole city); when both are set a school must be in
// both. Audiences are the alert audiences the role sees; the admin role
// sees all of them whatever Audiences says, any other role with no
// Audiences sees no alert at all.
type Viewer struct {
	Name      string              `json:"name"` // recorded as acked_by, created_by, expired_by
	Role      string              `json:"role"`
	Regions   []string            `json:"regions,omitempty"`
	Schools   []string            `json:"schools,omitempty"`
	Audiences []alerting.Audience `json:"audiences,omitempty"`
}

type viewerKey struct{}

// WithViewer returns ctx carrying v, for the handlers to find.
func WithViewer(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the Viewer of ctx, if a middleware set one.
func ViewerFrom(ctx context.Context) (Viewer, bool) {
	v, ok := ctx.Value(viewerKey{}).(Viewer)
	return v, ok
}

// Validate checks v: a name, a known role, known audiences, and schools
// for the school role (a school account must never be city-wide).
func (v *Viewer) Validate() error {
	if strings.TrimSpace(v.Name) == "" {
		return errors.New("viewer: name is required")
	}
	if !slices.Contains(Roles, v.Role) {
		return fmt.Errorf("viewer %s: role must be one of %s: %q", v.Name, strings.Join(Roles, ", "), v.Role)
	}
	for _, a := range v.Audiences {
		if !slices.Contains(alerting.Audiences, a) {
			return fmt.Errorf("viewer %s: unknown audience %q", v.Name, a)
		}
	}
	if v.Role == RoleSchool && len(v.Schools) == 0 {
		return fmt.Errorf("viewer %s: the school role needs schools", v.Name)
	}
	return nil
}

// CityWide reports whether v's jurisdiction is the whole city.
func (v Viewer) CityWide() bool { return len(v.Regions) == 0 && len(v.Schools) == 0 }

// CanSee reports whether the school (of region) is in v's jurisdiction.
func (v Viewer) CanSee(region, school string) bool {
	if len(v.Regions) > 0 && !slices.Contains(v.Regions, region) {
		return false
	}
	return len(v.Schools) == 0 || slices.Contains(v.Schools, school)
}

// seesRegion reports whether v sees every school of region, which is what
// showing the region's rollup needs.
func (v Viewer) seesRegion(region string) bool {
	return len(v.Schools) == 0 && (len(v.Regions) == 0 || slices.Contains(v.Regions, region))
}

// SeesAudience reports whether v's role sees alerts told to any of aud.
func (v Viewer) SeesAudience(aud []alerting.Audience) bool {
	if v.Role == RoleAdmin {
		return true
	}
	for _, a := range aud {
		if slices.Contains(v.Audiences, a) {
			return true
		}
	}
	return false
}

// SeesAlert reports whether v may see a: its school is in v's
// jurisdiction and its audience overlaps v's.
func (v Viewer) SeesAlert(a *alerting.Alert) bool {
	return a != nil && v.CanSee(a.Region, a.School) && v.SeesAudience(a.Audience)
}

// Actor returns who v acts as in the handling loop (alerting.Permit): the
// school role acts for the school, police, education and market for their
// agency, the admin role as an administrator.
func (v Viewer) Actor() alerting.Actor {
	switch v.Role {
	case RoleAdmin:
		return alerting.Actor{Name: v.Name, Admin: true}
	case RoleSchool:
		return alerting.Actor{Name: v.Name, Agency: alerting.SchoolAud}
	case RolePolice:
		return alerting.Actor{Name: v.Name, Agency: alerting.Police}
	case RoleEducation:
		return alerting.Actor{Name: v.Name, Agency: alerting.Education}
	case RoleMarket:
		return alerting.Actor{Name: v.Name, Agency: alerting.Market}
	}
	return alerting.Actor{Name: v.Name} // no agency: Permit allows nothing
}
