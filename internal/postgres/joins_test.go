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

// TestQueries_JoinWithinOrg reads every SQL string of the store and checks
// that each join onto an org table matches org_id, so no query can pair
// rows of two orgs (and, sharded by org_id, every join stays on one node).
func TestQueries_JoinWithinOrg(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	isOrgTable := map[string]bool{}
	for _, name := range orgTables {
		isOrgTable[name] = true
	}
	fset := token.NewFileSet()
	checked := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", file, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			sql, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, m := range joinRe.FindAllStringSubmatch(sql, -1) {
				if !isOrgTable[strings.ToLower(m[1])] {
					continue
				}
				checked++
				if !strings.Contains(m[3], "org_id") {
					t.Errorf("%s: JOIN %s %s ON %s: does not match org_id", fset.Position(lit.Pos()), m[1], m[2], strings.Join(strings.Fields(m[3]), " "))
				}
			}
			return true
		})
	}
	if checked < 10 {
		t.Fatalf("only %d joins found: is the pattern still right?", checked)
	}
	t.Logf("%d joins onto org tables checked", checked)
}
