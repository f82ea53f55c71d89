//go:build bench

package postgres

import (
	"context"
	"fmt"
)

// CeilingName is the one primary-key query of the benchmark's ceiling (a)
// page (internal/server/ceiling.go). Compiled with -tags bench only. It
// reads by id alone, like the session lookup it stands next to: the user id
// comes from the signed-in session.
func (db *DB) CeilingName(ctx context.Context, userID int64) (string, error) {
	var name string
	if err := db.Pool.QueryRow(ctx, `SELECT name FROM users WHERE id = $1`, userID).Scan(&name); err != nil {
		return "", fmt.Errorf("ceiling name of user %d: %w", userID, err)
	}
	return name, nil
}
