package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"time"
)

// WatchFile calls changed whenever the file at path holds other bytes than
// when it last looked, until ctx ends; it checks every interval. This is
// how `campusguard user add/token` takes effect in a running server
// without a signal: the CLI replaces the users file (temporary file and
// rename), and the watcher sees the new content within an interval.
//
// It polls rather than subscribing to file-system events: a rename over
// the file (what the CLI, editors and configuration tools do) ends an
// inotify watch on it, and polling works the same on every file system,
// network mounts and container volumes included. A poll is one stat; the
// file is read and hashed only when its size, modification time or
// identity changed, so an edit within the file system's time resolution
// that keeps the size is still caught by the next change of mtime. A
// missing or unreadable file is not a change (changed is not called):
// the caller keeps what it has, as with a broken file.
//
// changed runs on WatchFile's goroutine; WatchFile returns when ctx ends.
// The first look, which every later one is compared with, happens before
// WatchFile waits for the first time.
func WatchFile(ctx context.Context, path string, interval time.Duration, changed func()) {
	w := fileWatch{path: path}
	w.look() // what later looks compare with
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if w.look() {
				changed()
			}
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
