package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The next step is set from the top of the deal page; a stale page is
// refused with the stored step, a bad date comes back beside its field; the
// home page and the deals list name the open deals that need one.
func TestNextStep_InPlace(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	id, _, version := a.demoDeal("Acme Logistics — 40 seats")
	deal := "/deals/" + strconv.FormatInt(id, 10)
	if _, err := a.DB.Pool.Exec(context.Background(), `UPDATE deals SET next_step = '', next_step_due = NULL WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	page := c.get(deal).body
	if !strings.Contains(page, `data-next-step="missing"`) || !strings.Contains(page, `<details class="next-step-edit" open>`) {
		t.Error("a deal with no next step does not say so with the form open")
	}
	if !strings.Contains(c.get("/").body, `data-deal-id="`+strconv.FormatInt(id, 10)+`" data-next-step="missing"`) {
		t.Error("home does not list the deal as needing a next step")
	}
	if !strings.Contains(c.get("/deals?next=needed").body, `<tr data-deal-id="`+strconv.FormatInt(id, 10)+`">`) {
		t.Error("the deals list's filter does not list the deal")
	}

	res := c.post(deal+"/next-step", url.Values{"next_step": {"Send the contract"}, "next_step_due": {"31/12/2026"}, "version": {strconv.Itoa(version)}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="ns-due-error"`) || !strings.Contains(res.body, `value="Send the contract"`) {
		t.Errorf("bad date: %d, want 422 with the message beside the due date and the step kept", res.status)
	}
	res = c.post(deal+"/next-step", url.Values{"next_step": {"Send the contract"}, "next_step_due": {"2026-12-31"}, "version": {strconv.Itoa(version)}})
	if res.status != http.StatusSeeOther || res.location != deal {
		t.Fatalf("save: %d to %q", res.status, res.location)
	}
	var step string
	var due time.Time
	if err := a.DB.Pool.QueryRow(context.Background(), `SELECT next_step, next_step_due FROM deals WHERE id = $1`, id).Scan(&step, &due); err != nil {
		t.Fatal(err)
	}
	if step != "Send the contract" || due.Format(time.DateOnly) != "2026-12-31" {
		t.Errorf("stored %q due %s", step, due.Format(time.DateOnly))
	}
	res = c.post(deal+"/next-step", url.Values{"next_step": {"Call again"}, "version": {strconv.Itoa(version)}})
	if res.status != http.StatusConflict || !strings.Contains(res.body, "its next step is now “Send the contract”") {
		t.Errorf("stale save: %d, want 409 naming the stored step", res.status)
	}
}

// An expected close in the past or more than two years ahead is asked about
// once: the form comes back with the question, and saving it again with the
// box ticked keeps the date.
func TestDeal_ExpectedCloseConfirm(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	_, prospectID, _ := a.demoDeal("Acme Logistics — 40 seats")
	form := url.Values{"prospect_id": {strconv.FormatInt(prospectID, 10)}, "title": {"Far away"}, "amount": {"12,000"}, "stage": {"lead"}}
	for _, tc := range []struct{ date, msg string }{
		{"2099-01-01", "more than two years away"},
		{"2001-01-01", "That date has passed"},
	} {
		form.Set("expected_close", tc.date)
		form.Del("confirm_expected_close")
		res := c.post("/deals", form)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, tc.msg) ||
			!strings.Contains(res.body, `name="confirm_expected_close" value="`+tc.date+`"`) {
			t.Errorf("%s: %d, want 422 asking %q with a box to confirm", tc.date, res.status, tc.msg)
		}
		form.Set("confirm_expected_close", tc.date)
		if res := c.post("/deals", form); res.status != http.StatusSeeOther {
			t.Errorf("%s confirmed: %d, want 303", tc.date, res.status)
		}
	}
	form.Set("expected_close", time.Now().AddDate(0, 2, 0).Format(time.DateOnly))
	form.Del("confirm_expected_close")
	if res := c.post("/deals", form); res.status != http.StatusSeeOther {
		t.Errorf("a close in two months: %d, want 303 without a question", res.status)
	}
}
