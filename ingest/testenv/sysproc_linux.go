package testenv

import "syscall"

// sysProcAttr puts a server in its own process group, so that stopping it reaches anything
// it spawned, and has the kernel kill it if the test binary dies without running Cleanup
// (a panic, a -timeout, a SIGKILL). Pdeathsig fires when the OS thread that started the
// child exits; Go keeps threads alive unless a goroutine exits while locked to one, which
// test code does not do.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
