package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"sync"
	"time"
)

// FileWatcher notices when the file at a path holds other bytes than when
// it last looked, and then calls its changed function. This is how
// `campusguard user add/token` takes effect in a running server without a
// signal: the CLI replaces the users file (temporary file and rename); Run
// looks every interval, and Options.Refresh (Check) looks at once when a
// request brings an API token nobody knows, so a token used right after
// it was made is not refused for want of a poll.
//
// It polls rather than subscribing to file-system events: a rename over
// the file (what the CLI, editors and configuration tools do) ends an
// inotify watch on it, and polling works the same on every file system,
// network mounts and container volumes included. A look is one stat; the
// file is read and hashed only when its size, modification time or
// identity changed. A missing or unreadable file is not a change: the
// caller keeps what it has, as with a broken file.
type FileWatcher struct {
	mu      sync.Mutex // one look at a time; changed runs under it
	w       fileWatch
	changed func()
}

// NewFileWatcher takes the first look at path, which later looks are
// compared with; changed is called on every later change.
func NewFileWatcher(path string, changed func()) *FileWatcher {
	f := &FileWatcher{w: fileWatch{path: path}, changed: changed}
	f.w.look()
	return f
}

// Check looks at the file now and, if it changed, calls changed before
// returning true.
func (f *FileWatcher) Check() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.w.look() {
		return false
	}
	f.changed()
	return true
}

// Run checks the file every interval until ctx ends.
func (f *FileWatcher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f.Check()
		}
	}
}

// fileWatch remembers what the watched file looked like.
type fileWatch struct {
	path string
	fi   fs.FileInfo // last stat; nil before the first or while missing
	sum  [sha256.Size]byte
	seen bool // sum is of a content read at least once
}

// look stats the file and, when the stat changed, reads it; it reports
// whether the content differs from the last one read.
func (w *fileWatch) look() bool {
	fi, err := os.Stat(w.path)
	if err != nil {
		w.fi = nil // a file coming back is looked at again
		return false
	}
	if w.fi != nil && os.SameFile(w.fi, fi) && fi.Size() == w.fi.Size() && fi.ModTime().Equal(w.fi.ModTime()) {
		return false
	}
	data, err := os.ReadFile(w.path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.fi = nil
		}
		return false
	}
	w.fi = fi
	sum := sha256.Sum256(data)
	if w.seen && bytes.Equal(sum[:], w.sum[:]) {
		return false
	}
	w.sum, w.seen = sum, true
	return true
}
