package server_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// overflowScript lists the elements whose content is wider than their box
// (scrollWidth above clientWidth): a table cut off inside its scroller, a
// select wider than its card, a long word that pushes a column out. Inputs
// and textareas scroll their own text by design and are judged by their box
// instead: a control may not stick out of its parent. A select must show its
// chosen label whole. The parts of an SVG chart have no box of their own to
// scroll: each must stay inside its drawing. Visually hidden text (1-pixel clipped boxes for screen
// readers) is skipped.
const overflowScript = `(() => {
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '') +
    (e.dataset.testid ? '[data-testid=' + e.dataset.testid + ']' : '');
  const path = e => { const p = []; for (let x = e; x && x !== document.body && p.length < 4; x = x.parentElement) p.unshift(name(x)); return p.join(' > '); };
  const out = [];
  if (document.documentElement.scrollWidth > document.documentElement.clientWidth) {
    out.push('page ' + document.documentElement.scrollWidth + ' > ' + document.documentElement.clientWidth);
  }
  for (const e of document.body.querySelectorAll('*')) {
    if (e.closest('.visually-hidden') || e.getClientRects().length === 0) continue;
    const tag = e.tagName;
    if (e instanceof SVGElement && e.ownerSVGElement) {
      const box = e.getBoundingClientRect(), svg = e.ownerSVGElement.getBoundingClientRect();
      if (box.width > 0 && (box.right > svg.right + 1 || box.left < svg.left - 1)) {
        out.push(path(e) + ' "' + e.textContent.slice(0, 40) + '" sticks out of its drawing (' + Math.round(box.left - svg.left) + ' to ' + Math.round(box.right - svg.left) + ' px in ' + Math.round(svg.width) + ')');
      }
      continue;
    }
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') {
      const box = e.getBoundingClientRect(), parent = e.parentElement.getBoundingClientRect();
      if (box.right > parent.right + 1 || box.left < parent.left - 1) {
        out.push(path(e) + ' sticks out of its parent (' + Math.round(box.width) + ' px in ' + Math.round(parent.width) + ')');
      }
      if (tag === 'SELECT' && e.selectedIndex >= 0) {
        const probe = document.createElement('span');
        probe.style.cssText = 'position:absolute;visibility:hidden;white-space:pre;font:' + getComputedStyle(e).font;
        probe.textContent = e.options[e.selectedIndex].text;
        document.body.appendChild(probe);
        const need = probe.getBoundingClientRect().width, cs = getComputedStyle(e);
        const room = e.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        probe.remove();
        if (need > room + 1) out.push(path(e) + ' cuts its label "' + e.options[e.selectedIndex].text + '" (' + Math.round(need) + ' px in ' + Math.round(room) + ')');
      }
      continue;
    }
    if (e.scrollWidth > e.clientWidth + 1) {
      out.push(path(e) + ' ' + e.scrollWidth + ' > ' + e.clientWidth);
    }
  }
  return out;
})()`

// TestBrowser_NothingOverflowsOnAPhone visits every main page at 390 px as
// each role and fails when any element overflows its box sideways, so that
// a table cut off inside its card (which a page-level check misses) cannot
// come back. A note of 10,000 characters without a space is on the deal
// page, so long user text is covered too.
func TestBrowser_NothingOverflowsOnAPhone(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	rep := a.signedIn("rep@example.com")
	dealID, prospectID, _ := a.demoDeal("Acme Logistics — 40 seats")
	deal := "/deals/" + strconv.FormatInt(dealID, 10)
	prospect := "/prospects/" + strconv.FormatInt(prospectID, 10)
	if res := rep.post(deal+"/touches", url.Values{"kind": {"note"}, "direction": {"outbound"}, "notes": {strings.Repeat("x", 10000)}}); res.status >= 400 {
		t.Fatalf("log a long note: %d", res.status)
	}
	var touchID int64
	if err := a.DB.Pool.QueryRow(context.Background(), `SELECT max(id) FROM touches WHERE deal_id = $1`, dealID).Scan(&touchID); err != nil {
		t.Fatal(err)
	}
	common := []string{"/", "/deals", "/deals?stage=won", "/deals/board", "/deals/new", "/deals/new?q=acme",
		"/deals/new?prospect_id=" + strconv.FormatInt(prospectID, 10), deal, deal + "/touches/" + strconv.FormatInt(touchID, 10) + "/edit",
		"/prospects", "/prospects?q=a", "/prospects/new", prospect, "/profile", "/deals?next=needed"}
	// The outcomes report and what it links to: a list of deals behind a
	// figure (by close reason), the other cut,
	// a bad filter answered in the form, and an empty period.
	report := []string{"/reports/outcomes", "/reports/outcomes?set=flagged#deals",
		"/reports/outcomes?reason=" + url.QueryEscape("margin too low") + "#deals",
		"/reports/outcomes?days_before=first", "/reports/outcomes?days_before=abc", "/reports/outcomes?from=2020-01-01&to=2020-12-31"}
	for _, tc := range []struct {
		email string
		pages []string
	}{
		{"rep@example.com", append(common, report...)},
		{"manager@example.com", append(append(common, "/settings/scoring", "/review"), report...)},
		{"admin@example.com", append(append(common, "/settings/scoring", "/admin/users", "/digests", "/review", "/audit", "/settings/walkaway"), report...)},
	} {
		t.Run(tc.email, func(t *testing.T) {
			ctx := newTab(t)
			signInBrowser(t, ctx, a.URL, tc.email)
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
				t.Fatal(err)
			}
			for _, page := range tc.pages {
				if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+page), chromedp.WaitReady(chromedp.CSS("footer, main"))); err != nil {
					t.Fatalf("open %s: %v", page, err)
				}
				over, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](overflowScript))
				if err != nil {
					t.Fatalf("measure %s: %v", page, err)
				}
				for _, o := range over {
					t.Errorf("%s at 390 px: %s", page, o)
				}
			}
		})
	}
}
