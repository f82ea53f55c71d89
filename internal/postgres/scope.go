package postgres

import (
	"strconv"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pipeline"
)

// args collects positional query arguments while a query is built.
type args []any

// add appends v and returns its placeholder.
func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// planned returns the arguments a, led by the query mode that has
// PostgreSQL plan the statement for these very values on every run. pgx
// otherwise prepares and caches each statement, and after five runs
// PostgreSQL may settle on a generic plan, which knows neither the team's
// owners (the scope's array) nor the period: the outcomes stamp of a
// manager's year then walked every closed deal of the benchmark org (0.73 s
// instead of 20 ms). For scoped queries over many rows, where planning
// costs little next to a bad plan.
func (a args) planned() []any { return append([]any{pgx.QueryExecModeDescribeExec}, a...) }

// dealScope returns the condition limiting deals (aliased d) to those the
// actor may read and write: an admin the org's, a manager their own and
// their team's, a rep their own. It is the one place the policy lives.
func dealScope(a pipeline.Actor, q *args) string {
	org := q.add(a.OrgID)
	switch a.Role {
	case pipeline.RoleAdmin:
		return "d.org_id = " + org
	case pipeline.RoleManager:
		// The owners as an array: the planner estimates it and searches
		// deals_owner_idx with it. Written as "me OR IN (subquery)" it
		// guessed half the org's deals and walked them all to fill a page.
		me := q.add(a.UserID)
		return "d.org_id = " + org + " AND d.owner_id = ANY (ARRAY(SELECT " + me + `::bigint UNION ALL
			SELECT tu.id FROM users tu JOIN teams tt ON tt.org_id = tu.org_id AND tt.id = tu.team_id
			WHERE tt.manager_id = ` + me + " AND tt.org_id = " + org + "))"
	default:
		return "d.org_id = " + org + " AND d.owner_id = " + q.add(a.UserID)
	}
}
