package auth

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func writeRenamed(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// TestFileWatchLook: a look reports a change exactly when the content
// differs from the last content read: not for a rewrite with the same
// bytes (new inode, new mtime), not while the file is missing, and again
// when it comes back different.
func TestFileWatchLook(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.yaml")
	writeRenamed(t, path, "users: []\n")
	w := fileWatch{path: path}
	if !w.look() {
		t.Fatal("first look: want the content recorded as new")
	}
	steps := []struct {
		what string
		do   func()
		want bool
	}{
		{"nothing happened", func() {}, false},
		{"same bytes renamed over it", func() { writeRenamed(t, path, "users: []\n") }, false},
		{"a token added (rename)", func() { writeRenamed(t, path, "users: []\ntokens: []\n") }, true},
		{"edited in place", func() {
			if err := os.WriteFile(path, []byte("tokens: []\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"removed", func() { _ = os.Remove(path) }, false},
		{"still missing", func() {}, false},
		{"back with the same bytes", func() { writeRenamed(t, path, "tokens: []\n") }, false},
		{"back different", func() { writeRenamed(t, path, "users: []\n") }, true},
	}
	for _, s := range steps {
		s.do()
		if got := w.look(); got != s.want {
			t.Errorf("%s: changed = %v, want %v", s.what, got, s.want)
		}
	}
}

// TestFileWatcherRun: Run calls changed after the file is replaced, and
// stops when its context ends.
func TestFileWatcherRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.yaml")
	writeRenamed(t, path, "users: []\n")
	changed := make(chan struct{}, 10)
	fw := NewFileWatcher(path, func() { changed <- struct{}{} })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		fw.Run(ctx, 5*time.Millisecond)
	}()
	writeRenamed(t, path, "users: []\ntokens: []\n")
	select {
	case <-changed:
	case <-time.After(30 * time.Second):
		t.Fatal("no change reported within 30 s")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if fw.Check() {
		t.Error("Check after the change was seen: reported a change again")
	}
}
