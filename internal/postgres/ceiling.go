//go:build bench

package postgres

import (
	"context"
	"fmt"
)

// CeilingName is the one primary-key query of the benchmark's ceiling (a)
// page (internal/server/ceiling.go). Compiled with -tags bench only. It
// reads by the key users_pkey (org_id, id), like the session lookup it
// stands next to: both ids come from the signed-in session.
func (db *DB) CeilingName(ctx context.Context, orgID, userID int64) (string, error) {
	var name string
	if err := db.Pool.QueryRow(ctx, `SELECT name FROM users WHERE org_id = $1 AND id = $2`, orgID, userID).Scan(&name); err != nil {
		return "", fmt.Errorf("ceiling name of user %d: %w", userID, err)
	}
	return name, nil
}
