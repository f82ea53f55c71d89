package pglocal

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrNoBinaries reports that initdb and postgres were found neither on PATH
// nor in the search folders.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, postgres) not found")

// defaultSearchGlob matches Debian's per-version server folders, which are not on PATH.
const defaultSearchGlob = "/usr/lib/postgresql/*/bin"

// FindBinaries returns the first folder holding both initdb and postgres,
// looking through the folders of pathEnv (a PATH value) first and then
// searchDirs in order. A nil searchDirs means /usr/lib/postgresql/*/bin,
// newest version first; an empty, non-nil one means no extra folders.
// The error wraps ErrNoBinaries and says how to install them.
func FindBinaries(pathEnv string, searchDirs []string) (string, error) {
	if searchDirs == nil {
		searchDirs = defaultSearchDirs()
	}
	dirs := append(filepath.SplitList(pathEnv), searchDirs...)
	for _, dir := range dirs {
		if dir != "" && isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("%w: install them with `apt-get install -y postgresql` or set DATABASE_URL", ErrNoBinaries)
}

// defaultSearchDirs lists the installed server versions, newest first.
func defaultSearchDirs() []string {
	dirs, _ := filepath.Glob(defaultSearchGlob) // the pattern is constant and valid
	slices.SortFunc(dirs, func(a, b string) int {
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	return dirs
}

// compareVersions orders dotted version numbers such as "9.6" and "15"
// numerically; parts that are not numbers count as zero.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		if c := cmp.Compare(versionPart(as, i), versionPart(bs, i)); c != 0 {
			return c
		}
	}
	return 0
}

func versionPart(parts []string, i int) int {
	if i >= len(parts) {
		return 0
	}
	n, _ := strconv.Atoi(parts[i])
	return n
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// VersionDirs lists the bin folders of the installed PostgreSQL versions
// (/usr/lib/postgresql/*/bin), newest first: where client tools such as
// pg_dump live when they are not on PATH.
func VersionDirs() []string { return defaultSearchDirs() }
