package server_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser_ReviewJourney is the walk-away in the real browser: the
// manager opens /review, finds the seeded flagged deal of rep@example.com
// with its reasons and disqualifies it with a note; the rep sees it
// disqualified with the note, logs the prospect's reply, sees that they
// came back and reopens the deal.
func TestBrowser_ReviewJourney(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	flag := strconv.FormatInt(a.openFlag(acme), 10)
	deal := strconv.FormatInt(a.dealID(acme), 10)
	const note = "Three quotes and weeks of silence: we step back."

	mgr := newTab(t)
	signInBrowser(t, mgr, a.URL, "manager@example.com")
	row := `#review-table tr[data-flag-id="` + flag + `"][data-deal-id="` + deal + `"]`
	err := chromedp.Do(mgr,
		chromedp.Navigate(a.URL+"/review"),
		chromedp.WaitVisible(chromedp.CSS(row)),
	)
	if err != nil {
		t.Fatalf("open the queue: %v", err)
	}
	reasons, err := chromedp.Run(mgr, chromedp.Text(chromedp.CSS(row+` [data-testid="reasons"]`)))
	if err != nil || !strings.Contains(reasons, "Quoted again and again") {
		t.Fatalf("the row's reasons read %q (%v)", reasons, err)
	}
	err = chromedp.Do(mgr,
		chromedp.Click(chromedp.CSS(row+` input[name="flag_id"]`)),
		chromedp.SetValue(chromedp.ID("decision"), "disqualify"),
		chromedp.SendKeys(chromedp.ID("note"), note),
		chromedp.Click(chromedp.CSS(`#review-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
	)
	if err != nil {
		t.Fatalf("disqualify from the queue: %v", err)
	}
	if n, err := chromedp.Run(mgr, chromedp.Evaluate[int](`document.querySelectorAll('tr[data-flag-id="`+flag+`"]').length`)); err != nil || n != 0 {
		t.Errorf("the decided flag is still in the queue (%d, %v)", n, err)
	}

	rep := newTab(t)
	signInBrowser(t, rep, a.URL, "rep@example.com")
	err = chromedp.Do(rep,
		chromedp.Navigate(a.URL+"/deals/"+deal),
		chromedp.WaitVisible(chromedp.CSS(`article.deal[data-stage="disqualified"]`)),
	)
	if err != nil {
		t.Fatalf("the rep's deal page: %v", err)
	}
	notes, err := chromedp.Run(rep, chromedp.Text(chromedp.CSS(`#decide`)))
	if err != nil || !strings.Contains(notes, note) || !strings.Contains(notes, "Morgan Manager") {
		t.Errorf("the rep does not see the manager's note (%v)", err)
	}
	err = chromedp.Do(rep,
		chromedp.Click(chromedp.CSS(`label[for="kind-email"]`)),
		chromedp.Click(chromedp.CSS(`label[for="direction-inbound"]`)),
		chromedp.SendKeys(chromedp.ID("notes"), "We reconsidered. Can we talk at your standard price?"),
		chromedp.Click(chromedp.CSS(`#touch-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="came-back"]`)),
	)
	if err != nil {
		t.Fatalf("log the reply and see came back: %v", err)
	}
	err = chromedp.Do(rep,
		chromedp.Click(chromedp.CSS(`#reopen-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`article.deal[data-stage="negotiation"]`)),
	)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	then, err := chromedp.Run(rep, chromedp.Text(chromedp.CSS(`[data-testid="score-then-now"]`)))
	if err != nil || !strings.Contains(then, "it was 52") {
		t.Errorf("the reopened deal shows %q (%v), want its new score beside the old 52", then, err)
	}
	_, err = chromedp.Run(rep, chromedp.Poll[bool](`document.querySelector('[data-stage-change="negotiation"]') !== null`,
		chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil {
		t.Errorf("the timeline does not show the reopening: %v", err)
	}
}
