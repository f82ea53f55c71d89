//go:build !linux

package pglocal

import (
	"errors"
	"syscall"
)

// sysProcAttr starts a command in its own process group, so a Ctrl-C in the
// terminal reaches only us and we stop the server in order. Outside Linux
// there is no parent-death signal: a killed process leaves postgres running.
func sysProcAttr(owner account) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Credential: owner.credential()}
}

// inspectProcess reports whether pid is alive; without /proc it cannot tell
// what the process is, so it assumes a live one is the server of pgdata.
func inspectProcess(pid int, pgdata string) (alive, ours bool) {
	err := syscall.Kill(pid, 0)
	alive = err == nil || errors.Is(err, syscall.EPERM)
	return alive, alive
}
