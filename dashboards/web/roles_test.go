package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestRolePages: every role × every page. A page outside one's role
// answers 403 with the bilingual refusal (Chinese first), never the board
// with its data filtered away; the admin opens every page.
func TestRolePages(t *testing.T) {
	h := newWeb(t).Handler()
	paths := []string{"/board/police", "/board/education", "/board/market", "/board/market/report", "/board/school", "/silences"}
	may := map[string][]string{
		"admin":     paths,
		"police":    {"/board/police", "/board/school", "/silences"},
		"education": {"/board/education", "/silences"},
		"market":    {"/board/market", "/board/market/report", "/silences"},
		"school":    {"/board/school"},
	}
	for viewer, allowed := range may {
		for _, path := range paths {
			ok := false
			for _, p := range allowed {
				ok = ok || p == path
			}
			rec := get(t, h, path, viewer)
			if ok {
				checkPage(t, rec, http.StatusOK, nil, nil)
				continue
			}
			body := checkPage(t, rec, http.StatusForbidden, nil, []string{"无权访问", "Forbidden", "您的账号没有访问此页面的权限。", "Your account may not open this page."})
			if zh, en := strings.Index(body, "无权访问"), strings.Index(body, "Forbidden"); zh > en {
				t.Errorf("%s %s: English before Chinese", viewer, path)
			}
			if strings.Contains(body, "page-"+strings.TrimPrefix(path, "/")) || strings.Contains(body, `id="alert-panel"`) {
				t.Errorf("%s %s: the refusal carries the board", viewer, path)
			}
		}
	}
}

// TestNavFollowsRoles: the navigation's links name the roles of the page
// table (one source), so no role sees a link that answers 403.
func TestNavFollowsRoles(t *testing.T) {
	body := get(t, newWeb(t).Handler(), "/board/police", "admin").Body.String()
	links := regexp.MustCompile(`<a href="([^"]+)" data-roles="([^"]*)">`).FindAllStringSubmatch(body, -1)
	if len(links) != 6 {
		t.Fatalf("%d navigation links, want 6", len(links))
	}
	for _, l := range links {
		p, ok := pages["GET "+l[1]]
		if !ok || l[2] != strings.Join(p.roles, " ") {
			t.Errorf("link %s: roles %q, page table %v", l[1], l[2], p.roles)
		}
	}
	if !strings.Contains(body, `<a href="/silences" data-roles="admin police education market">`) {
		t.Error("market may manage silences but has no link")
	}
}
