package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMosquittoHashMatchesMosquittoPasswd: a hash mosquitto_passwd 2.0.11
// (Debian) wrote for "s3cret" verifies, and hashing with its salt gives the
// same line, so the password file is one mosquitto reads.
func TestMosquittoHashMatchesMosquittoPasswd(t *testing.T) {
	const fromMosquittoPasswd = "$7$101$UfTEUy2nxw0qyJiS$0YpITnlhbSGjKpTqs07Rfliz+qA99DCQQtCH4pHtF7L524JaowpyxWYV7GHFSqsX3fvJtULQ51AOsQNVCyhU8Q=="
	if !mosquittoCheck(fromMosquittoPasswd, "s3cret") {
		t.Error("mosquitto_passwd's hash does not verify")
	}
	if mosquittoCheck(fromMosquittoPasswd, "s3cret!") {
		t.Error("a wrong password verifies")
	}
	h, err := mosquittoHash("another")
	if err != nil || !strings.HasPrefix(h, "$7$101$") || !mosquittoCheck(h, "another") {
		t.Errorf("mosquittoHash = %q, %v", h, err)
	}
}

// TestRegistryACLRerun: the generated ACL lists each device's own three
// topics and no pattern; a second run keeps every existing hash, generates
// passwords only for new accounts and drops accounts no longer present.
func TestRegistryACLRerun(t *testing.T) {
	w := newACLWorld(t)
	dir := t.TempDir()
	acl, pw, creds := filepath.Join(dir, "acl"), filepath.Join(dir, "passwd"), filepath.Join(dir, "creds")
	run := func(extra ...string) {
		t.Helper()
		args := append([]string{"acl", "-registry", w.regPath, "-o", acl, "-passwd", pw, "-credentials", creds}, extra...)
		if err := cmdRegistry(args, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	run("-reader", "city-command=*")
	text, err := os.ReadFile(acl)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(text), "\npattern") || strings.Contains(string(text), "%u") {
		t.Error("generated ACL has pattern lines")
	}
	a := w.devA
	want := "user " + a.ID + "\ntopic write " + deviceTopic(a, "event") + "\ntopic write " + deviceTopic(a, "heartbeat") +
		"\ntopic write " + deviceTopic(a, "status") + "\n"
	if !strings.Contains(string(text), want) {
		t.Errorf("ACL lacks %q", want)
	}
	if !strings.Contains(string(text), "user city-command\ntopic read campus/alerts/#\n") {
		t.Error("ACL lacks the city-wide reader")
	}
	first, _ := readUserLines(pw, false)
	c1, _ := readUserLines(creds, false)
	if len(c1) != len(first) || first[a.ID] == "" {
		t.Fatalf("first run: %d passwords, %d credentials", len(first), len(c1))
	}

	if err := os.Remove(creds); err != nil { // provisioned
		t.Fatal(err)
	}
	run("-agencies", "police") // drops education-*, market-*, city-command
	second, _ := readUserLines(pw, false)
	for u, h := range second {
		if first[u] != h {
			t.Errorf("%s: hash changed on rerun", u)
		}
	}
	if second["city-command"] != "" || second["market-"+w.r1] != "" || second["police-"+w.r1] == "" {
		t.Error("rerun kept removed accounts or lost police ones")
	}
	if _, err := os.Stat(creds); err == nil {
		t.Error("rerun with no new account wrote a credentials file")
	}
	// A new account while old credentials wait is refused, not overwritten.
	if err := os.WriteFile(creds, []byte("waiting:pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := cmdRegistry([]string{"acl", "-registry", w.regPath, "-o", acl, "-passwd", pw, "-credentials", creds,
		"-reader", "new-reader=*"}, io.Discard, io.Discard); err == nil {
		t.Error("overwrote a waiting credentials file")
	}
	if fi, err := os.Stat(pw); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("password file mode %v, %v; want 0640", fi.Mode().Perm(), err)
	}
}

func TestRegistryACLErrors(t *testing.T) {
	w := newACLWorld(t)
	for _, args := range [][]string{
		{"acl"},
		{"acl", "-registry", w.regPath, "-reader", "x=999999"},
		{"acl", "-registry", w.regPath, "-reader", "bad name=*"},
		{"acl", "-registry", w.regPath, "-reader", w.devA.ID + "=*"},
		{"acl", "-registry", w.regPath, "-passwd", filepath.Join(t.TempDir(), "pw")}, // no -credentials
	} {
		if err := cmdRegistry(args, io.Discard, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
