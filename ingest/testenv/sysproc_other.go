//go:build unix && !linux

package testenv

import "syscall"

// sysProcAttr puts a server in its own process group, so that stopping it reaches anything
// it spawned. Only Linux can also tie the child's life to the test binary's.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
