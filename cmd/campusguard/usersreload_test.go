package main

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// usersClient is the API as a token holder sees it, and the README's token line.
type usersClient struct {
	t    *testing.T
	a    *app
	base string
}

func (c usersClient) status(token string) int {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+"/api/v1/alerts?state=open", nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// token runs `campusguard user token -users F -name cli -role admin | tail -1`.
func (c usersClient) token() string {
	c.t.Helper()
	out, errOut, err := runUser(c.t, "", "token", "-users", c.a.cfg.Users, "-name", "cli", "-role", "admin")
	if err != nil {
		c.t.Fatalf("user token: %v (%s)", err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

// TestUsersFileTokenWorksAtOnce: on a running server, the README's lines —
// `user token` and at once a curl with it — work without SIGHUP and
// without waiting for a poll (the poll is an hour here): an unknown token
// makes the server look at the users file before refusing. A broken users
// file is refused and the tokens that worked keep working; the next valid
// edit (the README's line again: a rotation) is loaded. (Before, the file
// was read only at start and on SIGHUP: the README's token gave 401.)
func TestUsersFileTokenWorksAtOnce(t *testing.T) {
	cheapHashes(t)
	a, _, _ := securedApp(t, func(c *runConfig) { c.UsersPoll = time.Hour })
	c := usersClient{t: t, a: a, base: "http://" + a.http.Addr()}

	first := c.token()
	if got := c.status(first); got != http.StatusOK {
		t.Fatalf("a new token's first use answers %d, want 200", got)
	}

	// A broken file (a hand edit gone wrong) is refused: the token keeps working.
	good, err := os.ReadFile(a.cfg.Users)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(a.cfg.Users, append(append([]byte{}, good...), "tokens: [oops\n"...)); err != nil {
		t.Fatal(err)
	}
	if got := c.status("cgt_nobody-has-this"); got != http.StatusUnauthorized {
		t.Fatalf("an unknown token answers %d, want 401", got)
	}
	if n := usersReloads(t, a, "refused"); n != 1 {
		t.Fatalf("refused reloads of the broken file: %v, want 1", n)
	}
	if got := c.status(first); got != http.StatusOK {
		t.Fatalf("after a broken users file: the token that worked answers %d, want 200", got)
	}

	// Fixed and rotated (the README's line again): the new secret works at once, the old one ends.
	if err := writeFileAtomic(a.cfg.Users, good); err != nil {
		t.Fatal(err)
	}
	second := c.token()
	if got := c.status(second); got != http.StatusOK {
		t.Fatalf("the rotated token's first use answers %d, want 200", got)
	}
	if got := c.status(first); got != http.StatusUnauthorized {
		t.Errorf("the rotated-away token answers %d, want 401", got)
	}
}

// TestUsersFilePolled: with no request to prompt it, the server still
// loads a changed users file within its poll (--users-poll), and refuses
// a broken one, keeping the users it has.
func TestUsersFilePolled(t *testing.T) {
	cheapHashes(t)
	a, _, _ := securedApp(t, func(c *runConfig) { c.UsersPoll = 20 * time.Millisecond })
	c := usersClient{t: t, a: a, base: "http://" + a.http.Addr()}
	good, err := os.ReadFile(a.cfg.Users)
	if err != nil {
		t.Fatal(err)
	}
	tok := c.token()
	eventually(t, 60*time.Second, "the changed users file loaded by the poll", func() (bool, string) {
		return usersReloads(t, a, "loaded") >= 1, "not yet"
	})
	if err := writeFileAtomic(a.cfg.Users, append(good, "users: [\n"...)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "the broken users file refused by the poll", func() (bool, string) {
		return usersReloads(t, a, "refused") >= 1, "not yet"
	})
	if got := c.status(tok); got != http.StatusOK {
		t.Fatalf("the token loaded by the poll answers %d after a broken file, want 200", got)
	}
}

// usersReloads is campusguard_users_file_reloads_total{result}.
func usersReloads(t *testing.T, a *app, result string) float64 {
	t.Helper()
	mfs, err := a.promReg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "campusguard_users_file_reloads_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" && l.GetValue() == result {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
