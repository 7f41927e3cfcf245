package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/campusguard/campusguard/dashboards/auth"
)

// cheapHashes makes the user commands hash at bcrypt's minimum cost: cost
// 12 takes seconds under the race detector.
func cheapHashes(t *testing.T) {
	old := hashPassword
	hashPassword = func(pw string) (string, error) {
		if utf8.RuneCountInString(pw) < auth.MinPasswordLength {
			return "", auth.ErrWeakPassword
		}
		h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		return string(h), err
	}
	t.Cleanup(func() { hashPassword = old })
}

// runUser runs "campusguard user args..." with stdin.
func runUser(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = cmdUser(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func TestUserCommandRoundTrip(t *testing.T) {
	cheapHashes(t)
	reg, regPath := testRegistry(t, 3)
	region, school := reg.Schools[0].Region, reg.Schools[0].ID
	path := filepath.Join(t.TempDir(), "users.yaml")
	load := func() *auth.Users {
		t.Helper()
		us, err := auth.Load(path, reg)
		if err != nil {
			t.Fatal(err)
		}
		return us
	}
	mustRun := func(stdin string, args ...string) string {
		t.Helper()
		out, errOut, err := runUser(t, stdin, args...)
		if err != nil {
			t.Fatalf("user %s: %v\n%s", strings.Join(args, " "), err, errOut)
		}
		return out
	}

	// add creates the file, mode 0600.
	out := mustRun("admin-password-1\n", "add", "-users", path, "-name", "admin", "-role", "admin", "-display-name", "管理员")
	if !strings.Contains(out, "user admin added (admin, 全市 city)") {
		t.Errorf("add said %q", out)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v %v", fi.Mode(), err)
	}
	// An operator's comment survives the edits that follow.
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append([]byte("# 运维备注 keep me\n"), data...), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun("police-password-1\r\n", "add", "-users", path, "-registry", regPath, "-name", "zhang", "-role", "police", "-region", region)
	mustRun("school-password-1\n", "add", "-users", path, "-registry", regPath, "-name", "guard-1", "-role", "school", "-school", school)

	us := load()
	u, ok := us.User("zhang")
	if !ok || u.Role != "police" || len(u.Regions) != 1 || u.Regions[0] != region || !auth.CheckPassword(u.PasswordHash, "police-password-1") {
		t.Fatalf("zhang: %+v", u)
	}
	if u, _ := us.User("admin"); u.DisplayName != "管理员" || !auth.CheckPassword(u.PasswordHash, "admin-password-1") {
		t.Fatalf("admin: %+v", u)
	}

	// passwd changes only the hash.
	before, _ := us.User("zhang")
	mustRun("new-police-password\n", "passwd", "-users", path, "-name", "zhang")
	after, _ := load().User("zhang")
	if after.PasswordHash == before.PasswordHash || !auth.CheckPassword(after.PasswordHash, "new-police-password") ||
		after.Role != "police" || after.Regions[0] != region {
		t.Fatalf("after passwd: %+v", after)
	}

	// token prints the secret once; only its hash is stored.
	secret := strings.TrimSpace(mustRun("", "token", "-users", path, "-name", "platform", "-role", "police", "-region", region))
	data, _ = os.ReadFile(path)
	if !strings.HasPrefix(secret, "cgt_") || strings.Contains(string(data), secret) || !strings.Contains(string(data), auth.TokenHash(secret)) {
		t.Fatalf("secret %q, file:\n%s", secret, data)
	}
	if _, _, err := runUser(t, "", "token", "-users", path, "-name", "platform", "-role", "police"); !errors.Is(err, auth.ErrExists) {
		t.Fatalf("token again: %v", err)
	}
	rotated := strings.TrimSpace(mustRun("", "token", "-users", path, "-name", "platform", "-role", "police", "-replace"))
	data, _ = os.ReadFile(path)
	if rotated == secret || strings.Contains(string(data), auth.TokenHash(secret)) || !strings.Contains(string(data), auth.TokenHash(rotated)) {
		t.Fatalf("rotation kept the old secret:\n%s", data)
	}

	list := mustRun("", "list", "-users", path)
	for _, want := range []string{"user\tadmin\tadmin\t全市 city\t管理员", "user\tzhang\tpolice\tregions " + region, "token\tplatform\tpolice"} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %q:\n%s", want, list)
		}
	}

	// del removes users and tokens.
	mustRun("", "del", "-users", path, "-name", "zhang")
	mustRun("", "del", "-users", path, "-name", "platform")
	us = load()
	if _, ok := us.User("zhang"); ok || len(us.Tokens()) != 0 || len(us.Users()) != 2 {
		t.Fatalf("after del: %+v %+v", us.Users(), us.Tokens())
	}
	data, _ = os.ReadFile(path)
	if !strings.HasPrefix(string(data), "# 运维备注 keep me") {
		t.Errorf("comment lost:\n%s", data)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after edits", fi.Mode())
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
}

func TestUserCommandErrors(t *testing.T) {
	cheapHashes(t)
	_, regPath := testRegistry(t, 3)
	path := filepath.Join(t.TempDir(), "users.yaml")
	if _, _, err := runUser(t, "admin-password-1\n", "add", "-users", path, "-name", "admin", "-role", "admin"); err != nil {
		t.Fatal(err)
	}
	original, _ := os.ReadFile(path)
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no subcommand", "", nil, "want add, passwd"},
		{"unknown subcommand", "", []string{"grant"}, `unknown subcommand "grant"`},
		{"no -users", "x", []string{"add", "-name", "a", "-role", "admin"}, "-users is required"},
		{"no -name", "x", []string{"add", "-users", path, "-role", "admin"}, "-name is required"},
		{"taken name", "another-password-1\n", []string{"add", "-users", path, "-name", "admin", "-role", "police"}, "name already taken"},
		{"unknown role, asked before the password", "", []string{"add", "-users", path, "-name", "b", "-role", "cop"}, `unknown role "cop"`},
		{"school role without a school", "", []string{"add", "-users", path, "-name", "b", "-role", "school"}, "exactly one school"},
		{"unknown school in the registry", "", []string{"add", "-users", path, "-registry", regPath, "-name", "b", "-role", "school", "-school", "nope"}, "unknown school nope"},
		{"short password", "short\n", []string{"add", "-users", path, "-name", "b", "-role", "admin"}, "too short"},
		{"no password", "", []string{"add", "-users", path, "-name", "b", "-role", "admin"}, "no password on standard input"},
		{"passwd of nobody", "another-password-1\n", []string{"passwd", "-users", path, "-name", "nobody"}, "no such user"},
		{"del of nobody", "", []string{"del", "-users", path, "-name", "nobody"}, "no such user or token"},
		{"token with a bad region", "", []string{"token", "-users", path, "-name", "t", "-role", "police", "-region", "12"}, "6-digit region code"},
		{"token named like a user", "", []string{"token", "-users", path, "-name", "admin", "-role", "police", "-replace"}, "name already taken"},
		{"stray argument", "", []string{"del", "-users", path, "-name", "admin", "extra"}, `unexpected argument "extra"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runUser(t, tc.stdin, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if now, _ := os.ReadFile(path); !bytes.Equal(now, original) {
				t.Fatalf("file changed:\n%s", now)
			}
		})
	}
}

func TestUserHash(t *testing.T) {
	cheapHashes(t)
	out, _, err := runUser(t, "a-long-password\n", "hash")
	if err != nil {
		t.Fatal(err)
	}
	if h := strings.TrimSpace(out); !auth.CheckPassword(h, "a-long-password") {
		t.Fatalf("hash %q", h)
	}
	if _, _, err := runUser(t, "short\n", "hash"); !errors.Is(err, auth.ErrWeakPassword) {
		t.Fatalf("short password: %v", err)
	}
}

// TestUserTokenAgainRotates: the README's token line, run twice, gives a
// working secret both times (it printed nothing the second time: the name
// was taken, so T was empty and every curl answered 401). The second run
// rotates: the old secret is gone from the file, the new one is in it. A
// different role or jurisdiction still needs -replace.
func TestUserTokenAgainRotates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.yaml")
	readme := []string{"token", "-users", path, "-name", "cli", "-role", "admin"}
	var secrets []string
	for run := 1; run <= 3; run++ {
		out, errOut, err := runUser(t, "", readme...)
		if err != nil {
			t.Fatalf("run %d: %v (stderr %q)", run, err, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		secret := lines[len(lines)-1] // the README takes `| tail -1`
		if !strings.HasPrefix(secret, "cgt_") {
			t.Fatalf("run %d: last line of stdout %q, want the secret", run, secret)
		}
		if run > 1 && !strings.Contains(errOut, "rotated") {
			t.Errorf("run %d: stderr %q does not say the old secret was rotated", run, errOut)
		}
		secrets = append(secrets, secret)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	us, err := auth.Parse(path, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(us.Tokens()); n != 1 {
		t.Fatalf("%d tokens after three runs, want 1:\n%s", n, data)
	}
	for i, s := range secrets {
		kept := strings.Contains(string(data), auth.TokenHash(s))
		if last := i == len(secrets)-1; kept != last {
			t.Errorf("secret of run %d in the file: %v, want %v", i+1, kept, last)
		}
	}
	if _, _, err := runUser(t, "", "token", "-users", path, "-name", "cli", "-role", "police"); !errors.Is(err, auth.ErrExists) {
		t.Fatalf("token with another role, without -replace: %v, want ErrExists", err)
	}
}
