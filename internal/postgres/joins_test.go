package postgres_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// orgTables are the tables that hold an org's rows.
var orgTables = []string{"users", "teams", "prospects", "contacts", "deals", "deal_stage_changes", "touches",
	"deal_scores", "flags", "audit_events", "digests", "scoring_rules", "outcome_runs", "coaching_notes"}

// joinRe finds "JOIN table [AS] alias ON condition", the condition running
// to the next clause.
var joinRe = regexp.MustCompile(`(?is)\bJOIN\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?\s+ON\s+(.*?)(?:\b(?:LEFT|RIGHT|INNER|CROSS|FULL)\b|\bJOIN\b|\bWHERE\b|\bGROUP\s+BY\b|\bORDER\s+BY\b|\bLIMIT\b|\bUNION\b|\bSELECT\b|$)`)

// storeStrings calls visit with every string literal of the store's
// non-test files (where its SQL lives), the file's name and its position.
func storeStrings(t *testing.T, visit func(file string, pos token.Position, s string)) {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", file, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					visit(file, fset.Position(lit.Pos()), s)
				}
			}
			return true
		})
	}
}

// TestQueries_JoinWithinOrg reads every SQL string of the store and checks
// that each join onto an org table matches org_id, so no query can pair
// rows of two orgs (and, sharded by org_id, every join stays on one node).
func TestQueries_JoinWithinOrg(t *testing.T) {
	isOrgTable := map[string]bool{}
	for _, name := range orgTables {
		isOrgTable[name] = true
	}
	checked := 0
	storeStrings(t, func(_ string, pos token.Position, sql string) {
		for _, m := range joinRe.FindAllStringSubmatch(sql, -1) {
			if !isOrgTable[strings.ToLower(m[1])] {
				continue
			}
			checked++
			if !strings.Contains(m[3], "org_id") {
				t.Errorf("%s: JOIN %s %s ON %s: does not match org_id", pos, m[1], m[2], strings.Join(strings.Fields(m[3]), " "))
			}
		}
	})
	if checked < 10 {
		t.Fatalf("only %d joins found: is the pattern still right?", checked)
	}
	t.Logf("%d joins onto org tables checked", checked)
}

// keyLookupRe finds a row looked up by its id or its deal: "[alias.]id =",
// "[alias.]deal_id =" or "= ANY" on them, in a WHERE or AND.
var keyLookupRe = regexp.MustCompile(`(?is)\b(?:WHERE|AND)\s+(?:\w+\.)?(id|deal_id)\s*(?:=|IN\b)`)

// orgTableRe finds the org tables a statement reads or writes.
var orgTableRe = regexp.MustCompile(`(?is)\b(?:FROM|UPDATE|JOIN|INTO)\s+(users|prospects|contacts|deals|touches|deal_scores|flags|coaching_notes|digests|deal_stage_changes)\b`)

// TestQueries_KeyLookupsNameTheOrg reads every SQL string of the store and
// checks that one which looks rows of an org table up by id or deal id also
// names org_id. Every key starts with org_id (migration 00011): by id alone
// PostgreSQL cannot use the key and reads the whole table (a deal list did,
// 250,000 rows a request, until BENCHMARKS.md finding 11). Indexes that lead
// with deal_id (touches, flags, stage changes, coaching notes) would serve
// those lookups, but the rule stays one rule.
func TestQueries_KeyLookupsNameTheOrg(t *testing.T) {
	// Statements that may look up by id alone, with the reason.
	allowed := map[string]string{
		"digest.go": "the weekly outbox (digests, users) is worked by outbox row and user id from River jobs; a few hundred rows per org a week",
	}
	checked := 0
	storeStrings(t, func(file string, pos token.Position, sql string) {
		if allowed[file] != "" || !keyLookupRe.MatchString(sql) || !orgTableRe.MatchString(sql) {
			return
		}
		checked++
		if !strings.Contains(sql, "org_id") {
			t.Errorf("%s: looks up by id without org_id: %s", pos, strings.Join(strings.Fields(sql), " "))
		}
	})
	if checked < 10 {
		t.Fatalf("only %d lookups found: is the pattern still right?", checked)
	}
	t.Logf("%d lookups by id checked", checked)
}
