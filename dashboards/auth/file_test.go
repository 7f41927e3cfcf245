package auth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileEdits(t *testing.T) {
	hash, err := Hash("a-good-password")
	if err != nil {
		t.Fatal(err)
	}
	const original = `# 承德市 campusguard accounts
users:
  # 市局值班
  - name: duty
    role: police
    password_hash: "$2a$04$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
tokens: []
`
	f, err := ParseFile("users.yaml", []byte(original))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.AddUser(User{Name: "zhang", DisplayName: "张警官", Role: "police", Regions: []string{"130802"}, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	if err := f.AddUser(User{Name: "duty", Role: "admin", PasswordHash: hash}); !errors.Is(err, ErrExists) {
		t.Fatalf("adding a taken name: %v", err)
	}
	if err := f.SetPassword("duty", hash); err != nil {
		t.Fatal(err)
	}
	if err := f.SetPassword("nobody", hash); !errors.Is(err, ErrNotFound) {
		t.Fatalf("passwd of nobody: %v", err)
	}
	tok := Token{Name: "platform", Role: "police", TokenHash: TokenHash("cgt_a")}
	if err := f.PutToken(tok, false); err != nil {
		t.Fatal(err)
	}
	tok.TokenHash = TokenHash("cgt_b")
	if err := f.PutToken(tok, false); !errors.Is(err, ErrExists) {
		t.Fatalf("token again without replace: %v", err)
	}
	if err := f.PutToken(tok, true); err != nil {
		t.Fatal(err)
	}
	if err := f.PutToken(Token{Name: "duty", Role: "police", TokenHash: TokenHash("cgt_c")}, true); !errors.Is(err, ErrExists) {
		t.Fatalf("token named like a user: %v", err)
	}
	if !f.IsUser("duty") || f.IsUser("platform") || f.IsUser("nobody") {
		t.Fatal("IsUser")
	}
	data, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, want := range []string{"# 承德市 campusguard accounts", "# 市局值班", `regions: ["130802"]`, "display_name: 张警官", TokenHash("cgt_b")} {
		if !strings.Contains(s, want) {
			t.Errorf("result lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "$2a$04$aaaa") || strings.Contains(s, TokenHash("cgt_a")) {
		t.Errorf("old secrets kept:\n%s", s)
	}
	us, err := Parse("users.yaml", data, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	if got := len(us.Users()); got != 2 {
		t.Fatalf("%d users", got)
	}
	if u, _ := us.User("duty"); u.PasswordHash != hash {
		t.Fatal("password not set")
	}

	if err := f.Delete("zhang"); err != nil {
		t.Fatal(err)
	}
	if err := f.Delete("platform"); err != nil {
		t.Fatal(err)
	}
	if err := f.Delete("zhang"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleting twice: %v", err)
	}
	data, _ = f.Bytes()
	if us, err = Parse("users.yaml", data, nil); err != nil || len(us.Users()) != 1 || len(us.Tokens()) != 0 {
		t.Fatalf("after deletes: %v\n%s", err, data)
	}
}

func TestReadFileMissing(t *testing.T) {
	f, err := ReadFile(filepath.Join(t.TempDir(), "users.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := Hash("a-good-password")
	if err := f.AddUser(User{Name: "admin", Role: "admin", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	data, _ := f.Bytes()
	if !strings.HasPrefix(string(data), "# campusguard users and API tokens") {
		t.Errorf("no header:\n%s", data)
	}
	if _, err := Parse("users.yaml", data, nil); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	// An existing but invalid file is refused.
	p := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(p, []byte("users: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(p); err == nil {
		t.Fatal("read a broken file")
	}
}
