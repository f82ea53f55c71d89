package postgres

import (
	"strconv"

	"goodmoney/internal/pipeline"
)

// args collects positional query arguments while a query is built.
type args []any

// add appends v and returns its placeholder.
func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

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
