package server

import (
	"net/http"
	"strconv"
)

// mailCSP is the policy a digest is shown under in the app: the mail's
// inline styles apply, nothing else loads or runs.
const mailCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; " +
	"base-uri 'none'; form-action 'none'"

// writeMail answers a rendered digest, as HTML or (format=text) as the
// plain-text part.
func writeMail(w http.ResponseWriter, r *http.Request, html, text string) {
	body, ctype := html, "text/html; charset=utf-8"
	if r.URL.Query().Get("format") == "text" {
		body, ctype = text, "text/plain; charset=utf-8"
	}
	h := w.Header()
	h.Set("Content-Security-Policy", mailCSP)
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(body))
}
