package browsertest

import (
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/bcrypt"

	"github.com/campusguard/campusguard/dashboards/auth"
)

// WriteUsers writes a users.yaml in a temporary directory with every user's
// password set to password, and returns its path. The hash is bcrypt at
// its minimum cost, not auth.Hash's cost 12: under -race one cost-12 login
// takes seconds and a browser test logs in many times. auth.CheckPassword
// checks it is a hash auth accepts.
func WriteUsers(t testing.TB, password string, users []auth.User) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if !auth.CheckPassword(string(h), password) {
		t.Fatal("auth.CheckPassword refuses the test users' bcrypt hash")
	}
	doc := struct {
		Users []auth.User `yaml:"users"`
	}{}
	for _, u := range users {
		u.PasswordHash = string(h)
		doc.Users = append(doc.Users, u)
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "users.yaml")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
