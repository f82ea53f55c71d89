// Package pgdump backs up and restores the app's database with PostgreSQL's
// own tools: pg_dump in its custom format, and pg_restore. They work on the
// private cluster and on any DATABASE_URL alike.
package pgdump

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"goodmoney/internal/pglocal"
)

// ErrNoTools reports that pg_dump or pg_restore was not found.
var ErrNoTools = errors.New("pg_dump and pg_restore not found: install them with `apt-get install -y postgresql-client`")

// Dump writes the database behind connString to file in pg_dump's custom
// format (compressed; pg_restore can pick tables out of it).
func Dump(ctx context.Context, connString, file string) error {
	bin, err := find("pg_dump")
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return fmt.Errorf("backup file %s: %w", file, err)
	}
	return run(ctx, bin, connString, "--format=custom", "--no-owner", "--no-privileges", "--file="+abs)
}

// Restore loads file, made by Dump, into the database behind connString in
// one transaction: either all of it is restored or nothing is. The caller
// checks that the database is empty first.
func Restore(ctx context.Context, connString, file string) error {
	bin, err := find("pg_restore")
	if err != nil {
		return err
	}
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("backup file: %w", err)
	}
	return run(ctx, bin, connString, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", file)
}

// run starts tool against connString. A password in a URL travels in
// PGPASSWORD rather than on the command line, where ps would show it.
func run(ctx context.Context, tool, connString string, args ...string) error {
	conn, password := forLibpq(connString)
	cmd := exec.CommandContext(ctx, tool, append([]string{"--dbname=" + conn}, args...)...)
	cmd.Env = os.Environ()
	if password != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+password)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(tool), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// forLibpq turns a pgx connection string into one libpq accepts: pgx's own
// parameters (pool_max_conns and the like) are dropped, and a URL's
// password is taken out to be passed separately. Keyword/value strings
// pass unchanged.
func forLibpq(connString string) (conn, password string) {
	u, err := url.Parse(connString)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return connString, ""
	}
	if u.User != nil {
		password, _ = u.User.Password()
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") || pgxOnly[k] {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), password
}

// pgxOnly are the connection parameters pgx reads and libpq refuses.
var pgxOnly = map[string]bool{
	"statement_cache_capacity": true, "description_cache_capacity": true,
	"default_query_exec_mode": true, "min_read_buffer_size": true,
}

// find returns the newest installed tool: the version folders are searched
// before PATH because pg_dump must be at least as new as the server.
func find(tool string) (string, error) {
	for _, dir := range pglocal.VersionDirs() {
		p := filepath.Join(dir, tool)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath(tool); err == nil {
		return p, nil
	}
	return "", ErrNoTools
}
