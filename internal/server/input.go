package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxBody is the largest request body read; a form is a few kilobytes.
const maxBody = 1 << 20

// checkInput is the one place where request input is checked before any
// handler reads it. It parses the form of every request (so handlers never
// see a body cut short: over maxBody is 413, unreadable is 400) and refuses
// a form value that is not valid UTF-8 or holds a control character other
// than tab, newline and carriage return (NUL among them: PostgreSQL cannot
// store it) with 422 naming the field. A malformed pair in the query string
// is dropped. In the query string of a GET such a
// value cannot match anything: it is replaced by U+FFFD, so a search finds
// nothing and a filter is unknown, never a 500.
func (s *Server) checkInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		// A malformed pair in the query string is dropped, as URL.Query
		// does, so that only the body can make the form unreadable.
		if q, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			r.URL.RawQuery = q.Encode()
		}
		if err := r.ParseForm(); err != nil {
			s.refuseBody(w, r, err)
			return
		}
		if field, ok := badField(r.PostForm); ok {
			s.renderError(w, r, http.StatusUnprocessableEntity, "Unreadable text",
				"The field “"+printable(field)+"” holds characters we cannot store (a NUL byte, a control character or text that is not UTF-8). Go back, retype it and send again.")
			return
		}
		if _, ok := badField(r.URL.Query()); ok {
			q := url.Values{}
			for k, vs := range r.URL.Query() {
				for _, v := range vs {
					q.Add(cleanValue(k), cleanValue(v)) // a key too: it reaches logs and filters
				}
			}
			r.URL.RawQuery = q.Encode()
			r.Form = nil
			if err := r.ParseForm(); err != nil { // re-parse: Form merges the cleaned query
				s.refuseBody(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// refuseBody answers a body that could not be read: 413 over the limit,
// 400 otherwise.
func (s *Server) refuseBody(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		w.Header().Set("Connection", "close")
		s.renderError(w, r, http.StatusRequestEntityTooLarge, "Too much to send",
			"That form was larger than we accept (1 MB). Shorten the text and send it again.")
		return
	}
	s.renderError(w, r, http.StatusBadRequest, "Unreadable form", "We could not read that form. Go back and send it again.")
}

// badField returns the first key whose name or value is not acceptable text.
func badField(vals url.Values) (string, bool) {
	for k, vs := range vals {
		if !validText(k) {
			return k, true
		}
		for _, v := range vs {
			if !validText(v) {
				return k, true
			}
		}
	}
	return "", false
}

// validText reports whether s is UTF-8 without control characters other
// than tab, newline and carriage return.
func validText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if isBadControl(c) {
			return false
		}
	}
	return true
}

func isBadControl(c rune) bool {
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f
}

// cleanValue replaces what validText refuses with U+FFFD.
func cleanValue(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(c rune) rune {
		if isBadControl(c) {
			return '\uFFFD'
		}
		return c
	}, s)
}

// printable is a field name fit to show in a message.
func printable(s string) string {
	r := []rune(cleanValue(s))
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return string(r)
}
