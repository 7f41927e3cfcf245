package auth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/devices"
)

func TestParseUsers(t *testing.T) {
	reg := devices.Generate(devices.GenerateOptions{Schools: 4, Seed: 7})
	reg.Index()
	school := reg.Schools[0]
	var otherRegion string
	for _, r := range reg.Regions {
		if r.Code != school.Region {
			otherRegion = r.Code
			break
		}
	}
	hash, err := Hash("a-good-password")
	if err != nil {
		t.Fatal(err)
	}
	tokHash := TokenHash("cgt_x")
	// r replaces the placeholders of a users file.
	r := strings.NewReplacer("HASH", `"`+hash+`"`, "TOKHASH", tokHash, "SCHOOL", school.ID, "REGION", school.Region, "OTHER", otherRegion).Replace

	for _, tc := range []struct {
		name    string
		yaml    string
		withReg bool
		want    []string // substrings of the error; none: valid
	}{
		{name: "valid", withReg: true, yaml: r(`users:
  - {name: admin, role: admin, password_hash: HASH}
  - {name: zhang.wei, display_name: 张警官, role: police, regions: ["REGION"], password_hash: HASH}
  - {name: guard-1, role: school, schools: [SCHOOL], password_hash: HASH}
  - {name: edu, role: education, regions: ["REGION"], schools: [SCHOOL], password_hash: HASH}
tokens:
  - {name: platform, role: police, token_hash: TOKHASH}
`)},
		{name: "empty file has no users", yaml: ""},
		{name: "comments only", yaml: "# nobody yet\n"},
		{name: "unknown role", yaml: r("users:\n  - name: a\n    role: cop\n    password_hash: HASH\n"),
			want: []string{`users.yaml:3: users[0].role: unknown role "cop" (want one of admin, police, education, market, school)`}},
		{name: "missing role", yaml: r("users:\n  - name: a\n    password_hash: HASH\n"),
			want: []string{`users.yaml:2: users[0].role: required`}},
		{name: "school role without a school", yaml: r("users:\n  - name: a\n    role: school\n    password_hash: HASH\n"),
			want: []string{"users.yaml:2: users[0].schools: the school role needs exactly one school, got 0"}},
		{name: "school role with two schools", yaml: r("users:\n  - name: a\n    role: school\n    schools: [a, b]\n    password_hash: HASH\n"),
			want: []string{"users.yaml:4: users[0].schools: the school role needs exactly one school, got 2"}},
		{name: "unknown region", withReg: true, yaml: r("users:\n  - name: a\n    role: police\n    regions: [\"999999\"]\n    password_hash: HASH\n"),
			want: []string{"users.yaml:4: users[0].regions: regions[0]: unknown region 999999"}},
		{name: "unknown region unchecked without a registry", yaml: r("users:\n  - name: a\n    role: police\n    regions: [\"999999\"]\n    password_hash: HASH\n")},
		{name: "unknown school", withReg: true, yaml: r("users:\n  - name: a\n    role: school\n    schools: [no-such-school]\n    password_hash: HASH\n"),
			want: []string{"users.yaml:4: users[0].schools: schools[0]: unknown school no-such-school"}},
		{name: "school outside the regions", withReg: true, yaml: r("users:\n  - name: a\n    role: education\n    regions: [\"OTHER\"]\n    schools: [SCHOOL]\n    password_hash: HASH\n"),
			want: []string{"users.yaml:5: users[0].schools: schools[0]: school " + school.ID + " is in region " + school.Region + ", outside the regions given"}},
		{name: "malformed region and school", yaml: r("users:\n  - name: a\n    role: police\n    regions: [\"1308\"]\n    schools: [Big_School]\n    password_hash: HASH\n"),
			want: []string{`users.yaml:4: users[0].regions: regions[0]: want a 6-digit region code: "1308"`, `users.yaml:5: users[0].schools: schools[0]: want a school id`}},
		{name: "region twice", yaml: r("users:\n  - name: a\n    role: police\n    regions: [\"130802\", \"130802\"]\n    password_hash: HASH\n"),
			want: []string{"users[0].regions: regions[1]: region 130802 listed twice"}},
		{name: "duplicate user names", yaml: r("users:\n  - name: a\n    role: admin\n    password_hash: HASH\n  - name: a\n    role: admin\n    password_hash: HASH\n"),
			want: []string{`users.yaml:5: users[1].name: duplicate name "a" (first at line 2)`}},
		{name: "token named like a user", yaml: r("users:\n  - name: a\n    role: admin\n    password_hash: HASH\ntokens:\n  - name: a\n    role: police\n    token_hash: TOKHASH\n"),
			want: []string{`users.yaml:6: tokens[0].name: duplicate name "a" (first at line 2)`}},
		{name: "bad name", yaml: r("users:\n  - name: \"a b\"\n    role: admin\n    password_hash: HASH\n"),
			want: []string{`users.yaml:2: users[0].name: want 1 to 64 letters`}},
		{name: "missing name", yaml: r("users:\n  - role: admin\n    password_hash: HASH\n"),
			want: []string{`users.yaml:2: users[0].name: required`}},
		{name: "not a bcrypt hash", yaml: "users:\n  - name: a\n    role: admin\n    password_hash: secret123\n",
			want: []string{"users.yaml:4: users[0].password_hash: not a bcrypt hash"}},
		{name: "missing hash", yaml: "users:\n  - name: a\n    role: admin\n",
			want: []string{"users.yaml:2: users[0].password_hash: required"}},
		{name: "bad token hash", yaml: "tokens:\n  - name: t\n    role: police\n    token_hash: sha256:ABC\n",
			want: []string{`users.yaml:4: tokens[0].token_hash: want "sha256:" and 64 lower-case hex digits`}},
		{name: "two tokens, one secret", yaml: r("tokens:\n  - name: t\n    role: police\n    token_hash: TOKHASH\n  - name: u\n    role: police\n    token_hash: TOKHASH\n"),
			want: []string{"users.yaml:7: tokens[1].token_hash: the same secret as another token (first at line 4)"}},
		{name: "unknown field", yaml: r("users:\n  - name: a\n    role: admin\n    password: hunter2\n    password_hash: HASH\n"),
			want: []string{`users.yaml:4: unknown field "password" (want one of name, display_name, role, regions, schools, password_hash)`}},
		{name: "unknown top-level key", yaml: "user: []\n",
			want: []string{`users.yaml:1: unknown field "user" (want one of users, tokens)`}},
		{name: "wrong type", yaml: "users:\n  - name: a\n    role: admin\n    regions: 130802\n",
			want: []string{"users.yaml:4: cannot unmarshal"}},
		{name: "syntax error", yaml: "users:\n  - name: a\n   role: [\n",
			want: []string{"users.yaml:1: syntax: did not find expected '-' indicator"}},
		{name: "two documents", yaml: "users: []\n---\nusers: []\n",
			want: []string{"users.yaml:2: more than one YAML document"}},
		{name: "not a mapping", yaml: "- a\n- b\n",
			want: []string{"users.yaml:1: want a mapping with users and tokens"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rg *devices.Registry
			if tc.withReg {
				rg = reg
			}
			us, err := Parse("users.yaml", []byte(tc.yaml), rg)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				if us == nil {
					t.Fatal("nil users")
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks %q", err, w)
				}
			}
			var fe *devices.FieldError
			if !errors.As(err, &fe) {
				t.Errorf("no FieldError in %v", err)
			}
		})
	}
}

func TestParsedUsers(t *testing.T) {
	us := testUsers(t)
	if got := len(us.Users()); got != 3 {
		t.Fatalf("%d users", got)
	}
	u, ok := us.User("police-sq")
	if !ok || u.DisplayName != "张警官" || u.Role != "police" {
		t.Fatalf("police-sq: %+v %v", u, ok)
	}
	if _, ok := us.User("nobody"); ok {
		t.Fatal("found nobody")
	}
	toks := us.Tokens()
	if len(toks) != 1 || toks[0].Name != "police-platform" {
		t.Fatalf("tokens %+v", toks)
	}
	if _, ok := us.token(tokenSecret); !ok {
		t.Fatal("token secret not found")
	}
	// Viewers do not share the users' slices.
	v := u.Viewer()
	v.Regions[0] = "changed"
	if u2, _ := us.User("police-sq"); u2.Regions[0] != "130802" {
		t.Fatal("a viewer shares the user's regions")
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(path, []byte(testUsersYAML(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(filepath.Join(dir, "none.yaml"), nil); err == nil || !strings.Contains(err.Error(), "none.yaml") {
		t.Fatalf("missing file: %v", err)
	}
	if err := os.WriteFile(path, []byte("users:\n  - {name: a, role: cop}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, nil); err == nil || !strings.Contains(err.Error(), path+":2: users[0].role") {
		t.Fatalf("error names no file and line: %v", err)
	}
}

func TestJurisdiction(t *testing.T) {
	for _, tc := range []struct {
		regions, schools []string
		want             string
	}{
		{nil, nil, "全市 city"},
		{[]string{"130802", "130803"}, nil, "regions 130802, 130803"},
		{nil, []string{"sq-primary-1"}, "schools sq-primary-1"},
	} {
		if got := Jurisdiction(tc.regions, tc.schools); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
}
