//go:build !unix

package spool

import (
	"fmt"
	"os"
	"path/filepath"
)

const lockFile = "lock"

// lockDir creates the lock file but cannot lock it on this platform: the
// caller must ensure only one Spool uses dir.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("spool: open lock file: %w", err)
	}
	return f, nil
}
