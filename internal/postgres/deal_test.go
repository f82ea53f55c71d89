package postgres_test

import (
	"errors"
	"slices"
	"testing"

	"goodmoney/internal/money"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

// wantCode fails the test unless err is an application error with code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := pipeline.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// scopeFixture adds to the fixture what the access policy needs: the rep
// on the manager's team, a second rep outside it, and another org's admin.
type scopeFixture struct {
	*fixture
	outsider, stranger pipeline.Actor
	strangerProspect   int64
}

func newScopeFixture(t *testing.T) *scopeFixture {
	t.Helper()
	f := newFixture(t)
	users := postgres.NewUserService(f.db)
	team, err := users.CreateTeam(f.ctx, f.admin, "East", f.manager.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if err := users.UpdateUser(f.ctx, f.admin, f.rep.UserID, pipeline.UserUpdate{Role: pipeline.RoleRep, TeamID: team.ID}); err != nil {
		t.Fatal(err)
	}
	outsider, err := users.CreateUser(f.ctx, f.admin, pipeline.NewUser{Email: "outsider@test.example", Name: "Test outsider",
		Role: pipeline.RoleRep, Timezone: "UTC", Password: "goodmoney"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := postgres.NewOrgService(f.db).CreateOrg(f.ctx, pipeline.Org{Name: "Other Co", Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := users.CreateUser(f.ctx, pipeline.Actor{OrgID: other.ID, Role: pipeline.RoleAdmin},
		pipeline.NewUser{Email: "admin@other.example", Name: "Other admin", Role: pipeline.RoleAdmin, Timezone: "UTC", Password: "goodmoney"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := postgres.NewProspectService(f.db).CreateProspect(f.ctx, stranger.Actor(), pipeline.ProspectInput{Name: "Other prospect"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &scopeFixture{fixture: f, outsider: outsider.Actor(), stranger: stranger.Actor(), strangerProspect: p.ID}
}

func TestDealService_Create(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	t.Run("OK", func(t *testing.T) {
		in := pipeline.DealInput{ProspectID: f.prospectID, Title: "  40 seats  ", Stage: pipeline.StageLead,
			Amount: 1_800_000, ListPrice: usd(21000), Cost: usd(15840), NextStep: "Call back"}
		d, err := f.deals.CreateDeal(f.ctx, f.rep, in)
		if err != nil {
			t.Fatal(err)
		}
		if d.ID == 0 || d.Title != "40 seats" || d.Stage != pipeline.StageLead || d.Amount != 1_800_000 || d.Version != 1 ||
			d.OwnerID != f.rep.UserID || d.OrgID != f.orgID || d.ProspectID != f.prospectID || d.NextStep != "Call back" ||
			d.ListPrice == nil || *d.ListPrice != 2_100_000 || d.Cost == nil || *d.Cost != 1_584_000 || !d.CreatedAt.Equal(testNow) {
			t.Errorf("created %+v", d)
		}
		detail, err := f.deals.DealDetail(f.ctx, f.rep, d.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if detail.Deal.Title != "40 seats" || len(detail.StageTimes) != 1 || detail.StageTimes[0].Stage != pipeline.StageLead {
			t.Errorf("stored %+v, stage times %+v", detail.Deal, detail.StageTimes)
		}
	})
	t.Run("ErrTitleRequired", func(t *testing.T) {
		_, err := f.deals.CreateDeal(f.ctx, f.rep, pipeline.DealInput{ProspectID: f.prospectID, Title: "   ", Stage: pipeline.StageLead})
		wantCode(t, err, pipeline.EINVALID)
		if fields := pipeline.FieldErrors(err); fields["title"] == "" || len(fields) != 1 {
			t.Errorf("field errors %v, want title only", fields)
		}
	})
	t.Run("ErrStageInvalid", func(t *testing.T) {
		_, err := f.deals.CreateDeal(f.ctx, f.rep, pipeline.DealInput{ProspectID: f.prospectID, Title: "Deal", Stage: "maybe"})
		wantCode(t, err, pipeline.EINVALID)
		if fields := pipeline.FieldErrors(err); fields["stage"] == "" {
			t.Errorf("field errors %v, want stage", fields)
		}
	})
	t.Run("ErrProspectOfAnotherOrg", func(t *testing.T) {
		s := newScopeFixture(t)
		_, err := s.deals.CreateDeal(s.ctx, s.rep, pipeline.DealInput{ProspectID: s.strangerProspect, Title: "Stolen", Stage: pipeline.StageLead})
		wantCode(t, err, pipeline.EINVALID)
		if fields := pipeline.FieldErrors(err); fields["prospect_id"] == "" {
			t.Errorf("field errors %v, want prospect_id", fields)
		}
		page, err := s.deals.ListDeals(s.ctx, s.stranger, pipeline.DealFilter{Limit: 50})
		if err != nil || len(page.Deals) != 0 {
			t.Errorf("the other org has %d deals (%v), want none", len(page.Deals), err)
		}
	})
}

func TestDealService_Update(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	edit := func(d *pipeline.Deal, title string, amount money.Cents, version int) pipeline.DealInput {
		return pipeline.DealInput{Title: title, Stage: d.Stage, Amount: amount, ListPrice: d.ListPrice, Cost: d.Cost, Version: version}
	}
	t.Run("OK", func(t *testing.T) {
		d := f.deal(pipeline.DealInput{Amount: 1_000_000})
		saved, err := f.deals.UpdateDeal(f.ctx, f.rep, d.ID, edit(d, "Renamed", 1_200_000, d.Version))
		if err != nil {
			t.Fatal(err)
		}
		if saved.Title != "Renamed" || saved.Amount != 1_200_000 || saved.Version != d.Version+1 {
			t.Errorf("saved %+v, want Renamed, 1200000, version %d", saved, d.Version+1)
		}
	})
	t.Run("ErrStaleVersion", func(t *testing.T) {
		d := f.deal(pipeline.DealInput{Amount: 1_000_000})
		// The admin and the rep opened the deal at the same version; the admin saves first.
		if _, err := f.deals.UpdateDeal(f.ctx, f.admin, d.ID, edit(d, "First save", 1_100_000, d.Version)); err != nil {
			t.Fatal(err)
		}
		_, err := f.deals.UpdateDeal(f.ctx, f.rep, d.ID, edit(d, "Second save", 1_300_000, d.Version))
		wantCode(t, err, pipeline.ECONFLICT)
		var conflict *pipeline.ConflictError
		if !errors.As(err, &conflict) || conflict.Current == nil || conflict.Current.Title != "First save" || conflict.Current.Version != d.Version+1 {
			t.Fatalf("conflict %+v, want the stored deal at version %d", conflict, d.Version+1)
		}
		detail, err := f.deals.DealDetail(f.ctx, f.rep, d.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if detail.Deal.Title != "First save" || detail.Deal.Amount != 1_100_000 || detail.Deal.Version != d.Version+1 {
			t.Errorf("stored %+v after a refused edit, want the first save kept", detail.Deal)
		}
	})
	t.Run("ErrTitleRequired", func(t *testing.T) {
		d := f.deal(pipeline.DealInput{Amount: 1_000_000})
		_, err := f.deals.UpdateDeal(f.ctx, f.rep, d.ID, edit(d, "", 1_000_000, d.Version))
		wantCode(t, err, pipeline.EINVALID)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		d := f.deal(pipeline.DealInput{Amount: 1_000_000})
		_, err := f.deals.UpdateDeal(f.ctx, f.rep, d.ID+1_000_000, edit(d, "Ghost", 1_000_000, d.Version))
		wantCode(t, err, pipeline.ENOTFOUND)
		_, err = f.deals.MoveDeal(f.ctx, f.rep, d.ID+1_000_000, pipeline.StageWon)
		wantCode(t, err, pipeline.ENOTFOUND)
		_, err = f.deals.DealDetail(f.ctx, f.rep, d.ID+1_000_000, 0)
		wantCode(t, err, pipeline.ENOTFOUND)
	})
}

// TestDealService_Scope: a rep sees their own deals, a manager their own and
// their team's, an admin the org's; another org's users never see them, and
// a deal out of scope answers ENOTFOUND to reads and writes alike.
func TestDealService_Scope(t *testing.T) {
	t.Parallel()
	s := newScopeFixture(t)
	mine := s.deal(pipeline.DealInput{Title: "Team deal", Amount: 1_000_000})
	theirs, err := s.deals.CreateDeal(s.ctx, s.outsider, pipeline.DealInput{ProspectID: s.prospectID, Title: "Outside deal",
		Stage: pipeline.StageProposal, Amount: 500_000})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		actor pipeline.Actor
		sees  []int64
	}{
		{"Rep", s.rep, []int64{mine.ID}},
		{"Outsider", s.outsider, []int64{theirs.ID}},
		{"Manager", s.manager, []int64{mine.ID}},
		{"Admin", s.admin, []int64{mine.ID, theirs.ID}},
		{"OtherOrg", s.stranger, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.deals.ListDeals(s.ctx, tc.actor, pipeline.DealFilter{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			var listed []int64
			for _, d := range page.Deals {
				listed = append(listed, d.ID)
			}
			slices.Sort(listed)
			if !slices.Equal(listed, tc.sees) {
				t.Errorf("lists %v, want %v", listed, tc.sees)
			}
			for _, d := range []*pipeline.Deal{mine, theirs} {
				_, err := s.deals.DealDetail(s.ctx, tc.actor, d.ID, 0)
				if slices.Contains(tc.sees, d.ID) {
					if err != nil {
						t.Errorf("deal %q: %v, want it shown", d.Title, err)
					}
					continue
				}
				wantCode(t, err, pipeline.ENOTFOUND)
				_, err = s.deals.UpdateDeal(s.ctx, tc.actor, d.ID, pipeline.DealInput{Title: "Taken", Stage: d.Stage, Amount: d.Amount, Version: d.Version})
				wantCode(t, err, pipeline.ENOTFOUND)
				_, err = s.deals.MoveDeal(s.ctx, tc.actor, d.ID, pipeline.StageLost)
				wantCode(t, err, pipeline.ENOTFOUND)
			}
		})
	}
	for _, d := range []*pipeline.Deal{mine, theirs} {
		detail, err := s.deals.DealDetail(s.ctx, s.admin, d.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if detail.Deal.Title != d.Title || detail.Deal.Stage != d.Stage || detail.Deal.Version != d.Version {
			t.Errorf("deal %q changed by someone out of scope: %+v", d.Title, detail.Deal)
		}
	}
}
