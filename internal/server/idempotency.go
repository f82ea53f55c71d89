package server

import (
	"crypto/rand"
	"net/http"
	"regexp"
)

// keyField is the hidden field that carries a create form's idempotency
// key. Every blank create form gets a fresh key; a form sent back with
// errors keeps its key (nothing was created under it). The store claims the
// key in the create's transaction: the same form sent twice, or retried
// after an answer that never arrived (a 503 whose commit went through),
// creates one record and answers with it.
const keyField = "idempotency_key"

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// newKey returns a fresh idempotency key for a blank create form.
func newKey() string { return rand.Text() }

// formKey returns the form's idempotency key, or "" when it has none or a
// malformed one (then the create is not deduplicated).
func formKey(r *http.Request) string {
	if k := r.PostFormValue(keyField); keyPattern.MatchString(k) {
		return k
	}
	return ""
}
