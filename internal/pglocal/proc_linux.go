package pglocal

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// sysProcAttr starts a command in its own process group, so a Ctrl-C in the
// terminal reaches only us and we stop the server in order, and has the
// kernel send it SIGQUIT (immediate shutdown) if we die first. (Strictly,
// when the thread that started it exits; Go ends threads only for goroutines
// that exit while locked to one with runtime.LockOSThread.)
func sysProcAttr(owner account) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Setpgid:    true,
		Pdeathsig:  syscall.SIGQUIT,
		Credential: owner.credential(),
	}
}

// inspectProcess reports whether pid is a live (not zombie) process and
// whether it is a postgres server of the cluster in pgdata: postgres makes
// its data folder its working folder.
func inspectProcess(pid int, pgdata string) (alive, ours bool) {
	proc := "/proc/" + strconv.Itoa(pid)
	stat, err := os.ReadFile(proc + "/stat")
	if err != nil {
		return false, false
	}
	// The format is "pid (comm) state ...", and comm may itself hold ") ".
	s := string(stat)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open || end+2 >= len(s) {
		return false, false
	}
	if state := s[end+2]; state == 'Z' || state == 'X' {
		return false, false
	}
	if s[open+1:end] != "postgres" {
		return true, false
	}
	cwd, err := os.Stat(proc + "/cwd")
	if err != nil {
		return true, true // not allowed to look: trust the lock file
	}
	dir, err := os.Stat(pgdata)
	return true, err == nil && os.SameFile(cwd, dir)
}
