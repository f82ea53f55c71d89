package server_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser_LogAndStayOnAPhone logs a touch on a 390-pixel phone with
// JavaScript on: the log form is in the first screen, right after the deal's
// name; after Log touch the page has not moved, the new entry is highlighted
// in sight, and the result line says "Touch logged" with the new score.
func TestBrowser_LogAndStayOnAPhone(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	dealID, _, _ := a.demoDeal("Acme Logistics — 40 seats")
	ctx := newTab(t)
	signInBrowser(t, ctx, a.URL, "rep@example.com")
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(a.URL+"/deals/"+strconv.FormatInt(dealID, 10)),
		chromedp.WaitVisible(chromedp.ID("touch-form")),
	)
	if err != nil {
		t.Fatal(err)
	}
	layout, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`(() => {
		const top = s => document.querySelector(s).getBoundingClientRect().top + scrollY;
		return {h1: top('h1'), form: top('#touch-form-card'), facts: top('#deal-facts'), timeline: top('#timeline'), vh: innerHeight};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if layout["form"] >= layout["vh"] || layout["form"] > layout["facts"] || layout["form"] < layout["h1"] {
		t.Errorf("on a phone the log form starts at %v px (window %v, score and numbers at %v): want it first after the name, in the first screen",
			layout["form"], layout["vh"], layout["facts"])
	}
	contact, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(s => s.options[s.selectedIndex].text)(document.getElementById('contact_id'))`))
	if err != nil || contact == "—" {
		t.Errorf("the contact defaults to %q (%v); want the last contact touched", contact, err)
	}

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`label[for="kind-email"]`)),
		chromedp.Click(chromedp.CSS(`label[for="direction-inbound"]`)),
		chromedp.SendKeys(chromedp.ID("notes"), "Budget approved, send the contract"),
		chromedp.ScrollIntoView(chromedp.CSS(`#touch-form button[type="submit"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	before, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`scrollY`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#touch-form button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('#log-status [data-result="logged"]') && !!document.querySelector('#timeline [data-just-changed]')`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("no result line or highlighted entry after logging: %v", err)
	}
	after, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`(() => {
		const seen = e => { const b = e.getBoundingClientRect(); return b.top >= 0 && b.top < innerHeight; };
		const entry = document.querySelector('#timeline [data-just-changed]'), status = document.querySelector('#log-status');
		return {scrollY: scrollY, entrySeen: seen(entry), entryKind: entry.dataset.kind + '/' + entry.dataset.direction,
			statusSeen: seen(status), status: status.textContent.replace(/\s+/g, ' ').trim(),
			role: status.getAttribute('role'), score: document.querySelector('#score').dataset.score};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if y := after["scrollY"].(float64); y < before-1 || y > before+1 {
		t.Errorf("the page moved from %v to %v px when the touch was logged", before, y)
	}
	if after["entryKind"] != "email/inbound" || after["entrySeen"] != true {
		t.Errorf("the new entry %v is not highlighted in sight (seen %v)", after["entryKind"], after["entrySeen"])
	}
	status, _ := after["status"].(string)
	if after["role"] != "status" || after["statusSeen"] != true || !strings.HasPrefix(status, "Touch logged.") {
		t.Errorf("result line %q (role %v, in sight %v), want a status that starts “Touch logged.”", status, after["role"], after["statusSeen"])
	}
	m := regexp.MustCompile(`Score (?:\d+ → (\d+)|unchanged at (\d+))`).FindStringSubmatch(status)
	if m == nil || m[1]+m[2] != after["score"] {
		t.Errorf("result line %q does not give the new score %v", status, after["score"])
	}
}
