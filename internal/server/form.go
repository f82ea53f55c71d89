package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"goodmoney/internal/money"
	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// formErrors collects per-field messages while a form is parsed.
type formErrors map[string]string

// money parses an amount field; empty gives nil unless required.
func (e formErrors) money(field, value string, required bool) *money.Cents {
	value = strings.TrimSpace(value)
	if value == "" {
		if required {
			e[field] = "Enter an amount, like 12,500."
		}
		return nil
	}
	c, err := money.Parse(value)
	if err != nil {
		e[field] = err.Error()
		return nil
	}
	return &c
}

// date parses a yyyy-mm-dd field from a date input; empty gives nil.
func (e formErrors) date(field, value string) *time.Time {
	if strings.TrimSpace(value) == "" {
		return nil
	}
	t, err := pipeline.ParseDate(value)
	if err != nil {
		e[field] = err.Error()
		return nil
	}
	return &t
}

// dateTime parses a datetime-local field in the user's timezone; empty means now.
func (e formErrors) dateTime(field, value string, loc *time.Location, now time.Time) time.Time {
	if strings.TrimSpace(value) == "" {
		return now
	}
	t, err := pipeline.ParseDateTime(value, loc)
	if err != nil {
		e[field] = err.Error()
	}
	return t
}

// intOpt parses an optional whole number.
func (e formErrors) intOpt(field, value string) *int {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < 0 {
		e[field] = "Enter a whole number of minutes."
		return nil
	}
	return &n
}

// id parses an optional id field ("" is 0).
func (e formErrors) id(field, value, msg string) int64 {
	id, ok := parseOptionalID(value)
	if !ok {
		e[field] = msg
	}
	return id
}

// refused answers a service's refusal of a submitted form and reports
// whether there was one. An EINVALID refusal adds its field messages to errs
// (the parser's win) and calls rerender, which shows the form again with
// them and status 422; any other error gets the error page.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, err error, errs formErrors, rerender func(formErrors)) bool {
	if err == nil {
		return false
	}
	if pipeline.ErrorCode(err) != pipeline.EINVALID {
		s.fail(w, r, err)
		return true
	}
	if errs == nil {
		errs = formErrors{}
	}
	errs.merge(pipeline.FieldErrors(err))
	rerender(errs)
	return true
}

// merge adds the domain's messages to the parser's; the parser's win.
func (e formErrors) merge(more map[string]string) {
	for k, v := range more {
		if _, ok := e[k]; !ok {
			e[k] = v
		}
	}
}

// userLoc returns the signed-in user's timezone.
func userLoc(r *http.Request) *time.Location {
	if u := currentUser(r); u != nil {
		if loc, err := pipeline.LoadLocation(u.Timezone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// pathID reads a numeric URL parameter; ok is false for anything else.
func pathID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// isHTMX reports whether htmx sent the request (it swaps part of the page).
func isHTMX(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true"
}

// dateInput formats a date for a date input.
func dateInput(t *time.Time) string {
	if t == nil {
		return ""
	}
	return pipeline.DateInput(*t)
}

// moneyInput formats an optional amount for a form field.
func moneyInput(c *money.Cents) string {
	if c == nil {
		return ""
	}
	return c.Input()
}

// contactFormFrom reads a contact's fields: name, email, phone and title,
// each with prefix ("contact_" on the new-prospect form, whose own name is
// the company's; none on the add-contact form, as the contract says).
func contactFormFrom(r *http.Request, prefix string) web.ContactForm {
	return web.ContactForm{
		Key:   formKey(r),
		Name:  r.PostFormValue(prefix + "name"),
		Email: r.PostFormValue(prefix + "email"),
		Phone: r.PostFormValue(prefix + "phone"),
		Title: r.PostFormValue(prefix + "title"),
	}
}

// parseOptionalID parses an id field where "" and "0" mean none.
func parseOptionalID(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id >= 0
}

// timezones offered in the profile and user forms.
var timezones = []string{
	"UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
	"America/Phoenix", "America/Anchorage", "America/Toronto", "America/Vancouver", "America/Mexico_City",
	"America/Sao_Paulo", "Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin",
	"Europe/Madrid", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw", "Europe/Athens",
	"Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai",
	"Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
}

// safeNext keeps redirects on this site: a path, never another host.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
