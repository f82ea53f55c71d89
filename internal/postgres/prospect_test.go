package postgres_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

// TestSearchProspects_ExactPages: for a common fragment (hundreds of
// matches, more than a page) and a rare one, paging through the results
// gives every match once, in name order.
func TestSearchProspects_ExactPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	prospects := postgres.NewProspectService(f.db)
	rng := rand.New(rand.NewPCG(1, 2))
	var common, rare []string
	for i := range 420 {
		name := fmt.Sprintf("%c%c Harbour Supply %03d", 'a'+rng.IntN(26), 'a'+rng.IntN(26), i)
		if i%60 == 0 {
			name = fmt.Sprintf("Quillon %03d", i) // rare: 7 of them
			rare = append(rare, strings.ToLower(name))
		} else {
			common = append(common, strings.ToLower(name))
		}
		if _, err := prospects.CreateProspect(f.ctx, f.rep, pipeline.ProspectInput{Name: name}, nil); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(common)
	slices.Sort(rare)
	for _, tc := range []struct {
		q    string
		want []string
	}{{"harbour", common}, {"quillon", rare}} {
		var got []string
		after := ""
		for page := 0; page < 20; page++ {
			list, next, err := prospects.SearchProspects(f.ctx, f.rep, tc.q, after, 50)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range list {
				got = append(got, strings.ToLower(p.Name))
			}
			if next == "" {
				break
			}
			after = next
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: %d results, want %d in name order; first %v", tc.q, len(got), len(tc.want), got[:min(3, len(got))])
		}
	}
}
