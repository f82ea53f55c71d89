package postgres_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"goodmoney/internal/money"
	"goodmoney/internal/pipeline"
)

// TestListDeals_SortedPages: in every order and both directions, paging
// through the deals 7 at a time gives each deal once, in the order one page
// of all of them gives, and that order follows the order's keys; with no
// order named the newest come first.
func TestListDeals_SortedPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(3, 4))
	stages := pipeline.Stages
	for i := range 60 {
		amount := money.Cents(1000_00 * (1 + rng.IntN(40)))
		in := pipeline.DealInput{Title: fmt.Sprintf("%c deal %02d", 'a'+rng.IntN(5), i), Amount: amount, Stage: stages[rng.IntN(len(stages))]}
		switch rng.IntN(4) {
		case 0: // no cost, no margin
		case 1: // selling at a loss: not good money while open
			c := amount + 500_00
			in.Cost = &c
		default:
			c := amount * money.Cents(50+rng.IntN(45)) / 100
			in.Cost = &c
		}
		if rng.IntN(3) > 0 {
			due := time.Date(2026, 3, 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
			in.NextStep, in.NextStepDue = "Call back", &due
		}
		f.deal(in)
	}
	all := func(sort string, desc bool) []*pipeline.Deal {
		page, err := f.deals.ListDeals(f.ctx, f.rep, pipeline.DealFilter{Sort: sort, Desc: desc, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Deals) != 60 || page.Next != "" {
			t.Fatalf("%s: one page of %d deals with next %q, want all 60", sort, len(page.Deals), page.Next)
		}
		return page.Deals
	}
	rank := map[string]int{"not_good_money": 2, "watch": 1}
	margin := func(d *pipeline.Deal) int64 {
		if d.Cost == nil || d.Amount <= 0 {
			return 1_000_000
		}
		return int64(d.Amount-*d.Cost) * 10000 / int64(d.Amount)
	}
	due := func(d *pipeline.Deal) string {
		if d.NextStepDue == nil {
			return "9999-12-31"
		}
		return d.NextStepDue.Format(time.DateOnly)
	}
	stageRank := func(d *pipeline.Deal) int { return slices.Index(pipeline.Stages, d.Stage) }
	keys := map[string]func(a, b *pipeline.Deal) int{
		pipeline.SortNewest: func(a, b *pipeline.Deal) int { return 0 },
		pipeline.SortRisk: func(a, b *pipeline.Deal) int {
			return cmp.Or(cmp.Compare(rank[a.Band], rank[b.Band]), cmp.Compare(a.Points, b.Points), cmp.Compare(a.Amount, b.Amount))
		},
		pipeline.SortTitle: func(a, b *pipeline.Deal) int {
			return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
		},
		pipeline.SortOwner:   func(a, b *pipeline.Deal) int { return strings.Compare(a.OwnerName, b.OwnerName) },
		pipeline.SortStage:   func(a, b *pipeline.Deal) int { return cmp.Compare(stageRank(a), stageRank(b)) },
		pipeline.SortAmount:  func(a, b *pipeline.Deal) int { return cmp.Compare(a.Amount, b.Amount) },
		pipeline.SortMargin:  func(a, b *pipeline.Deal) int { return cmp.Compare(margin(a), margin(b)) },
		pipeline.SortNextDue: func(a, b *pipeline.Deal) int { return strings.Compare(due(a), due(b)) },
	}
	if len(keys) != len(pipeline.DealSorts) {
		t.Fatalf("the test knows %d orders, pipeline.DealSorts has %d", len(keys), len(pipeline.DealSorts))
	}
	flagged := 0
	for _, d := range all(pipeline.SortNewest, true) {
		if d.Band == "not_good_money" {
			flagged++
		}
	}
	if flagged == 0 {
		t.Fatal("no deal is not good money: the risk order is not tested")
	}
	for sort, key := range keys {
		for _, desc := range []bool{true, false} {
			want := all(sort, desc)
			for i := 1; i < len(want); i++ {
				c := cmp.Or(key(want[i-1], want[i]), cmp.Compare(want[i-1].ID, want[i].ID))
				if (desc && c <= 0) || (!desc && c >= 0) {
					t.Errorf("%s desc=%v: %q (%d) before %q (%d) is out of order", sort, desc, want[i-1].Title, want[i-1].ID, want[i].Title, want[i].ID)
				}
			}
			var got []int64
			after := ""
			for range 20 {
				page, err := f.deals.ListDeals(f.ctx, f.rep, pipeline.DealFilter{Sort: sort, Desc: desc, After: after, Limit: 7})
				if err != nil {
					t.Fatalf("%s: %v", sort, err)
				}
				for _, d := range page.Deals {
					got = append(got, d.ID)
				}
				if after = page.Next; after == "" {
					break
				}
			}
			ids := make([]int64, len(want))
			for i, d := range want {
				ids[i] = d.ID
			}
			if !slices.Equal(got, ids) {
				t.Errorf("%s desc=%v: pages of 7 gave %v, want %v", sort, desc, got, ids)
			}
		}
	}
	// A cursor from another order, or made up, starts from the first page.
	for _, bad := range []string{"garbage", "WyJ4IiwiMSJd"} {
		page, err := f.deals.ListDeals(f.ctx, f.rep, pipeline.DealFilter{Sort: pipeline.SortAmount, Desc: true, After: bad, Limit: 5})
		if err != nil || len(page.Deals) != 5 || page.Deals[0].ID != all(pipeline.SortAmount, true)[0].ID {
			t.Errorf("cursor %q: %v, want the first page", bad, err)
		}
	}
}

// TestListDeals_NextStepNeeded keeps the open deals with no next step or
// one due before today, and no closed deal.
func TestListDeals_NextStepNeeded(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	day := func(d int) *time.Time { t := time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC); return &t }
	none := f.deal(pipeline.DealInput{Title: "none", Amount: 1000_00})
	overdue := f.deal(pipeline.DealInput{Title: "overdue", Amount: 1000_00, NextStep: "Call", NextStepDue: day(10)})
	f.deal(pipeline.DealInput{Title: "today", Amount: 1000_00, NextStep: "Call", NextStepDue: day(16)})
	f.deal(pipeline.DealInput{Title: "planned", Amount: 1000_00, NextStep: "Call"})
	f.deal(pipeline.DealInput{Title: "won", Amount: 1000_00, Stage: pipeline.StageWon})
	page, err := f.deals.ListDeals(f.ctx, f.rep, pipeline.DealFilter{NextStepNeeded: true, Today: testNow, Sort: pipeline.SortTitle})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, d := range page.Deals {
		got = append(got, d.ID)
	}
	if !slices.Equal(got, []int64{none.ID, overdue.ID}) {
		t.Errorf("got deals %v, want none %d and overdue %d", got, none.ID, overdue.ID)
	}
}
