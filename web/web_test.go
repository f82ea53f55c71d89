package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

// render renders a component and parses the result.
func render(t *testing.T, c templ.Component) (*goquery.Document, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	html := buf.String()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc, html
}

func attr(t *testing.T, s *goquery.Selection, name string) string {
	t.Helper()
	if s.Length() != 1 {
		t.Fatalf("want one element for attribute %q, found %d", name, s.Length())
	}
	v, ok := s.Attr(name)
	if !ok {
		t.Fatalf("element has no %q attribute", name)
	}
	return v
}

var (
	admin   = &CurrentUser{ID: 1, Name: "Ada Admin", Email: "ada@example.com", Role: RoleAdmin}
	manager = &CurrentUser{ID: 2, Name: "Max Manager", Email: "max@example.com", Role: RoleManager}
	rep     = &CurrentUser{ID: 3, Name: "Rita Rep", Email: "rita@example.com", Role: RoleRep}
)

func usersView() UsersView {
	return UsersView{
		Users: []UserRow{
			{ID: 1, Name: "Ada Admin", Email: "ada@example.com", Role: RoleAdmin},
			{ID: 2, Name: "Max Manager", Email: "max@example.com", Role: RoleManager, TeamID: 7, TeamName: "East"},
			{ID: 3, Name: "Rita Rep", Email: "rita@example.com", Role: RoleRep, TeamID: 7, TeamName: "East", Disabled: true},
		},
		Teams:     []TeamRow{{ID: 7, Name: "East", ManagerName: "Max Manager"}, {ID: 8, Name: "West"}},
		Managers:  []Option{{Value: "2", Label: "Max Manager"}},
		Timezones: []string{"UTC", "Europe/Berlin"},
	}
}

func profileView() ProfileView {
	return ProfileView{Name: "Rita Rep", Email: "rita@example.com", Timezone: "Europe/Berlin",
		DigestOptOut: true, Timezones: []string{"UTC", "Europe/Berlin"}}
}

// allPages renders one of every page, for checks that hold everywhere.
func allPages() map[string]templ.Component {
	return map[string]templ.Component{
		"login":      LoginPage(LoginView{Error: "Wrong email or password.", Email: "a@b.c"}),
		"users":      UsersPage(Page{Title: "Users", User: admin, Active: NavUsers, Flashes: []Flash{{Kind: "ok", Text: "Saved."}}}, usersView()),
		"profile":    ProfilePage(Page{Title: "Profile", User: rep, Active: NavProfile}, profileView()),
		"error":      ErrorPage(Page{Title: "Not found", User: manager}, 404, "Not found", "Nothing here."),
		"error-anon": ErrorPage(Page{Title: "Too many requests"}, 429, "Too many requests", "Wait a minute."),
	}
}

func TestLoginPage(t *testing.T) {
	t.Run("Fields", func(t *testing.T) {
		doc, _ := render(t, LoginPage(LoginView{Next: "/deals/4"}))
		form := doc.Find(`form[method="post"][action="/login"]`)
		if form.Length() != 1 {
			t.Fatalf("want one POST /login form, found %d", form.Length())
		}
		email := form.Find("#email")
		if got := attr(t, email, "type"); got != "email" {
			t.Errorf("email type = %q", got)
		}
		if got := attr(t, email, "autocomplete"); got != "username" {
			t.Errorf("email autocomplete = %q", got)
		}
		if got := attr(t, email, "name"); got != "email" {
			t.Errorf("email name = %q", got)
		}
		password := form.Find("#password")
		if got := attr(t, password, "type"); got != "password" {
			t.Errorf("password type = %q", got)
		}
		if got := attr(t, password, "autocomplete"); got != "current-password" {
			t.Errorf("password autocomplete = %q", got)
		}
		if got := attr(t, form.Find(`input[type="hidden"][name="next"]`), "value"); got != "/deals/4" {
			t.Errorf("next = %q", got)
		}
		for _, id := range []string{"email", "password"} {
			if doc.Find(`label[for="`+id+`"]`).Length() != 1 {
				t.Errorf("no label for #%s", id)
			}
		}
		if got := strings.TrimSpace(form.Find(`button[type="submit"]`).Text()); got != "Sign in" {
			t.Errorf("submit = %q", got)
		}
		if doc.Find(`[data-testid="login-error"]`).Length() != 0 {
			t.Error("login error shown without an error")
		}
		if doc.Find("nav").Length() != 0 {
			t.Error("sign-in page shows navigation")
		}
		if got := doc.Find("title").Text(); got != "Sign in · goodmoney" {
			t.Errorf("title = %q", got)
		}
	})
	t.Run("Error", func(t *testing.T) {
		doc, html := render(t, LoginPage(LoginView{Email: "rita@example.com", Error: "Wrong email or password."}))
		e := doc.Find(`[data-testid="login-error"]`)
		if e.Length() != 1 || strings.TrimSpace(e.Text()) != "Wrong email or password." {
			t.Fatalf("login error = %d elements, %q", e.Length(), e.Text())
		}
		if attr(t, e, "role") != "alert" || !e.HasClass("form-error") {
			t.Error("login error is not an alert with class form-error")
		}
		if got := attr(t, doc.Find("#email"), "value"); got != "rita@example.com" {
			t.Errorf("email kept = %q", got)
		}
		if strings.Contains(html, `name="password" type="password" value=`) {
			t.Error("password field carries a value")
		}
	})
	t.Run("EscapesNext", func(t *testing.T) {
		doc, html := render(t, LoginPage(LoginView{Next: `"><script>alert(1)</script>`}))
		if strings.Contains(html, "<script>alert") {
			t.Fatal("next is not escaped")
		}
		if got := attr(t, doc.Find(`input[name="next"]`), "value"); got != `"><script>alert(1)</script>` {
			t.Errorf("next = %q", got)
		}
	})
}

func TestLayout_Document(t *testing.T) {
	doc, html := render(t, ErrorPage(Page{Title: "Not found", User: rep}, 404, "Not found", "Nothing here."))
	if !strings.HasPrefix(strings.ToLower(html), "<!doctype html>") {
		t.Error("no doctype")
	}
	if got := attr(t, doc.Find("html"), "lang"); got != "en" {
		t.Errorf("lang = %q", got)
	}
	if doc.Find(`meta[charset="utf-8"]`).Length() != 1 {
		t.Error("no charset meta")
	}
	if !strings.Contains(attr(t, doc.Find(`meta[name="viewport"]`), "content"), "width=device-width") {
		t.Error("no viewport meta")
	}
	if got := doc.Find("title").Text(); got != "Not found · goodmoney" {
		t.Errorf("title = %q", got)
	}
	if got := strings.TrimSpace(doc.Find("header .brand").Text()); got != "goodmoney" {
		t.Errorf("brand = %q", got)
	}
	if got := attr(t, doc.Find(`link[rel="stylesheet"]`), "href"); got != Asset("app.css") {
		t.Errorf("stylesheet = %q", got)
	}
	if got := attr(t, doc.Find("script"), "src"); got != Asset("htmx.min.js") {
		t.Errorf("script = %q", got)
	}
	if doc.Find("main#main").Length() != 1 || doc.Find("footer").Length() != 1 {
		t.Error("no main or footer")
	}
}

func TestLayout_EscapesUserData(t *testing.T) {
	evil := `<script>x</script>`
	p := Page{Title: evil, User: &CurrentUser{ID: 9, Name: evil, Email: `"onmouseover="x`, Role: RoleRep},
		Flashes: []Flash{{Kind: "ok", Text: evil}}}
	doc, html := render(t, ErrorPage(p, 500, evil, evil))
	if strings.Contains(html, "<script>x") {
		t.Fatal("user data rendered as markup")
	}
	if got := strings.TrimSpace(doc.Find(`a[href="/profile"]`).Contents().First().Text()); got != evil {
		t.Errorf("user name = %q, want it as text", got)
	}
	if got := doc.Find(".flash").Text(); got != evil {
		t.Errorf("flash = %q", got)
	}
	if got := doc.Find("h1").Text(); got != evil {
		t.Errorf("title = %q", got)
	}
	if doc.Find("[onmouseover]").Length() != 0 {
		t.Error("attribute injection through the email")
	}
	if doc.Find("script").Length() != 1 {
		t.Errorf("want only the htmx script, found %d", doc.Find("script").Length())
	}
}

func TestLayout_NavByRole(t *testing.T) {
	links := func(doc *goquery.Document) map[string]string {
		m := map[string]string{}
		doc.Find("nav.site-nav .nav-links a").Each(func(_ int, s *goquery.Selection) {
			m[strings.TrimSpace(s.Text())], _ = s.Attr("href")
		})
		return m
	}
	common := map[string]string{"Home": "/", "Deals": "/deals", "Board": "/deals/board", "Prospects": "/prospects"}
	tests := []struct {
		user                   *CurrentUser
		review, scoring, users bool
	}{
		{rep, false, false, false},
		{manager, true, true, false},
		{admin, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.user.Role, func(t *testing.T) {
			doc, _ := render(t, Layout(Page{Title: "Home", User: tt.user, Active: NavHome}))
			got := links(doc)
			for label, href := range common {
				if got[label] != href {
					t.Errorf("%s links to %q, want %q", label, got[label], href)
				}
			}
			check := func(label, href string, want bool) {
				if _, ok := got[label]; ok != want {
					t.Errorf("%s shown = %v, want %v", label, ok, want)
				} else if want && got[label] != href {
					t.Errorf("%s links to %q", label, got[label])
				}
			}
			check("Review", "/review", tt.review)
			check("Scoring", "/settings/scoring", tt.scoring)
			check("Users", "/admin/users", tt.users)
		})
	}
	t.Run("SignedOut", func(t *testing.T) {
		doc, _ := render(t, Layout(Page{Title: "Sign in"}))
		if doc.Find("nav").Length() != 0 || doc.Find(`form[action="/logout"]`).Length() != 0 {
			t.Error("navigation shown to nobody")
		}
	})
	t.Run("Active", func(t *testing.T) {
		doc, _ := render(t, Layout(Page{Title: "Board", User: manager, Active: NavBoard}))
		cur := doc.Find(`[aria-current="page"]`)
		if cur.Length() != 1 || attr(t, cur, "href") != "/deals/board" {
			t.Errorf("aria-current on %d elements", cur.Length())
		}
		doc, _ = render(t, Layout(Page{Title: "Profile", User: manager, Active: NavProfile}))
		if got := attr(t, doc.Find(`[aria-current="page"]`), "href"); got != "/profile" {
			t.Errorf("profile active = %q", got)
		}
	})
	t.Run("SignOut", func(t *testing.T) {
		doc, _ := render(t, Layout(Page{Title: "Home", User: rep}))
		out := doc.Find(`nav form[method="post"][action="/logout"] button[type="submit"]`)
		if out.Length() != 1 || strings.TrimSpace(out.Text()) != "Sign out" {
			t.Error("no POST sign-out button")
		}
		if doc.Find(`a[href="/logout"]`).Length() != 0 {
			t.Error("sign out is a link")
		}
		if strings.TrimSpace(doc.Find(`a[href="/profile"]`).Contents().First().Text()) != "Rita Rep" {
			t.Error("user name does not link to the profile")
		}
	})
}

func TestLayout_Flashes(t *testing.T) {
	doc, _ := render(t, Layout(Page{Title: "Home", User: rep, Flashes: []Flash{
		{Kind: "ok", Text: "Saved."}, {Kind: "error", Text: "Failed."}, {Kind: "weird", Text: "Note."},
	}}))
	f := doc.Find(".flashes .flash")
	if f.Length() != 3 {
		t.Fatalf("want 3 flashes, found %d", f.Length())
	}
	want := []struct{ class, role, text string }{
		{"flash-ok", "status", "Saved."}, {"flash-error", "alert", "Failed."}, {"flash-info", "status", "Note."},
	}
	f.Each(func(i int, s *goquery.Selection) {
		if !s.HasClass(want[i].class) || attr(t, s, "role") != want[i].role || s.Text() != want[i].text {
			t.Errorf("flash %d: class=%q role=%q text=%q", i, s.AttrOr("class", ""), s.AttrOr("role", ""), s.Text())
		}
	})
}

// TestCSPSafe checks every page against the Content-Security-Policy: no
// inline script, style or event handler, and htmx told not to inject styles.
func TestCSPSafe(t *testing.T) {
	onAttr := regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	for name, c := range allPages() {
		t.Run(name, func(t *testing.T) {
			doc, html := render(t, c)
			doc.Find("script").Each(func(_ int, s *goquery.Selection) {
				src, ok := s.Attr("src")
				if !ok || !strings.HasPrefix(src, "/static/") || strings.TrimSpace(s.Text()) != "" {
					t.Errorf("inline or foreign script: src=%q", src)
				}
			})
			if doc.Find("[style]").Length() != 0 || strings.Contains(html, "style=") {
				t.Error("style attribute in page")
			}
			if doc.Find("style").Length() != 0 {
				t.Error("<style> element in page")
			}
			if m := onAttr.FindString(html); m != "" {
				t.Errorf("event handler attribute %q", m)
			}
			if strings.Contains(html, "javascript:") {
				t.Error("javascript: URL in page")
			}
			cfg := attr(t, doc.Find(`meta[name="htmx-config"]`), "content")
			if !strings.Contains(cfg, `"includeIndicatorStyles":false`) {
				t.Errorf("htmx-config = %q", cfg)
			}
			doc.Find("link[href], script[src], img[src]").Each(func(_ int, s *goquery.Selection) {
				u := s.AttrOr("href", s.AttrOr("src", ""))
				if !strings.HasPrefix(u, "/static/") {
					t.Errorf("asset not served by us: %q", u)
				}
			})
		})
	}
}

// TestUniqueIDs guards label-for and aria-describedby links: every id on a
// page is unique and every reference points at an element.
func TestUniqueIDs(t *testing.T) {
	for name, c := range allPages() {
		t.Run(name, func(t *testing.T) {
			doc, _ := render(t, c)
			seen := map[string]bool{}
			doc.Find("[id]").Each(func(_ int, s *goquery.Selection) {
				id := s.AttrOr("id", "")
				if seen[id] {
					t.Errorf("duplicate id %q", id)
				}
				seen[id] = true
			})
			doc.Find("label[for]").Each(func(_ int, s *goquery.Selection) {
				if f := s.AttrOr("for", ""); !seen[f] {
					t.Errorf("label for missing #%s", f)
				}
			})
			doc.Find("[aria-describedby]").Each(func(_ int, s *goquery.Selection) {
				for _, id := range strings.Fields(s.AttrOr("aria-describedby", "")) {
					if !seen[id] {
						t.Errorf("aria-describedby names missing #%s", id)
					}
				}
			})
			doc.Find("[form]").Each(func(_ int, s *goquery.Selection) {
				if f := s.AttrOr("form", ""); doc.Find("form#"+f).Length() != 1 {
					t.Errorf("control joins missing form #%s", f)
				}
			})
			doc.Find("input:not([type=hidden]), select, textarea").Each(func(_ int, s *goquery.Selection) {
				id := s.AttrOr("id", "")
				if id == "" || doc.Find(`label[for="`+id+`"]`).Length() == 0 {
					t.Errorf("control %q (#%s) has no label", s.AttrOr("name", ""), id)
				}
			})
		})
	}
}

func TestTextField(t *testing.T) {
	t.Run("Error", func(t *testing.T) {
		doc, _ := render(t, TextField(Field{Name: "amount", Label: "Amount", Value: "12,5x",
			Error: "Enter an amount like 12,500.", Hint: "In dollars.", Required: true,
			Attrs: templ.Attributes{"inputmode": "decimal"}}))
		in := doc.Find("input#amount")
		if attr(t, in, "name") != "amount" || attr(t, in, "type") != "text" || attr(t, in, "value") != "12,5x" {
			t.Error("input attributes wrong")
		}
		if attr(t, in, "aria-invalid") != "true" {
			t.Error("no aria-invalid")
		}
		if got := attr(t, in, "aria-describedby"); got != "amount-hint amount-error" {
			t.Errorf("aria-describedby = %q", got)
		}
		if _, ok := in.Attr("required"); !ok {
			t.Error("not required")
		}
		if attr(t, in, "inputmode") != "decimal" {
			t.Error("extra attributes dropped")
		}
		e := doc.Find("small.field-error#amount-error")
		if e.Text() != "Enter an amount like 12,500." {
			t.Errorf("error = %q", e.Text())
		}
		if doc.Find("small.field-hint#amount-hint").Text() != "In dollars." {
			t.Error("no hint")
		}
		if doc.Find(`label[for="amount"]`).Length() != 1 {
			t.Error("no label")
		}
	})
	t.Run("Valid", func(t *testing.T) {
		doc, _ := render(t, TextField(Field{Name: "title", ID: "deal-title", Label: "Title"}))
		in := doc.Find("input#deal-title")
		if _, ok := in.Attr("aria-invalid"); ok {
			t.Error("aria-invalid without an error")
		}
		if _, ok := in.Attr("aria-describedby"); ok {
			t.Error("aria-describedby without notes")
		}
		if doc.Find(".field-error").Length() != 0 {
			t.Error("error element without an error")
		}
		if doc.Find(`label[for="deal-title"]`).Length() != 1 {
			t.Error("label does not follow the ID")
		}
	})
	t.Run("PasswordNotEchoed", func(t *testing.T) {
		doc, _ := render(t, TextField(Field{Name: "password", Label: "Password", Type: "password", Value: "hunter22"}))
		if _, ok := doc.Find("#password").Attr("value"); ok {
			t.Error("password value rendered")
		}
	})
	// A date or datetime-local input's value must be well formed (the W3C
	// checker refuses "31/12/2026"); a malformed one kept from a failed
	// submit comes back in a text box, still next to its message.
	for _, tt := range []struct {
		typ, value, wantType string
	}{
		{"date", "2026-12-31", "date"},
		{"date", "", "date"},
		{"date", "garbage", "text"},
		{"date", "31/12/2026", "text"},
		{"date", "2026-02-30", "text"},
		{"datetime-local", "2026-11-30T09:05", "datetime-local"},
		{"datetime-local", "2026-11-30T09:05:07", "datetime-local"},
		{"datetime-local", "2026-11-30 09:05", "datetime-local"},
		{"datetime-local", "next tuesday", "text"},
		{"datetime-local", "2026-11-30", "text"},
		{"email", "not-an-address", "email"},
	} {
		t.Run("Value_"+tt.typ+"_"+tt.value, func(t *testing.T) {
			doc, _ := render(t, TextField(Field{Name: "when", Label: "When", Type: tt.typ, Value: tt.value, Error: "Enter a date."}))
			in := doc.Find("input#when")
			if got := attr(t, in, "value"); got != tt.value {
				t.Errorf("value = %q, want it kept as %q", got, tt.value)
			}
			if got := attr(t, in, "type"); got != tt.wantType {
				t.Errorf("type = %q, want %q", got, tt.wantType)
			}
			if doc.Find("small.field-error#when-error").Text() != "Enter a date." {
				t.Error("error message lost")
			}
		})
	}
}

func TestSelectAreaCheckbox(t *testing.T) {
	doc, _ := render(t, SelectField(Field{Name: "stage", Label: "Stage", Value: "proposal", Placeholder: "Choose",
		Error: "Pick one."}, []Option{{"lead", "Lead"}, {"proposal", "Proposal"}}))
	if got := doc.Find("select#stage option[selected]").AttrOr("value", ""); got != "proposal" {
		t.Errorf("selected = %q", got)
	}
	if doc.Find(`select#stage option[value=""]`).Text() != "Choose" {
		t.Error("no placeholder option")
	}
	if attr(t, doc.Find("select#stage"), "aria-describedby") != "stage-error" {
		t.Error("select not described by its error")
	}

	doc, _ = render(t, TextArea(Field{Name: "notes", Label: "Notes", Value: "<b>hi</b>"}))
	if doc.Find("textarea#notes").Text() != "<b>hi</b>" {
		t.Error("textarea value not kept as text")
	}

	doc, _ = render(t, Checkbox("future_promise", "Promised future business", true))
	box := doc.Find(`input#future_promise[type="checkbox"]`)
	if _, ok := box.Attr("checked"); !ok || attr(t, box, "value") != "true" {
		t.Error("checkbox not checked or wrong value")
	}
	if doc.Find(`label[for="future_promise"]`).Text() != "Promised future business" {
		t.Error("checkbox label")
	}

	doc, _ = render(t, FormError("Someone else saved this deal first."))
	if e := doc.Find(`.form-error[role="alert"]`); e.Text() != "Someone else saved this deal first." {
		t.Errorf("form error = %q", e.Text())
	}
	_, html := render(t, FormError(""))
	if html != "" {
		t.Errorf("empty form error rendered %q", html)
	}
}

func TestUsersPage(t *testing.T) {
	v := usersView()
	v.New = UserForm{Email: "bad", Name: "Sam", Role: RoleManager, TeamID: "8", Timezone: "Mars/Base",
		Errors: map[string]string{"email": "Enter an email address.", "timezone": "Choose a timezone from the list."}}
	doc, _ := render(t, UsersPage(Page{Title: "Users", User: admin, Active: NavUsers}, v))

	rows := doc.Find("tbody tr[data-user-id]")
	if rows.Length() != 3 {
		t.Fatalf("want 3 user rows, found %d", rows.Length())
	}
	rita := doc.Find(`tr[data-user-id="3"]`)
	for _, want := range []string{"Rita Rep", "rita@example.com", "Disabled"} {
		if !strings.Contains(rita.Text(), want) {
			t.Errorf("row lacks %q", want)
		}
	}
	if got := rita.Find(`select[name="team_id"] option[selected]`).Text(); got != "East" {
		t.Errorf("team = %q", got)
	}
	if got := rita.Find(`select[name="role"] option[selected]`).AttrOr("value", ""); got != RoleRep {
		t.Errorf("role = %q", got)
	}
	edit := rita.Find(`form#user-3[method="post"][action="/admin/users/3"]`)
	if edit.Length() != 1 || attr(t, edit.Find(`input[name="disabled"]`), "value") != "true" {
		t.Error("edit form wrong")
	}
	if rita.Find(`select[form="user-3"]`).Length() != 2 {
		t.Error("selects do not join the row's form")
	}
	toggle := rita.Find(`form[action="/admin/users/3"]:not([id])`)
	if attr(t, toggle.Find(`input[name="disabled"]`), "value") != "false" ||
		attr(t, toggle.Find(`input[name="role"]`), "value") != RoleRep ||
		attr(t, toggle.Find(`input[name="team_id"]`), "value") != "7" ||
		!strings.HasPrefix(strings.TrimSpace(toggle.Find("button").Text()), "Enable") {
		t.Error("enable form wrong")
	}
	max := doc.Find(`tr[data-user-id="2"] form[action="/admin/users/2"]:not([id])`)
	if attr(t, max.Find(`input[name="disabled"]`), "value") != "true" {
		t.Error("disable form wrong")
	}
	if doc.Find(`tr[data-user-id="1"] form:not([id])`).Length() != 0 {
		t.Error("admins may switch their own account off")
	}
	if got := attr(t, doc.Find(`tr[data-user-id="1"] select[name="team_id"] option[selected]`), "value"); got != "" {
		t.Errorf("no team value = %q", got)
	}

	add := doc.Find(`form[method="post"][action="/admin/users"]`)
	for _, name := range []string{"email", "name", "role", "team_id", "password", "timezone"} {
		if add.Find(`[name="`+name+`"]`).Length() != 1 {
			t.Errorf("add form lacks %s", name)
		}
	}
	if add.Find(`#email[aria-invalid="true"]`).Length() != 1 || add.Find("#email-error").Text() != "Enter an email address." {
		t.Error("email error not shown")
	}
	if add.Find("#timezone-error").Length() != 1 || attr(t, add.Find("#timezone"), "value") != "Mars/Base" {
		t.Error("timezone error or value lost")
	}
	if add.Find(`#role option[selected]`).AttrOr("value", "") != RoleManager || add.Find(`#team_id option[selected]`).Text() != "West" {
		t.Error("role or team not kept")
	}
	if add.Find(`#team_id option[value=""]`).Text() != "No team" {
		t.Error("no \"No team\" choice")
	}

	team := doc.Find(`form[method="post"][action="/admin/teams"]`)
	if team.Find(`input[name="name"]`).Length() != 1 || team.Find(`select[name="manager_id"] option[value="2"]`).Text() != "Max Manager" {
		t.Error("team form wrong")
	}
	if !strings.Contains(doc.Find(`tr[data-team-id="7"]`).Text(), "Max Manager") {
		t.Error("team list lacks the manager")
	}
}

func TestProfilePage(t *testing.T) {
	v := profileView()
	v.Errors = map[string]string{"name": "Enter your name."}
	v.PasswordErrors = map[string]string{"confirm_password": "The passwords differ.", FormErrorKey: "Try again."}
	doc, _ := render(t, ProfilePage(Page{Title: "Profile", User: rep, Active: NavProfile}, v))

	details := doc.Find(`form[method="post"][action="/profile"]`)
	if attr(t, details.Find("#name"), "value") != "Rita Rep" || details.Find("#name-error").Text() != "Enter your name." {
		t.Error("name field wrong")
	}
	if details.Find("#timezone option[selected]").AttrOr("value", "") != "Europe/Berlin" {
		t.Error("timezone not selected")
	}
	if _, ok := details.Find(`#digest_opt_out[type="checkbox"]`).Attr("checked"); !ok {
		t.Error("digest opt-out not checked")
	}

	pw := doc.Find(`form[method="post"][action="/profile/password"]`)
	for _, name := range []string{"current_password", "new_password", "confirm_password"} {
		if attr(t, pw.Find("#"+name), "type") != "password" {
			t.Errorf("%s is not a password field", name)
		}
	}
	if !strings.Contains(pw.Find("#new_password-hint").Text(), "8 to 128 characters; longer is stronger") {
		t.Error("no password hint")
	}
	if pw.Find("#confirm_password-error").Text() != "The passwords differ." {
		t.Error("confirm error not shown")
	}
	if doc.Find(`.form-error`).Text() != "Try again." {
		t.Error("form-level password error not shown")
	}
}

func TestErrorPage(t *testing.T) {
	for _, status := range []int{403, 404, 429, 500, 503} {
		doc, _ := render(t, ErrorPage(Page{Title: "Oops"}, status, "Oops", "Try later."))
		if got := doc.Find(".error-status").Text(); got != strconv.Itoa(status) {
			t.Errorf("status shown = %q", got)
		}
		if doc.Find("h1").Text() != "Oops" || !strings.Contains(doc.Find("main").Text(), "Try later.") {
			t.Error("title or message missing")
		}
		if doc.Find(`main a[href="/"]`).Length() != 1 {
			t.Error("no link home")
		}
	}
}

func TestBadges(t *testing.T) {
	doc, _ := render(t, BandBadge("not_good_money"))
	if s := doc.Find("span.badge.band-not_good_money"); s.Text() != "Not good money" {
		t.Errorf("band badge = %q", s.Text())
	}
	doc, _ = render(t, StageBadge("negotiation"))
	if s := doc.Find("span.badge.stage-negotiation"); s.Text() != "Negotiation" {
		t.Errorf("stage badge = %q", s.Text())
	}
	doc, _ = render(t, BandBadge(`x" onclick="y`))
	if doc.Find("[onclick]").Length() != 0 {
		t.Error("band value escapes into attributes")
	}
}

func TestAsset(t *testing.T) {
	re := regexp.MustCompile(`^/static/htmx\.min\.[0-9a-f]{10}\.js$`)
	got := Asset("htmx.min.js")
	if !re.MatchString(got) {
		t.Fatalf("Asset(htmx.min.js) = %q", got)
	}
	if Asset("htmx.min.js") != got {
		t.Error("Asset is not stable")
	}
	if strings.TrimSuffix(strings.TrimPrefix(Asset("app.css"), "/static/app."), ".css") == strings.TrimSuffix(strings.TrimPrefix(got, "/static/htmx.min."), ".js") {
		t.Error("different files share a version")
	}
	if got := Asset("missing.css"); got != "/static/missing.css" {
		t.Errorf("Asset(missing) = %q", got)
	}
}

func TestStaticHandler(t *testing.T) {
	srv := httptest.NewServer(StaticHandler())
	defer srv.Close()
	embedded, err := staticFS.ReadFile("static/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, hdr map[string]string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "identity")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}

	t.Run("Htmx", func(t *testing.T) {
		res := get(Asset("htmx.min.js"), nil)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || !bytes.Equal(body, embedded) {
			t.Fatalf("status %d, %d bytes", res.StatusCode, len(body))
		}
		if got := res.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("Cache-Control = %q", got)
		}
		if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, "text/javascript") {
			t.Errorf("Content-Type = %q", got)
		}
		if !bytes.HasPrefix(body, []byte("var htmx=")) || !bytes.Contains(body, []byte(`version:"2.0.`)) {
			t.Error("not htmx 2.0.x")
		}

		etag := res.Header.Get("ETag")
		plain := get("/static/htmx.min.js", map[string]string{"If-None-Match": etag})
		if plain.StatusCode != http.StatusNotModified {
			t.Errorf("conditional GET = %d", plain.StatusCode)
		}
		if got := plain.Header.Get("Cache-Control"); got != "public, no-cache" {
			t.Errorf("plain name: Cache-Control = %q, want revalidation", got)
		}
	})
	t.Run("Gzip", func(t *testing.T) {
		res := get("/static/htmx.min.js", map[string]string{"Accept-Encoding": "gzip, br"})
		if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("not gzipped: %v", res.Header)
		}
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(zr)
		if !bytes.Equal(body, embedded) {
			t.Error("gzipped body differs")
		}
	})
	t.Run("CSS", func(t *testing.T) {
		res := get(Asset("app.css"), nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
			t.Errorf("app.css: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if res := get(Asset("favicon.svg"), nil); res.Header.Get("Content-Type") != "image/svg+xml" {
			t.Errorf("favicon type = %q", res.Header.Get("Content-Type"))
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		for _, p := range []string{"/static/nope.js", "/static/", "/static/../static.go", "/static/static/app.css"} {
			res := get(p, nil)
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s = %d", p, res.StatusCode)
			}
			if strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
				t.Errorf("%s: a 404 is cached for a year", p)
			}
		}
	})
	t.Run("Post", func(t *testing.T) {
		res, err := http.Post(srv.URL+"/static/app.css", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST = %d", res.StatusCode)
		}
	})
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"": false, "gzip": true, "br, gzip;q=0.5": true, "gzip;q=0": false, "GZIP": true, "deflate": false,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", header)
		if got := acceptsGzip(r); got != want {
			t.Errorf("acceptsGzip(%q) = %v", header, got)
		}
	}
}
