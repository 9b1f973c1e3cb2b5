//go:build unix && !linux

package nexustest

import "syscall"

// processGroup puts the stack in its own process group, stopped as one.
func processGroup() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
