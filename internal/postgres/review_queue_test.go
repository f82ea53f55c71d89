package postgres_test

import (
	"fmt"
	"slices"
	"testing"

	"goodmoney/internal/money"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

// TestReviewQueue_Pages walks the review queue page by page: every open
// flag once, largest amount first (ties by flag id), the count and money at
// risk over all of them on every page, and a cursor past the end gives the
// largest flags again.
func TestReviewQueue_Pages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const n = 2*pipeline.ReviewPageSize + 3
	var total money.Cents
	for i := range n {
		amount := money.Cents(1000_00 * (1 + i%7)) // ties across the page edges
		cost := amount + 500_00                    // selling at a loss: flagged
		f.deal(pipeline.DealInput{Title: fmt.Sprintf("Loss %02d", i), Amount: amount, Cost: &cost})
		total += amount
	}
	review := postgres.NewReviewService(f.db, f.deals)
	type key struct {
		amount money.Cents
		flag   int64
	}
	var seen []key
	filter := pipeline.ReviewFilter{}
	for page := 0; ; page++ {
		q, err := review.Queue(f.ctx, f.admin, filter)
		if err != nil {
			t.Fatal(err)
		}
		if q.Count != n || q.AtRisk != total {
			t.Fatalf("page %d: count %d, at risk %d; want %d, %d", page, q.Count, q.AtRisk, n, total)
		}
		if q.First != len(seen)+1 {
			t.Errorf("page %d starts at %d, want %d", page, q.First, len(seen)+1)
		}
		if len(q.Rows) > pipeline.ReviewPageSize {
			t.Fatalf("page %d has %d rows", page, len(q.Rows))
		}
		for _, r := range q.Rows {
			seen = append(seen, key{r.Deal.Amount, r.Flag.ID})
		}
		if q.Next == "" {
			break
		}
		if page > n {
			t.Fatal("the pages do not end")
		}
		filter.After = q.Next
	}
	if len(seen) != n {
		t.Fatalf("%d flags over the pages, want %d", len(seen), n)
	}
	if !slices.IsSortedFunc(seen, func(a, b key) int {
		if a.amount != b.amount {
			return int(b.amount - a.amount)
		}
		return int(a.flag - b.flag)
	}) {
		t.Errorf("pages out of order: %v", seen)
	}
	past, err := review.Queue(f.ctx, f.admin, pipeline.ReviewFilter{After: "1.999999999"})
	if err != nil {
		t.Fatal(err)
	}
	if past.First != 1 || len(past.Rows) != pipeline.ReviewPageSize || past.Rows[0].Flag.ID != seen[0].flag {
		t.Errorf("a cursor past the end: first %d, %d rows; want the largest flags again", past.First, len(past.Rows))
	}
	bad, err := review.Queue(f.ctx, f.admin, pipeline.ReviewFilter{After: "x.y"})
	if err != nil || bad.First != 1 || len(bad.Rows) != pipeline.ReviewPageSize {
		t.Errorf("a malformed cursor: %v, %+v", err, bad)
	}
}
