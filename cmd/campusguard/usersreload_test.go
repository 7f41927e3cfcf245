package main

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestUsersFileReloadsWithoutSignal: on a running server, `campusguard user
// token` (the README's line) takes effect without SIGHUP: the API accepts
// the new token once the watcher has seen the file. A broken users file is
// refused and the users and tokens that worked keep working; the next
// valid edit is loaded again. (Before, the file was read only at start and
// on SIGHUP, so the README's token gave 401.)
func TestUsersFileReloadsWithoutSignal(t *testing.T) {
	cheapHashes(t)
	a, _, _ := securedApp(t, func(c *runConfig) { c.UsersPoll = 20 * time.Millisecond })
	base := "http://" + a.http.Addr()
	status := func(token string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+"/api/v1/alerts?state=open", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	token := func() string {
		t.Helper()
		out, errOut, err := runUser(t, "", "token", "-users", a.cfg.Users, "-name", "cli", "-role", "admin")
		if err != nil {
			t.Fatalf("user token: %v (%s)", err, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		return lines[len(lines)-1]
	}
	waitStatus := func(what, tok string, want int) {
		t.Helper()
		eventually(t, 60*time.Second, what, func() (bool, string) {
			got := status(tok)
			return got == want, http.StatusText(got)
		})
	}

	first := token()
	waitStatus("the new token accepted without a signal", first, http.StatusOK)

	// A broken file (a hand edit gone wrong) is refused: the token keeps working.
	good, err := os.ReadFile(a.cfg.Users)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(a.cfg.Users, append(append([]byte{}, good...), "tokens: [oops\n"...)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "the broken users file refused", func() (bool, string) {
		return usersReloads(t, a, "refused") >= 1, "no refused reload yet"
	})
	if got := status(first); got != http.StatusOK {
		t.Fatalf("after a broken users file: the token that worked answers %d, want 200", got)
	}

	// Fixed and rotated (the README's line again): the new secret works, the old one ends.
	if err := writeFileAtomic(a.cfg.Users, good); err != nil {
		t.Fatal(err)
	}
	second := token()
	waitStatus("the rotated token accepted", second, http.StatusOK)
	if got := status(first); got != http.StatusUnauthorized {
		t.Errorf("the rotated-away token answers %d, want 401", got)
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
