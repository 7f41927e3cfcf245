package alerting

import (
	"os"
	"strings"
	"testing"
)

// TestRulesDocOwners: the owner table of docs/rules.md ("Who owns an alert
// and how it is closed") names every catalogue rule once, with its owner
// and whether it needs a close, so the document officials read cannot
// drift from what the code enforces.
func TestRulesDocOwners(t *testing.T) {
	doc, err := os.ReadFile("../docs/rules.md")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(doc), "| rule | 主管部门 owner | 须人工关闭 needs close | 通知 audience |")
	if i < 0 {
		t.Fatal("docs/rules.md: no owner table")
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(string(doc[i:]), "\n")[2:] {
		if !strings.HasPrefix(line, "| `") {
			break
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		id := strings.Trim(cells[0], "`")
		if _, dup := rows[id]; dup {
			t.Errorf("rule %s listed twice", id)
		}
		rows[id] = cells
	}
	for _, r := range Catalogue {
		cells, ok := rows[string(r.ID)]
		if !ok {
			t.Errorf("rule %s missing from the owner table", r.ID)
			continue
		}
		delete(rows, string(r.ID))
		if len(cells) != 4 {
			t.Errorf("rule %s: %d cells", r.ID, len(cells))
			continue
		}
		if !strings.HasSuffix(cells[1], " "+string(r.Owner)) {
			t.Errorf("rule %s: owner %q, catalogue %s", r.ID, cells[1], r.Owner)
		}
		if want := map[bool]string{true: "是 yes", false: "否 no"}[r.NeedsClose]; cells[2] != want {
			t.Errorf("rule %s: needs close %q, catalogue %v", r.ID, cells[2], r.NeedsClose)
		}
		var aud []string
		for _, a := range r.Audience {
			aud = append(aud, string(a))
		}
		if got := strings.Join(aud, ", "); cells[3] != got {
			t.Errorf("rule %s: audience %q, catalogue %q", r.ID, cells[3], got)
		}
	}
	for id := range rows {
		t.Errorf("owner table lists %s, which is not in the catalogue", id)
	}
}
