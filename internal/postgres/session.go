package postgres

import (
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
)

// NewSessionStore returns the scs store keeping sessions in the sessions
// table, deleting expired ones every half hour.
func NewSessionStore(db *DB) scs.Store {
	return pgxstore.NewWithCleanupInterval(db.Pool, 30*time.Minute)
}
