// Package web holds goodmoney's templ components, the plain view models they
// render, and the embedded static assets. Components receive values; they
// never query.
package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"goodmoney/internal/pipeline"
)

// Roles, as stored on a user.
const (
	RoleRep     = "rep"
	RoleManager = "manager"
	RoleAdmin   = "admin"
)

// Navigation keys for Page.Active.
const (
	NavHome      = "home"
	NavDeals     = "deals"
	NavBoard     = "board"
	NavProspects = "prospects"
	NavReview    = "review"
	NavScoring   = "scoring"
	NavUsers     = "users"
	NavProfile   = "profile"
	NavDigests   = "digests"
	NavAudit     = "audit"
	NavWalkaway  = "walkaway"
)

// FormErrorKey is the key of an Errors map that holds a message about the
// whole form rather than one field.
const FormErrorKey = "form"

// CurrentUser is the signed-in user as the layout shows them.
type CurrentUser struct {
	ID                int64
	Name, Email, Role string // Role: rep|manager|admin
}

// Flash is a one-time message shown at the top of a page.
type Flash struct {
	Kind, Text string // Kind: ok|info|error
}

// Page is what the layout needs to frame any page.
type Page struct {
	Title   string
	User    *CurrentUser // nil when nobody is signed in: no navigation
	Flashes []Flash
	Active  string // one of the Nav* keys
	// Refresh, when above 0, reloads the page after that many seconds (a
	// long run's progress); the meta element belongs in the head.
	Refresh int
}

// Field describes one form control. ID defaults to Name, so a page with a
// single form keeps ids stable (#email, #password); set ID when a page repeats
// the same field name in several forms.
type Field struct {
	Name, Label, Type, Value string
	Error, Hint, Placeholder string
	Autocomplete             string
	ID                       string // defaults to Name
	Required                 bool
	Attrs                    templ.Attributes // extra attributes, e.g. inputmode, min, rows, autofocus
}

// Option is one choice of a select.
type Option struct {
	Value, Label string
}

// LoginView is the sign-in form.
type LoginView struct {
	Email, Error, Next string
}

// UsersView is the admin page of users and teams.
type UsersView struct {
	Users     []UserRow
	Teams     []TeamRow
	Managers  []Option // users who may manage a team
	New       UserForm // the add-user form, kept on a failed submit
	Team      TeamForm // the add-team form, kept on a failed submit
	Timezones []string // suggestions for the timezone field; may be empty
}

// UserRow is one user in the admin list. TeamID is 0 when the user has no team.
type UserRow struct {
	ID                          int64
	Name, Email, Role, TeamName string
	TeamID                      int64
	Disabled                    bool
}

// TeamRow is one team in the admin list.
type TeamRow struct {
	ID                int64
	Name, ManagerName string
}

// UserForm holds the add-user form's values and per-field messages
// (keys: email, name, role, team_id, password, timezone, and FormErrorKey).
// TeamID is "" for no team.
type UserForm struct {
	Email, Name, Role, TeamID, Timezone string
	Errors                              map[string]string
}

// TeamForm holds the add-team form's values and per-field messages
// (keys: name, manager_id, and FormErrorKey). ManagerID is "" for none.
type TeamForm struct {
	Name, ManagerID string
	Errors          map[string]string
}

// ProfileView is the signed-in user's own settings. Errors belong to the
// details form (keys: name, timezone, FormErrorKey); PasswordErrors to the
// password form (keys: current_password, new_password, confirm_password,
// FormErrorKey).
type ProfileView struct {
	Name, Email, Timezone string
	DigestOptOut          bool
	Errors                map[string]string
	PasswordErrors        map[string]string
	Timezones             []string
}

// id returns the element id of a field.
func (f Field) id() string {
	if f.ID != "" {
		return f.ID
	}
	return f.Name
}

// describedBy lists the ids of the hint and error that describe a field.
func (f Field) describedBy() string {
	var s string
	if f.Hint != "" {
		s = f.id() + "-hint"
	}
	if f.Error != "" {
		if s != "" {
			s += " "
		}
		s += f.id() + "-error"
	}
	return s
}

// inputType defaults a field's type to text.
// A date field kept from a failed submit with a malformed value (typed where
// the browser offered a plain text box) comes back as a text box, so the
// value is kept next to its message and the page stays valid HTML.
func (f Field) inputType() string {
	if f.Type == "" || !f.wellFormed() {
		return "text"
	}
	return f.Type
}

// wellFormed reports whether a date or datetime-local input may carry f.Value:
// HTML allows only an empty or well-formed value there (the W3C checker
// refuses "31/12/2026"). Other types take any value.
func (f Field) wellFormed() bool {
	var layouts []string
	switch f.Type {
	case "date":
		layouts = []string{"2006-01-02"}
	case "datetime-local":
		layouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"}
	default:
		return true
	}
	if f.Value == "" {
		return true
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, f.Value); err == nil && t.Year() >= 1 {
			return true
		}
	}
	return false
}

// roleOptions are the roles an admin may give.
var roleOptions = []Option{
	{Value: RoleRep, Label: "Rep"},
	{Value: RoleManager, Label: "Manager"},
	{Value: RoleAdmin, Label: "Admin"},
}

// roleLabel is the display name of a role.
func roleLabel(role string) string {
	for _, o := range roleOptions {
		if o.Value == role {
			return o.Label
		}
	}
	return role
}

// teamOptions lists the teams for a select, after a "No team" choice.
func teamOptions(teams []TeamRow) []Option {
	opts := make([]Option, 0, len(teams)+1)
	opts = append(opts, Option{Value: "", Label: "No team"})
	for _, t := range teams {
		opts = append(opts, Option{Value: idString(t.ID), Label: t.Name})
	}
	return opts
}

// timezoneOptions turns timezone names into options, keeping the current
// value selectable even when the list does not hold it.
func timezoneOptions(zones []string, current string) []Option {
	opts := make([]Option, 0, len(zones)+1)
	found := current == ""
	for _, z := range zones {
		opts = append(opts, Option{Value: z, Label: z})
		found = found || z == current
	}
	if !found {
		opts = append([]Option{{Value: current, Label: current}}, opts...)
	}
	return opts
}

// idString formats an id for a form value; 0 means none and becomes "".
func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// pageTitle is the document title of a page.
func pageTitle(title string) string {
	if title == "" {
		return "goodmoney"
	}
	return title + " · goodmoney"
}

// isManager reports whether the user reviews flags: managers and admins.
func isManager(u *CurrentUser) bool {
	return u != nil && (u.Role == RoleManager || u.Role == RoleAdmin)
}

// flashKind narrows a flash kind to the three the stylesheet knows.
func flashKind(kind string) string {
	switch kind {
	case "ok", "error":
		return kind
	}
	return "info"
}

// cssToken keeps only the characters a class name needs, so a stray value
// cannot produce odd class names.
func cssToken(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			b = append(b, c)
		}
	}
	return string(b)
}

// bandLabel is the display name of a score band.
func bandLabel(band string) string {
	switch band {
	case "ok":
		return "OK"
	case "watch":
		return "Watch"
	case "not_good_money":
		return "Not good money"
	}
	return band
}

// StageLabel is the display name of a deal stage.
func StageLabel(stage string) string {
	if stage == "" {
		return ""
	}
	return strings.ToUpper(stage[:1]) + stage[1:]
}

// aria returns the accessibility attributes that tie a field to its notes.
func (f Field) aria() templ.Attributes {
	a := templ.Attributes{}
	if f.Error != "" {
		a["aria-invalid"] = "true"
	}
	if d := f.describedBy(); d != "" {
		a["aria-describedby"] = d
	}
	return a
}

// autofocusIf puts the focus on a field when the page opens.
func autofocusIf(on bool) templ.Attributes {
	if on {
		return templ.Attributes{"autofocus": true}
	}
	return nil
}

// isSelf reports whether a row is the signed-in user, who may not switch
// their own account off.
func isSelf(p Page, u UserRow) bool {
	return p.User != nil && p.User.ID == u.ID
}

// rowID makes an element id unique to one row of a table.
func rowID(prefix string, id int64) string {
	return prefix + "-" + strconv.FormatInt(id, 10)
}

// userAction is the URL that updates a user.
func userAction(id int64) templ.SafeURL {
	return templ.SafeURL("/admin/users/" + strconv.FormatInt(id, 10))
}

// rowTeamOptions lists the teams for a user's row, keeping the user's own
// team choosable even if the team list does not hold it.
func rowTeamOptions(teams []TeamRow, u UserRow) []Option {
	opts := teamOptions(teams)
	if u.TeamID == 0 {
		return opts
	}
	for _, t := range teams {
		if t.ID == u.TeamID {
			return opts
		}
	}
	return append(opts, Option{Value: idString(u.TeamID), Label: u.TeamName})
}

// timezoneListAttr ties the timezone field to its suggestions, if any.
func timezoneListAttr(zones []string) templ.Attributes {
	if len(zones) == 0 {
		return nil
	}
	return templ.Attributes{"list": "timezone-options"}
}

// defaultString returns s, or def when s is empty.
func defaultString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// countLabel says how many of something there are: "1 team", "3 teams".
func countLabel(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// digestStatusOptions are the outbox's status filter.
var digestStatusOptions = []Option{{"", "Any"}, {"pending", "Pending"}, {"sent", "Sent"}, {"skipped", "Skipped"}, {"failed", "Failed"}}

// digestURL is the address of a recorded digest, as HTML or as text.
func digestURL(id int64, format string) templ.SafeURL {
	u := "/digests/" + strconv.FormatInt(id, 10)
	if format != "" {
		u += "?format=" + format
	}
	return templ.SafeURL(u)
}

// The deals list's filters and orders.
var (
	stageFilterOptions = append([]Option{
		{"open", "Open deals"}, {"closed", "Closed (won, lost, disqualified)"}, {"all", "All stages"},
	}, stageOptions...)
	sortOptions = []Option{
		{pipeline.SortRisk, "Risk (flagged first)"},
		{pipeline.SortAmount, "Amount (largest first)"},
		{pipeline.SortMargin, "Margin (thinnest first)"},
		{pipeline.SortNextDue, "Next step due (soonest first)"},
		{pipeline.SortNewest, "Newest first"},
		{pipeline.SortTitle, "Title (A to Z)"},
		{pipeline.SortOwner, "Owner (A to Z)"},
		{pipeline.SortStage, "Stage (lead first)"},
	}
)

// stageFilterValue is the stage select's value for the filter's stage
// ("" in the filter is every stage).
func stageFilterValue(stage string) string {
	if stage == "" {
		return "all"
	}
	return stage
}

// dealsIntro says what the deals list shows.
func dealsIntro(v DealListView) string {
	what := "Open deals"
	switch v.Filter.Stage {
	case "":
		what = "Deals in every stage"
	case "closed":
		what = "Closed deals"
	case "open":
	default:
		what = StageLabel(v.Filter.Stage) + " deals"
	}
	return what + ", " + sortPhrase(v.Filter) + ". Click a column to sort by it; closed deals are under Stage."
}

// sortPhrase names the list's order in words ("sorted by amount (largest
// first)", or "sorted by amount, reversed").
func sortPhrase(f pipeline.DealFilter) string {
	for _, o := range sortOptions {
		if o.Value == f.Sort {
			label := strings.ToLower(o.Label)
			if f.Desc != pipeline.DealSorts[f.Sort] {
				base, _, _ := strings.Cut(label, " (")
				return "sorted by " + base + ", reversed"
			}
			return "sorted by " + label
		}
	}
	return "newest first"
}

// sortHref is the link of a column head: sort by key, or reverse the order
// when it already sorts by key.
func sortHref(v *DealListView, key string) string {
	q := url.Values{}
	for k, vals := range v.Query {
		q[k] = vals
	}
	q.Set("sort", key)
	if v.Filter.Sort == key {
		if v.Filter.Desc {
			q.Set("dir", "asc")
		} else {
			q.Set("dir", "desc")
		}
	}
	return "/deals?" + q.Encode()
}

// ariaSort is the aria-sort of the column in use.
func ariaSort(desc bool) string {
	if desc {
		return "descending"
	}
	return "ascending"
}

// sortArrow marks the column in use.
func sortArrow(desc bool) string {
	if desc {
		return "↓"
	}
	return "↑"
}
