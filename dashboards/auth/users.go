package auth

import (
	"crypto/sha256"
	"slices"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/dashboards/api"
)

// User is a person who logs in with a password. Regions and Schools are
// the jurisdiction: both empty is the whole city (see api.Viewer).
type User struct {
	Name         string   `yaml:"name"` // login name; recorded as acked_by and in the audit log
	DisplayName  string   `yaml:"display_name,omitempty"`
	Role         string   `yaml:"role"`
	Regions      []string `yaml:"regions,omitempty"`
	Schools      []string `yaml:"schools,omitempty"`
	PasswordHash string   `yaml:"password_hash"` // bcrypt, from Hash or "campusguard user hash"
}

// Token is an API token of an integration. Only the SHA-256 of its secret
// is kept; the secret is shown once, by NewToken.
type Token struct {
	Name      string   `yaml:"name"`
	Role      string   `yaml:"role"`
	Regions   []string `yaml:"regions,omitempty"`
	Schools   []string `yaml:"schools,omitempty"`
	TokenHash string   `yaml:"token_hash"` // "sha256:<64 hex digits>"
}

// document is the shape of users.yaml.
type document struct {
	Users  []User  `yaml:"users"`
	Tokens []Token `yaml:"tokens"`
}

// Viewer returns who u is to the API.
func (u *User) Viewer() api.Viewer { return viewerOf(u.Name, u.Role, u.Regions, u.Schools) }

// Viewer returns who t is to the API.
func (t *Token) Viewer() api.Viewer { return viewerOf(t.Name, t.Role, t.Regions, t.Schools) }

func viewerOf(name, role string, regions, schools []string) api.Viewer {
	return api.Viewer{
		Name:      name,
		Role:      role,
		Regions:   slices.Clone(regions),
		Schools:   slices.Clone(schools),
		Audiences: AudiencesOf(role),
	}
}

// AudiencesOf returns the alert audiences role sees: its own, or every
// audience for admin; nil for an unknown role.
func AudiencesOf(role string) []alerting.Audience {
	switch role {
	case api.RoleAdmin:
		return slices.Clone(alerting.Audiences)
	case api.RolePolice:
		return []alerting.Audience{alerting.Police}
	case api.RoleEducation:
		return []alerting.Audience{alerting.Education}
	case api.RoleMarket:
		return []alerting.Audience{alerting.Market}
	case api.RoleSchool:
		return []alerting.Audience{alerting.SchoolAud}
	}
	return nil
}

// Users is a validated users.yaml: the users by name and the tokens by the
// digest of their secret. It is immutable; build one with Load or Parse and
// hand a new one to Auth.SetUsers on reload.
type Users struct {
	users  map[string]*User
	tokens map[[sha256.Size]byte]*Token
	order  []string // user names, in file order
	torder []string // token names, in file order
}

// User returns the user called name.
func (us *Users) User(name string) (User, bool) {
	u, ok := us.users[name]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// Users returns every user, in file order.
func (us *Users) Users() []User {
	out := make([]User, 0, len(us.order))
	for _, n := range us.order {
		out = append(out, *us.users[n])
	}
	return out
}

// Tokens returns every token, in file order.
func (us *Users) Tokens() []Token {
	byName := make(map[string]*Token, len(us.tokens))
	for _, t := range us.tokens {
		byName[t.Name] = t
	}
	out := make([]Token, 0, len(us.torder))
	for _, n := range us.torder {
		out = append(out, *byName[n])
	}
	return out
}

// token returns the token whose secret is secret.
func (us *Users) token(secret string) (*Token, bool) {
	t, ok := us.tokens[sha256.Sum256([]byte(secret))]
	return t, ok
}

// Jurisdiction describes a jurisdiction for people: "全市 city", "regions
// 130802, 130803" or "schools sq-primary-1".
func Jurisdiction(regions, schools []string) string {
	var parts []string
	if len(regions) > 0 {
		parts = append(parts, "regions "+strings.Join(regions, ", "))
	}
	if len(schools) > 0 {
		parts = append(parts, "schools "+strings.Join(schools, ", "))
	}
	if len(parts) == 0 {
		return "全市 city"
	}
	return strings.Join(parts, "; ")
}

// cost is the highest bcrypt cost of the users' password hashes, or
// hashCost when there is none: what comparing a password costs here.
func (us *Users) cost() int {
	c := 0
	for _, u := range us.users {
		if n, err := bcrypt.Cost([]byte(u.PasswordHash)); err == nil && n > c {
			c = n
		}
	}
	if c == 0 {
		return hashCost
	}
	return c
}
