// Package pipeline holds goodmoney's domain: the records a sales team keeps
// (orgs, users, teams, prospects, contacts, deals, touches, flags), their
// validation, the error codes the application speaks, and the service
// interfaces the web layer calls. It does no I/O.
package pipeline

import (
	"errors"
	"fmt"
)

// Application error codes. One function in the server maps them to HTTP status.
const (
	ECONFLICT     = "conflict"     // a stale version or a duplicate
	EINTERNAL     = "internal"     // a bug or an outage; never shown in detail
	EINVALID      = "invalid"      // bad input; Fields says which
	ENOTFOUND     = "not_found"    // absent, or not visible to the actor
	EFORBIDDEN    = "forbidden"    // visible but not allowed for this role
	EUNAVAILABLE  = "unavailable"  // a dependency (the database) does not answer
	EUNAUTHORIZED = "unauthorized" // not signed in, or wrong credentials
)

// Error is an application error: a code, a message fit for the user, and for
// EINVALID the per-field messages.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	return fmt.Sprintf("goodmoney error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted user message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error carrying per-field messages.
func Invalid(fields map[string]string) *Error {
	return &Error{Code: EINVALID, Message: "Please correct the highlighted fields.", Fields: fields}
}

// ErrorCode returns the code of an application error, EINTERNAL for anything else.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of an application error and a
// generic one for anything else, so internal details never reach a page.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. Please try again."
}

// FieldErrors returns the per-field messages of an EINVALID error, or nil.
func FieldErrors(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
