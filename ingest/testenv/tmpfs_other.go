//go:build !linux

package testenv

import "errors"

func mountTmpfs(string, int64) error { return errors.New("tmpfs is only mounted on Linux") }

func unmountTmpfs(string) error { return nil }
