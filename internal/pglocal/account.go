package pglocal

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

// account is the system user that owns the cluster's files and runs initdb
// and postgres, which both refuse to run as root.
type account struct {
	name   string
	uid    int
	gid    int
	groups []int
	// switchUser is set when we run as root and must start the commands as
	// this account and hand it the folders.
	switchUser bool
}

// clusterOwner returns the current user, or the postgres system user when
// running as root.
func clusterOwner() (account, error) {
	if os.Geteuid() != 0 {
		groups, _ := os.Getgroups()
		return account{uid: os.Geteuid(), gid: os.Getegid(), groups: groups}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return account{}, fmt.Errorf("running as root needs the postgres system user to run PostgreSQL (apt-get install -y postgresql creates it): %w", err)
	}
	acc := account{name: u.Username, switchUser: true}
	if acc.uid, err = strconv.Atoi(u.Uid); err != nil {
		return account{}, fmt.Errorf("postgres user id %q: %w", u.Uid, err)
	}
	if acc.gid, err = strconv.Atoi(u.Gid); err != nil {
		return account{}, fmt.Errorf("postgres group id %q: %w", u.Gid, err)
	}
	gids, _ := u.GroupIds()
	for _, g := range gids {
		if n, err := strconv.Atoi(g); err == nil {
			acc.groups = append(acc.groups, n)
		}
	}
	return acc, nil
}

// credential returns the identity to start commands with, or nil to keep ours.
func (a account) credential() *syscall.Credential {
	if !a.switchUser {
		return nil
	}
	cred := &syscall.Credential{Uid: uint32(a.uid), Gid: uint32(a.gid)}
	for _, g := range a.groups {
		cred.Groups = append(cred.Groups, uint32(g))
	}
	return cred
}

// canEnter reports whether the account may traverse a folder, judged by its
// mode bits (ACLs are ignored).
func (a account) canEnter(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := fi.Mode().Perm()
	switch {
	case int(st.Uid) == a.uid:
		return perm&0o100 != 0
	case int(st.Gid) == a.gid || slices.Contains(a.groups, int(st.Gid)):
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}

// ownDir creates dir if needed and gives it to the account with mode 0700:
// it holds a trust-authenticated superuser socket, so no one else may enter.
func (a account) ownDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return fmt.Errorf("create folder: %w", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("check folder: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	if a.switchUser {
		if err := os.Chown(dir, a.uid, a.gid); err != nil {
			return fmt.Errorf("give folder to the %s user: %w", a.name, err)
		}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("restrict folder: %w", err)
	}
	return nil
}

// checkReachable returns an error naming the first folder above dir that the
// account cannot enter. It only matters when we switch user: the folders were
// made by root, who may enter anything.
func (a account) checkReachable(dir string) error {
	if !a.switchUser {
		return nil
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("check folder %s: %w", d, err)
		}
		if !a.canEnter(fi) {
			return fmt.Errorf("the %s user that runs PostgreSQL cannot enter folder %s (mode %04o): choose a data folder outside it", a.name, d, fi.Mode().Perm())
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}
