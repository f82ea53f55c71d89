package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"goodmoney/internal/pgtest"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

// foreignOrg adds a second tenant with a user, a prospect and a deal whose
// names must never appear to the demo org.
func (a *app) foreignOrg() (user string, prospectID, dealID, contactID int64) {
	a.t.Helper()
	ctx := context.Background()
	// The way `goodmoney org add` makes a tenant.
	_, u, err := postgres.NewOrgService(a.DB).AddOrg(ctx, pipeline.Org{Name: "Zeta Rivals"},
		pipeline.NewUser{Email: "spy@zeta.example", Name: "Zed Spy", Timezone: "UTC", Password: "goodmoney"})
	if err != nil {
		a.t.Fatal(err)
	}
	act := u.Actor()
	p, err := postgres.NewProspectService(a.DB).CreateProspect(ctx, act, pipeline.ProspectInput{Name: "Zeta Secret Customer"},
		&pipeline.ContactInput{Name: "Zoe Hidden", Email: "zoe@zeta.example"})
	if err != nil {
		a.t.Fatal(err)
	}
	d, err := postgres.NewDealService(a.DB, postgres.NewScoreService(a.DB)).CreateDeal(ctx, act, pipeline.DealInput{ProspectID: p.ID, Title: "Zeta confidential deal", Stage: "proposal", Amount: 500000})
	if err != nil {
		a.t.Fatal(err)
	}
	return u.Email, p.ID, d.ID, p.Contacts[0].ID
}

// demoDeal returns the id, prospect id and version of a demo deal by title.
func (a *app) demoDeal(title string) (id, prospectID int64, version int) {
	a.t.Helper()
	err := a.DB.Pool.QueryRow(context.Background(), `SELECT id, prospect_id, version FROM deals WHERE title = $1`, title).Scan(&id, &prospectID, &version)
	if err != nil {
		a.t.Fatalf("demo deal %q: %v", title, err)
	}
	return id, prospectID, version
}

// TestAccessMatrix checks every pipeline route against every kind of viewer:
// the owner, another rep on the team, a rep of another team, the team's
// manager, another team's manager, the admin and a user of another org.
func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	spy, zetaProspect, zetaDeal, zetaContact := a.foreignOrg()
	const title = "Acme Logistics — 40 seats" // owned by rep@example.com, team East (manager@example.com)
	dealID, prospectID, _ := a.demoDeal(title)
	deal := "/deals/" + strconv.FormatInt(dealID, 10)

	type viewer struct {
		email   string
		canDeal bool // may read and write the deal
		sameOrg bool
	}
	viewers := []viewer{
		{"rep@example.com", true, true},
		{"rep2@example.com", false, true},
		{"rep3@example.com", false, true},
		{"manager@example.com", true, true},
		{"manager2@example.com", false, true},
		{"admin@example.com", true, true},
		{spy, false, false},
	}
	repID := a.userID("rep@example.com")
	flagID := a.openFlag(title)
	var noteID int64
	err := a.DB.Pool.QueryRow(context.Background(), `INSERT INTO coaching_notes (org_id, deal_id, author_id, rep_id, note, created_at)
		SELECT org_id, id, $2, owner_id, 'matrix note', now() FROM deals WHERE id = $1 RETURNING id`,
		dealID, a.userID("manager@example.com")).Scan(&noteID)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range viewers {
		t.Run(v.email, func(t *testing.T) {
			c := a.signedIn(v.email)
			want := func(ok int) int {
				if v.canDeal {
					return ok
				}
				return http.StatusNotFound
			}
			check := func(name string, res response, status int, mustShow bool) {
				t.Helper()
				if res.status != status {
					t.Errorf("%s: status %d, want %d", name, res.status, status)
				}
				if shows := strings.Contains(res.body, title); shows != mustShow {
					t.Errorf("%s: deal title shown = %v, want %v", name, shows, mustShow)
				}
				if v.sameOrg && strings.Contains(res.body, "Zeta") {
					t.Errorf("%s: another org's data leaked into the page", name)
				}
				if !v.sameOrg && strings.Contains(res.body, "Acme Logistics") {
					t.Errorf("%s: the demo org's data leaked to another org", name)
				}
			}

			check("GET deal", c.get(deal), want(http.StatusOK), v.canDeal)
			check("GET deals", c.get("/deals"), http.StatusOK, v.canDeal)
			check("GET deals by owner", c.get("/deals?owner="+strconv.FormatInt(repID, 10)), http.StatusOK, v.canDeal)
			check("GET deals q", c.get("/deals?q=Acme"), http.StatusOK, v.canDeal)
			check("GET board", c.get("/deals/board"), http.StatusOK, v.canDeal)
			// A reviewer's home lists the team's flagged deals (Acme is one).
			check("GET home", c.get("/"), http.StatusOK, v.email == "rep@example.com" || (v.canDeal && v.email != "rep@example.com"))
			// The outcomes report lists closed deals: the rep's lost demo deal
			// shows to those who may read it (a manager for their team, an
			// admin for the org, a rep their own), with the same links.
			check("GET outcomes", c.get("/reports/outcomes?class=lost"), http.StatusOK, false)
			lost := c.get("/reports/outcomes?class=lost")
			if shows := strings.Contains(lost.body, "Vista Hotels — front desk"); shows != v.canDeal {
				t.Errorf("GET outcomes deals: closed deal shown = %v, want %v", shows, v.canDeal)
			}
			if csv := c.get("/reports/outcomes.csv"); csv.status != http.StatusOK || strings.Contains(csv.body, "Vista Hotels") != v.canDeal {
				t.Errorf("GET outcomes CSV: status %d, closed deal listed = %v, want %v", csv.status, strings.Contains(csv.body, "Vista Hotels"), v.canDeal)
			}

			prospect := "/prospects/" + strconv.FormatInt(prospectID, 10)
			if v.sameOrg {
				res := c.get(prospect)
				check("GET prospect", res, http.StatusOK, v.canDeal)
				if !strings.Contains(res.body, "Acme Logistics") {
					t.Error("GET prospect: everyone in the org may read the prospect")
				}
				if res := c.get("/prospects?q=acme"); !strings.Contains(res.body, "Acme Logistics") {
					t.Error("prospect search does not find the org's prospect")
				}
			} else {
				check("GET prospect", c.get(prospect), http.StatusNotFound, false)
				check("GET prospects q", c.get("/prospects?q=acme"), http.StatusOK, false)
				check("POST contact", c.post(prospect+"/contacts", url.Values{"name": {"Mallory"}}), http.StatusNotFound, false)
			}

			// Review, close, walk away, reopen, coaching, audit, template
			// (issue 10). The writes send bad input, so they change nothing:
			// whoever may act gets 422, anyone else 404 whatever was sent.
			reviewer := v.canDeal && v.email != "rep@example.com"
			admin := v.email == "admin@example.com" || v.email == spy
			ifElse := func(ok bool, yes, no int) int {
				if ok {
					return yes
				}
				return no
			}
			check("GET review", c.get("/review"), ifElse(v.email == "manager@example.com" || v.email == "manager2@example.com" || admin,
				http.StatusOK, http.StatusNotFound), reviewer)
			decision := url.Values{"decision": {"keep"}, "flag_id": {strconv.FormatInt(flagID, 10)}}
			check("POST review flag", c.post("/review/"+strconv.FormatInt(flagID, 10), decision),
				ifElse(reviewer, http.StatusUnprocessableEntity, http.StatusNotFound), reviewer)
			check("POST review bulk", c.post("/review", decision), ifElse(reviewer, http.StatusUnprocessableEntity, http.StatusNotFound), reviewer)
			check("POST close", c.post(deal+"/close", url.Values{"outcome": {"lost"}}), want(http.StatusUnprocessableEntity), v.canDeal)
			check("POST disqualify", c.post(deal+"/disqualify", url.Values{"reasons": {"price"}}), want(http.StatusUnprocessableEntity), v.canDeal)
			check("POST reopen", c.post(deal+"/reopen", nil), want(http.StatusUnprocessableEntity), v.canDeal)
			check("POST coaching ack", c.post("/coaching/"+strconv.FormatInt(noteID, 10)+"/ack", nil),
				ifElse(v.email == "rep@example.com", http.StatusSeeOther, http.StatusNotFound), false)
			// The org's admin reads audit events and previews the template on
			// the deal touched last (this one, touched by the viewers before).
			check("GET audit", c.get("/audit"), ifElse(admin, http.StatusOK, http.StatusNotFound), v.email == "admin@example.com")
			check("GET walkaway", c.get("/settings/walkaway"), ifElse(admin, http.StatusOK, http.StatusNotFound), v.email == "admin@example.com")
			check("POST walkaway", c.post("/settings/walkaway", url.Values{"template": {"{nope}"}}),
				ifElse(admin, http.StatusUnprocessableEntity, http.StatusNotFound), false)
			if st, _, _ := a.flag(flagID); st != "open" {
				t.Fatalf("a refused decision changed the flag: %s", st)
			}

			touch := url.Values{"kind": {"call"}, "direction": {"outbound"}, "notes": {"matrix " + v.email}}
			check("POST touch", c.post(deal+"/touches", touch), want(http.StatusSeeOther), false)
			check("POST stage", c.post(deal+"/stage", url.Values{"stage": {"negotiation"}}), want(http.StatusSeeOther), false)
			_, _, version := a.demoDeal(title)
			edit := url.Values{"title": {title}, "amount": {"18000"}, "list_price": {"21000"}, "cost": {"15840"},
				"stage": {"negotiation"}, "version": {strconv.Itoa(version)}, "next_step": {"edited by " + v.email}}
			check("POST deal", c.post(deal, edit), want(http.StatusSeeOther), false)

			// The deal's oldest touch: opened for editing, then corrected.
			var firstTouch int64
			pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT t.id FROM touches t JOIN deals d ON d.id = t.deal_id
				WHERE d.title = $1 ORDER BY t.occurred_at LIMIT 1`, title), &firstTouch)
			touchPath := deal + "/touches/" + strconv.FormatInt(firstTouch, 10)
			check("GET touch edit", c.get(touchPath+"/edit"), want(http.StatusOK), v.canDeal)
			fix := url.Values{"kind": {"call"}, "direction": {"outbound"}, "occurred_at": {time.Now().AddDate(0, 0, -100).Format("2006-01-02T15:04")}, "notes": {"fixed by " + v.email}}
			check("POST touch edit", c.post(touchPath, fix), want(http.StatusSeeOther), false)
			var fixes int
			pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM touches WHERE notes = $1`, "fixed by "+v.email), &fixes)
			if wantN := map[bool]int{true: 1, false: 0}[v.canDeal]; fixes != wantN {
				t.Errorf("touch corrections that landed: %d, want %d", fixes, wantN)
			}

			var touches, edits int
			pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM touches WHERE notes = $1`, "matrix "+v.email), &touches)
			pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM deals WHERE next_step = $1`, "edited by "+v.email), &edits)
			if wantN := map[bool]int{true: 1, false: 0}[v.canDeal]; touches != wantN || edits != wantN {
				t.Errorf("writes that landed: touches %d, edits %d; want %d each", touches, edits, wantN)
			}
		})
	}

	t.Run("ForeignIDsInForms", func(t *testing.T) {
		c := a.signedIn("rep@example.com")
		res := c.post("/deals", url.Values{"prospect_id": {strconv.FormatInt(zetaProspect, 10)}, "title": {"Stolen"}, "amount": {"1000"}, "stage": {"lead"}})
		if res.status != http.StatusUnprocessableEntity {
			t.Errorf("deal on another org's prospect: status %d, want 422", res.status)
		}
		res = c.post(deal+"/touches", url.Values{"kind": {"call"}, "direction": {"outbound"}, "contact_id": {strconv.FormatInt(zetaContact, 10)}})
		if res.status != http.StatusUnprocessableEntity || strings.Contains(res.body, "Zoe") {
			t.Errorf("touch with another org's contact: status %d, want 422 without the contact", res.status)
		}
		if res := c.get("/deals/" + strconv.FormatInt(zetaDeal, 10)); res.status != http.StatusNotFound {
			t.Errorf("another org's deal: status %d, want 404", res.status)
		}
		var n int
		pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM deals WHERE title = 'Stolen'`), &n)
		if n != 0 {
			t.Error("a deal was created on another org's prospect")
		}
	})
}

func TestAudit_DealEdit(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	id, _, version := a.demoDeal("Harbor Foods — annual renewal")
	res := c.post("/deals/"+strconv.FormatInt(id, 10), url.Values{"title": {"Harbor Foods — annual renewal"}, "amount": {"$43,500"},
		"cost": {"23,000"}, "list_price": {"45000"}, "stage": {"negotiation"}, "version": {strconv.Itoa(version)}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", res.status, res.body)
	}
	var before, after string
	err := a.DB.Pool.QueryRow(context.Background(), `SELECT before->>'amount', after->>'amount' FROM audit_events
		WHERE entity = 'deal' AND entity_id = $1 AND action = 'update' ORDER BY id DESC LIMIT 1`, id).Scan(&before, &after)
	if err != nil || before != "4200000" || after != "4350000" {
		t.Errorf("audit before/after amount = %q/%q (%v), want 4200000/4350000", before, after, err)
	}
	var moves int
	pgtest.Scan(t, a.DB.Pool.QueryRow(context.Background(), `SELECT count(*) FROM deal_stage_changes WHERE deal_id = $1 AND to_stage = 'negotiation'`, id), &moves)
	if moves != 1 {
		t.Errorf("stage change recorded %d times, want 1", moves)
	}
}
