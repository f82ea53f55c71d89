package server_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser_RepJourney is a rep's day in the real browser: add a prospect
// with a contact, open a deal, log three touches from the deal page, see
// them on the timeline, move the deal on the board, and read the deal page
// on a phone.
func TestBrowser_RepJourney(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ctx := newTab(t)
	signInBrowser(t, ctx, a.URL, "rep@example.com")

	err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/prospects/new"),
		chromedp.SendKeys(chromedp.ID("name"), "Juniper Outfitters"),
		chromedp.SendKeys(chromedp.ID("website"), "juniper.example"),
		chromedp.SendKeys(chromedp.ID("contact_name"), "Ada Juniper"),
		chromedp.SendKeys(chromedp.ID("contact_email"), "ada@juniper.example"),
		chromedp.Submit(chromedp.ID("name")),
		chromedp.WaitVisible(chromedp.CSS(`[data-prospect-id]`)),
		chromedp.Click(chromedp.CSS(`a[href^="/deals/new?prospect_id="]`)),
		chromedp.WaitVisible(chromedp.ID("title")),
		chromedp.SendKeys(chromedp.ID("title"), "Juniper — 30 handhelds"),
		chromedp.SendKeys(chromedp.ID("amount"), "$24,000"),
		chromedp.SendKeys(chromedp.ID("list_price"), "26,000"),
		chromedp.SendKeys(chromedp.ID("cost"), "14,500"),
		chromedp.Submit(chromedp.ID("title")),
		chromedp.WaitVisible(chromedp.ID("touch-form")),
	)
	if err != nil {
		t.Fatalf("create prospect and deal: %v", err)
	}
	dealURL := mustRun(t, ctx, chromedp.Location())
	margin := mustRun(t, ctx, chromedp.Text(chromedp.CSS(`[data-testid="margin"]`)))
	if margin != "40%" {
		t.Errorf("margin shows %q, want 40%%", margin)
	}

	touches := []struct{ kind, dir, notes string }{
		{"call", "outbound", "Intro call, they want a pilot"},
		{"email", "inbound", "Thanks for the call, send the pilot terms please"},
		{"quote", "outbound", "Pilot quote"},
	}
	for i, tc := range touches {
		steps := []chromedp.Action[chromedp.Void]{
			chromedp.Click(chromedp.CSS(`label[for="kind-` + tc.kind + `"]`)),
			chromedp.Click(chromedp.CSS(`label[for="direction-` + tc.dir + `"]`)),
			chromedp.SendKeys(chromedp.ID("notes"), tc.notes),
		}
		if tc.kind == "quote" {
			steps = append(steps, chromedp.SendKeys(chromedp.ID("quote_amount"), "24000"))
		}
		steps = append(steps, chromedp.Click(chromedp.CSS(`#touch-form button[type="submit"]`)))
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("log touch %d: %v", i+1, err)
		}
		want := i + 1
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('#timeline [data-touch-id]').length === `+strconv.Itoa(want), chromedp.WithPollingTimeout(10*time.Second)))
		if err != nil {
			t.Fatalf("timeline never showed %d touches: %v", want, err)
		}
	}
	loc := mustRun(t, ctx, chromedp.Location())
	if loc != dealURL {
		t.Errorf("logging a touch left the deal page: %s", loc)
	}
	kinds, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#timeline [data-touch-id]')].map(e => e.dataset.kind + '/' + e.dataset.direction)`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(kinds, ",") != "quote/outbound,email/inbound,call/outbound" {
		t.Errorf("timeline order %v, want newest first: quote, inbound email, call", kinds)
	}

	// Move the deal on from lead on the board with one click.
	err = chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/deals/board"),
		chromedp.Click(chromedp.CSS(`[data-stage-column="lead"] li:has(a[href="`+strings.TrimPrefix(dealURL, a.URL)+`"]) [data-testid="move-next"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-stage-column="qualified"] a[href="`+strings.TrimPrefix(dealURL, a.URL)+`"]`)),
	)
	if err != nil {
		t.Fatalf("move on the board: %v", err)
	}

	// The deal page on a 390-pixel phone: no sideways scrolling.
	err = chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(dealURL), chromedp.WaitVisible(chromedp.ID("touch-form")))
	if err != nil {
		t.Fatal(err)
	}
	stage := mustRun(t, ctx, chromedp.AttributeValue(chromedp.CSS("article.deal"), "data-stage"))
	if stage.Value != "qualified" {
		t.Errorf("data-stage = %q, want qualified", stage.Value)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil {
		t.Fatalf("measure the page width: %v", err)
	}
	if overflow {
		width := mustRun(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		t.Errorf("the deal page scrolls sideways at 390 px (scrollWidth %d)", width)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil || img.Bounds().Dx() != 390 {
		t.Errorf("screenshot is not a 390-pixel-wide PNG (%v)", err)
	}
	if dir := os.Getenv("SCREENSHOT_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "deal-390.png"), shot, 0o644); err != nil {
			t.Errorf("keep the screenshot: %v", err)
		}
	}
}
