package nexustest

import "syscall"

// processGroup puts the stack in its own process group, stopped as one, and has Linux send it
// SIGTERM if the test process dies first (a panic, a -timeout), so no stack outlives its test.
func processGroup() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
