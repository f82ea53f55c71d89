// Package archtest holds the module's import rules: which of goodmoney's
// packages each package may import. It reads the real import graph with
// `go list`, in the default build and in the benchmark's (-tags bench).
package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "goodmoney"

// allowed lists, for every package of the module, the module's packages it
// may import (outside its tests). A new package, or a new edge, is added
// here on purpose: data flows handler → domain (pipeline) → store
// (postgres) → PostgreSQL, and scoring calls nobody.
var allowed = map[string][]string{
	"cmd/goodmoney": {"internal/digest", "internal/jobs", "internal/mail", "internal/metrics", "internal/money", "internal/pgdump", "internal/pglocal",
		"internal/pipeline", "internal/postgres", "internal/scoring", "internal/seed", "internal/server"},
	"cmd/benchrun":        {"internal/digest", "internal/outcomes", "internal/pglocal", "internal/pipeline", "internal/postgres", "internal/seed"},
	"internal/archtest":   {},
	"internal/digest":     {"internal/mail", "internal/pipeline", "web/email"},
	"internal/jobs":       {"internal/pipeline"},
	"internal/mail":       {},
	"internal/mailtest":   {},
	"internal/metrics":    {"internal/pipeline"},
	"internal/money":      {},
	"internal/outcomes":   {"internal/money", "internal/scoring"},
	"internal/password":   {},
	"internal/pgdump":     {"internal/pglocal"},
	"internal/pglocal":    {},
	"internal/pgtest":     {"internal/pglocal", "internal/postgres"},
	"internal/pipeline":   {"internal/money", "internal/outcomes", "internal/password", "internal/scoring"},
	"internal/postgres":   {"internal/money", "internal/outcomes", "internal/password", "internal/pipeline", "internal/scoring", "migrations"},
	"internal/scoring":    {"internal/money"},
	"internal/seed":       {"internal/money", "internal/password", "internal/pipeline", "internal/postgres"},
	"internal/server":     {"internal/money", "internal/outcomes", "internal/pipeline", "internal/scoring", "web"},
	"internal/servertest": {"internal/digest", "internal/pipeline", "internal/postgres", "internal/server"},
	"migrations":          {},
	"web":                 {"internal/money", "internal/pipeline", "internal/scoring"},
	"web/email":           {"internal/money", "internal/pipeline", "web"},
}

// forbidden are the edges the layering rules out whatever the table says,
// so that widening the table cannot quietly allow them.
var forbidden = map[string][]string{
	"internal/server":   {"internal/postgres"},
	"internal/jobs":     {"internal/postgres"},
	"web":               {"internal/postgres"},
	"web/email":         {"internal/postgres"},
	"internal/digest":   {"internal/postgres"},
	"internal/outcomes": {"internal/postgres", "internal/server", "web"},
	"internal/pipeline": {"internal/postgres", "internal/server", "web"},
}

// noDatabaseDriver are the packages that must not import pgx: the HTTP
// layer, the domain, scoring and rendering know nothing of the store. (jobs
// names pgx.Tx only as the type parameter of River's client, inside its
// workers; its API is generic.)
var noDatabaseDriver = []string{"internal/server", "internal/pipeline", "internal/scoring", "internal/outcomes", "internal/money",
	"internal/digest", "internal/mail", "web", "web/email"}

type pkg struct {
	ImportPath string
	Imports    []string
}

// load lists the module's packages with their imports (without the module
// prefix for the module's own), built with the given tags.
func load(t *testing.T, tags string) map[string][]string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to read the import graph: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-tags", tags, "-json=ImportPath,Imports", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	graph := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list: %v", err)
		}
		var imports []string
		for _, imp := range p.Imports {
			imports = append(imports, local(imp))
		}
		graph[local(p.ImportPath)] = imports
	}
	if len(graph) < len(allowed)/2 {
		t.Fatalf("go list found %d packages; is the test run inside the module?", len(graph))
	}
	return graph
}

// local strips the module prefix from the module's own packages.
func local(path string) string {
	if path == module {
		return ""
	}
	return strings.TrimPrefix(path, module+"/")
}

func stdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func TestImports(t *testing.T) {
	for _, tags := range []string{"", "bench"} {
		graph := load(t, tags)
		for _, problem := range check(graph) {
			t.Errorf("%s (tags %q)", problem, tags)
		}
	}
}

// check returns what breaks the rules in graph.
func check(graph map[string][]string) []string {
	var problems []string
	keys := slices.Sorted(maps.Keys(graph))
	for _, path := range keys {
		ok, listed := allowed[path]
		if !listed {
			problems = append(problems, "package "+path+" is not in archtest's table: add it, with the packages it may import")
			continue
		}
		for _, imp := range graph[path] {
			own := slices.Contains(keys, imp)
			if own && !slices.Contains(ok, imp) {
				problems = append(problems, path+" imports "+imp+": not in its allowed list")
			}
			if slices.Contains(forbidden[path], imp) {
				problems = append(problems, path+" imports "+imp+": the layering forbids it")
			}
			if slices.Contains(noDatabaseDriver, path) && strings.HasPrefix(imp, "github.com/jackc/") {
				problems = append(problems, path+" imports "+imp+": only the store and the wiring know the database driver")
			}
			if path == "internal/scoring" && imp != "internal/money" && (own || !stdlib(imp)) {
				problems = append(problems, "scoring imports "+imp+": it is pure, the standard library and money only")
			}
		}
	}
	if cycle := findCycle(graph); cycle != nil {
		problems = append(problems, "import cycle: "+strings.Join(cycle, " → "))
	}
	return problems
}

// TestRulesAreEnforced runs the checks on graphs that break each rule, so
// that a mistake in them cannot pass unnoticed.
func TestRulesAreEnforced(t *testing.T) {
	base := func() map[string][]string {
		g := map[string][]string{}
		for path, imports := range allowed {
			g[path] = slices.Clone(imports)
		}
		return g
	}
	if problems := check(base()); problems != nil {
		t.Fatalf("the table itself breaks the rules: %v", problems)
	}
	for _, tc := range []struct {
		name string
		edit func(g map[string][]string)
	}{
		{"server imports postgres", func(g map[string][]string) { g["internal/server"] = append(g["internal/server"], "internal/postgres") }},
		{"jobs imports postgres", func(g map[string][]string) { g["internal/jobs"] = append(g["internal/jobs"], "internal/postgres") }},
		{"web imports postgres", func(g map[string][]string) { g["web"] = append(g["web"], "internal/postgres") }},
		{"pipeline imports server", func(g map[string][]string) {
			g["internal/pipeline"] = append(g["internal/pipeline"], "internal/server")
		}},
		{"scoring imports pipeline", func(g map[string][]string) {
			g["internal/scoring"] = append(g["internal/scoring"], "internal/pipeline")
		}},
		{"scoring imports a library", func(g map[string][]string) { g["internal/scoring"] = append(g["internal/scoring"], "github.com/x/y") }},
		{"server imports pgx", func(g map[string][]string) {
			g["internal/server"] = append(g["internal/server"], "github.com/jackc/pgx/v5")
		}},
		{"a package not in the table", func(g map[string][]string) { g["internal/utils"] = nil }},
		{"a cycle", func(g map[string][]string) { g["internal/money"] = append(g["internal/money"], "internal/scoring") }},
	} {
		g := base()
		tc.edit(g)
		if problems := check(g); len(problems) == 0 {
			t.Errorf("%s: not caught", tc.name)
		}
	}
	if c := findCycle(map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}}); len(c) != 4 {
		t.Errorf("cycle a → b → c → a not found: %v", c)
	}
	if c := findCycle(map[string][]string{"a": {"b", "c"}, "b": {"c"}, "c": {"fmt"}}); c != nil {
		t.Errorf("a diamond is not a cycle: %v", c)
	}
}

// findCycle returns a cycle of the module's packages, first package
// repeated at the end, or nil.
func findCycle(graph map[string][]string) []string {
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(p string) []string
	visit = func(p string) []string {
		state[p] = onPath
		path = append(path, p)
		for _, imp := range graph[p] {
			if _, ok := graph[imp]; !ok {
				continue
			}
			switch state[imp] {
			case onPath:
				i := slices.Index(path, imp)
				return append(slices.Clone(path[i:]), imp)
			case unseen:
				if c := visit(imp); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[p] = done
		return nil
	}
	keys := make([]string, 0, len(graph))
	for p := range graph {
		keys = append(keys, p)
	}
	slices.Sort(keys)
	for _, p := range keys {
		if state[p] == unseen {
			if c := visit(p); c != nil {
				return c
			}
		}
	}
	return nil
}
