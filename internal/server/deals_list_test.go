package server_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// dealRows lists the deal ids of a list page's rows, in order, with their band.
func dealRows(body string) (ids, bands []string) {
	for _, m := range regexp.MustCompile(`(?s)<tr data-deal-id="(\d+)">.*?data-label="Band">(.*?)</td>`).FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
		band := regexp.MustCompile(`band-([a-z_]+)`).FindStringSubmatch(m[2])
		if band == nil {
			bands = append(bands, "")
		} else {
			bands = append(bands, band[1])
		}
	}
	return ids, bands
}

// The deals list opens on the open deals, riskiest first; closed deals are
// behind the stage filter; a column head sorts by it, and again reverses.
func TestDealsList_DefaultAndSort(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.signedIn("rep@example.com")
	res := c.get("/deals")
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	ids, bands := dealRows(res.body)
	if len(ids) == 0 {
		t.Fatal("no rows")
	}
	rank := map[string]int{"not_good_money": 2, "watch": 1, "ok": 0}
	for i := 1; i < len(bands); i++ {
		if rank[bands[i]] > rank[bands[i-1]] {
			t.Errorf("row %d is %s after %s: not riskiest first (%v)", i, bands[i], bands[i-1], bands)
		}
	}
	if bands[0] != "not_good_money" {
		t.Errorf("first row is %q, want a flagged deal", bands[0])
	}
	for _, closed := range []string{"stage-won", "stage-lost", "stage-disqualified"} {
		if strings.Contains(res.body, `class="badge `+closed) {
			t.Errorf("the default list shows a %s deal", closed)
		}
	}
	if !strings.Contains(res.body, `aria-sort="descending"`) || !strings.Contains(res.body, `href="/deals?dir=asc&amp;sort=risk"`) {
		t.Error("the band column is not marked as the order, or does not offer to reverse it")
	}

	closed := c.get("/deals?stage=closed").body
	closedIDs, _ := dealRows(closed)
	if len(closedIDs) == 0 || !strings.Contains(closed, "stage-won") {
		t.Error("the closed filter does not list the won deals")
	}

	amount := c.get("/deals?sort=amount").body
	if !strings.Contains(amount, `href="/deals?dir=asc&amp;sort=amount"`) {
		t.Error("sorted by amount, its head does not offer the reverse")
	}
	amounts := regexp.MustCompile(`data-label="Amount">\$([\d,]+)`).FindAllStringSubmatch(amount, -1)
	for i := 1; i < len(amounts); i++ {
		if len(strings.ReplaceAll(amounts[i][1], ",", "")) > len(strings.ReplaceAll(amounts[i-1][1], ",", "")) ||
			(len(amounts[i][1]) == len(amounts[i-1][1]) && amounts[i][1] > amounts[i-1][1]) {
			t.Errorf("amount %s after %s: not largest first", amounts[i][1], amounts[i-1][1])
		}
	}
	if bad := c.get("/deals?sort=drop+table&dir=sideways&after=%%%"); bad.status != http.StatusOK {
		t.Errorf("a made-up order: status %d, want the default list", bad.status)
	}
}
