// Package docs holds the operator documentation (Markdown) and, in this
// test, the check that it stands alone: every relative link in the
// repository's Markdown files points to a file inside the repository.
package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	// [text](target) and ![alt](target), target up to a space or ")".
	inlineLink = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	// [label]: target
	refLink = regexp.MustCompile(`(?m)^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)`)
	// <a href="target"> and <img src="target">
	htmlLink = regexp.MustCompile(`(?i)<(?:a|img)\s[^>]*(?:href|src)="([^"]+)"`)
	// Files that live beside the repository, never in it: a mention is a
	// dangling reference even without a link.
	outside = regexp.MustCompile(`\.\./shared|\b(?:design|domain|style)\.md\b`)
	fence   = regexp.MustCompile("(?m)^\\s*(```|~~~)")
	// Source and configuration whose comments must not send a reader
	// outside the repository either.
	sourceExt = map[string]bool{".go": true, ".sh": true, ".js": true, ".yaml": true, ".yml": true,
		".conf": true, ".acl": true, ".css": true, ".html": true, ".json": true}
)

// TestMarkdownLinksStayInRepo: every relative link of every *.md in the
// repository resolves to an existing file or directory inside it, and no
// Markdown, source or configuration file refers to the design notes kept
// outside the repository (../shared, design.md, domain.md, style.md): the
// docs and comments must stand alone on a fresh clone.
func TestMarkdownLinksStayInRepo(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root %s has no go.mod: %v", root, err)
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "var", "bin", "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if !strings.HasSuffix(d.Name(), ".md") {
			if sourceExt[filepath.Ext(path)] && rel != filepath.Join("docs", "links_test.go") {
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				for _, m := range outside.FindAllString(string(data), -1) {
					t.Errorf("%s: refers to %s, which is not in the repository", rel, m)
				}
			}
			return nil
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, p := range checkMarkdown(root, path, stripCode(string(data))) {
			t.Errorf("%s: %s", rel, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 5 {
		t.Fatalf("found only %d Markdown files under %s", files, root)
	}
}

// stripCode blanks fenced code blocks: shell examples are not links.
func stripCode(s string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.SplitAfter(s, "\n") {
		if fence.MatchString(line) {
			in = !in
			b.WriteString("\n")
			continue
		}
		if in {
			b.WriteString("\n")
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

// checkMarkdown returns the problems of the links in one file's text.
func checkMarkdown(root, file, text string) []string {
	var problems []string
	for _, m := range outside.FindAllString(text, -1) {
		problems = append(problems, "refers to "+m+", which is not in the repository")
	}
	var targets []string
	for _, re := range []*regexp.Regexp{inlineLink, refLink, htmlLink} {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			targets = append(targets, m[1])
		}
	}
	for _, target := range targets {
		if p := checkTarget(root, file, target); p != "" {
			problems = append(problems, p)
		}
	}
	return problems
}

// checkTarget checks one link target; "" when it is fine.
func checkTarget(root, file, target string) string {
	lower := strings.ToLower(target)
	for _, scheme := range []string{"http://", "https://", "mailto:", "tel:", "#"} {
		if strings.HasPrefix(lower, scheme) {
			return ""
		}
	}
	if strings.Contains(target, "://") {
		return ""
	}
	path, _, _ := strings.Cut(target, "#")
	path, _, _ = strings.Cut(path, "?")
	if path == "" {
		return ""
	}
	if strings.HasPrefix(path, "/") {
		return "link " + target + " is absolute: it leaves the repository"
	}
	abs := filepath.Clean(filepath.Join(filepath.Dir(file), filepath.FromSlash(path)))
	if r, err := filepath.Rel(root, abs); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "link " + target + " leaves the repository"
	}
	if _, err := os.Stat(abs); err != nil {
		return "link " + target + " points to a missing file"
	}
	return ""
}

// TestCheckMarkdown: the checker itself finds what it must.
func TestCheckMarkdown(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "docs", "api.md"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "docs", "x.md")
	text := stripCode("[ok](api.md#auth) [web](https://example.com) [anchor](#top)\n" +
		"[up](../../shared/domain.md) [gone](missing.md) ![img](/etc/passwd)\n" +
		"```\n[in code](nowhere.md)\n```\n" +
		"[ref]: ../../outside.md\n" +
		"see design.md\n")
	got := checkMarkdown(root, file, text)
	want := []string{"refers to ../shared", "refers to domain.md", "refers to design.md",
		"link ../../shared/domain.md leaves", "link missing.md points to a missing file",
		"link /etc/passwd is absolute", "link ../../outside.md leaves"}
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			if strings.Contains(g, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem %q in:\n%s", w, strings.Join(got, "\n"))
		}
	}
}
