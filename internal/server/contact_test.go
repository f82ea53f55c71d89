package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// The add-contact form posts name, email, phone and title, as the contract
// in DESIGN.md names them.
func TestContact_AddWithContractFields(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	_, prospectID, _ := a.demoDeal("Harbor Foods — annual renewal")
	path := "/prospects/" + strconv.FormatInt(prospectID, 10)

	page := c.get(path)
	for _, name := range []string{"name", "email", "phone", "title"} {
		if !strings.Contains(page.body, `name="`+name+`"`) {
			t.Errorf("the add-contact form has no field named %q", name)
		}
	}

	t.Run("BadEmailKeepsValues", func(t *testing.T) {
		res := c.post(path+"/contacts", url.Values{"name": {"Noor Haddad"}, "email": {"not-an-email"}, "phone": {"555-0101"}, "title": {"Buyer"}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", res.status)
		}
		if !strings.Contains(res.body, `id="email-error"`) || !strings.Contains(res.body, "Enter an email address") {
			t.Error("no message next to the email field")
		}
		for _, kept := range []string{`value="Noor Haddad"`, `value="not-an-email"`, `value="555-0101"`, `value="Buyer"`} {
			if !strings.Contains(res.body, kept) {
				t.Errorf("value not kept: %s", kept)
			}
		}
	})

	t.Run("Added", func(t *testing.T) {
		res := c.post(path+"/contacts", url.Values{"name": {"Noor Haddad"}, "email": {"noor@harbor.example"}, "phone": {"555-0101"}, "title": {"Buyer"}})
		if res.status != http.StatusSeeOther || res.location != path {
			t.Fatalf("status %d to %q, want 303 to %s", res.status, res.location, path)
		}
		var email, phone, title string
		err := a.DB.Pool.QueryRow(context.Background(),
			`SELECT email, phone, title FROM contacts WHERE prospect_id = $1 AND name = 'Noor Haddad'`, prospectID).Scan(&email, &phone, &title)
		if err != nil {
			t.Fatalf("stored contact: %v", err)
		}
		if email != "noor@harbor.example" || phone != "555-0101" || title != "Buyer" {
			t.Errorf("stored %q %q %q", email, phone, title)
		}
	})
}
