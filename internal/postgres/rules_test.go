package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"goodmoney/internal/pgtest"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
	"goodmoney/internal/scoring"
)

func TestRules_DefaultsThenSaved(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r, err := f.scores.Rules(f.ctx, f.orgID)
	if err != nil {
		t.Fatal(err)
	}
	want := scoring.DefaultRules()
	if r.Version != 0 || r.FlagFrom != want.FlagFrom || r.MarginWeight != want.MarginWeight ||
		r.Location.String() != "America/New_York" || r.BusinessStartHour != 9 || r.BusinessEndHour != 18 || r.EffortP90 != 0 {
		t.Fatalf("an org that saved nothing: %+v, want the defaults in the org's timezone and hours", r)
	}

	// Rules saved before a setting existed decode onto the defaults.
	_, err = f.db.Pool.Exec(f.ctx, `INSERT INTO scoring_rules (org_id, version, rules) VALUES ($1, 1, '{"flag_from": 40}')`, f.orgID)
	if err != nil {
		t.Fatal(err)
	}
	if r, err = f.scores.Rules(f.ctx, f.orgID); err != nil {
		t.Fatal(err)
	}
	if r.Version != 1 || r.FlagFrom != 40 || r.WatchFrom != want.WatchFrom || r.TriadMinSeverity != want.TriadMinSeverity {
		t.Errorf("partial stored rules: version %d flag_from %v watch_from %v triad %v; want 1, 40 and the defaults",
			r.Version, r.FlagFrom, r.WatchFrom, r.TriadMinSeverity)
	}
	if _, err := f.scores.Rules(f.ctx, 999999); pipeline.ErrorCode(err) != pipeline.ENOTFOUND {
		t.Errorf("rules of a missing org: %v, want ENOTFOUND", err)
	}
}

func TestRules_Save(t *testing.T) {
	t.Parallel()
	t.Run("RepForbidden", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		if _, err := f.scores.SaveRules(f.ctx, f.rep, scoring.DefaultRules()); pipeline.ErrorCode(err) != pipeline.EFORBIDDEN {
			t.Errorf("a rep saving rules: %v, want EFORBIDDEN", err)
		}
		// Managers read and preview; only admins save.
		if _, err := f.scores.SaveRules(f.ctx, f.manager, scoring.DefaultRules()); pipeline.ErrorCode(err) != pipeline.EFORBIDDEN {
			t.Errorf("a manager saving rules: %v, want EFORBIDDEN", err)
		}
		if f.version() != 0 {
			t.Error("a refused save stored rules")
		}
		if _, err := f.scores.CurrentRules(f.ctx, f.rep); pipeline.ErrorCode(err) != pipeline.EFORBIDDEN {
			t.Errorf("a rep reading the settings: %v, want EFORBIDDEN", err)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		r := scoring.DefaultRules()
		r.MarginWeight, r.WatchFrom = 500, 60
		_, err := f.scores.SaveRules(f.ctx, f.admin, r)
		fields := pipeline.FieldErrors(err)
		if pipeline.ErrorCode(err) != pipeline.EINVALID || fields["margin_weight"] == "" || fields["watch_from"] == "" {
			t.Errorf("bad rules: %v %v, want EINVALID on margin_weight and watch_from", err, fields)
		}
		if f.version() != 0 {
			t.Error("bad rules were stored")
		}
	})
	t.Run("NewVersionAuditedAndApplied", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		d := f.deal(pipeline.DealInput{Amount: *usd(18000), Cost: usd(15500)})
		before := f.stored(d.ID)
		saved := f.saveRules(func(r *scoring.Rules) { r.MarginWeight = 60 })
		if saved.Version != 1 || saved.Rescored.Deals != 1 || saved.Rescored.Written != 1 {
			t.Errorf("save: %+v, want version 1 and the one open deal rescored", saved)
		}
		saved = f.saveRules(func(r *scoring.Rules) { r.MarginWeight = 90 })
		want := f.evaluate(d.ID)
		if after := f.stored(d.ID); saved.Version != 2 || after.version != 2 || after.points != want.Points || after.points <= before.points {
			t.Errorf("after version %d: stored %+v, want version 2 and %d points (%d before)", saved.Version, after, want.Points, before.points)
		}
		cur, err := f.scores.CurrentRules(f.ctx, f.manager)
		if err != nil || cur.Rules.Version != 2 || cur.Rules.MarginWeight != 90 || cur.SavedBy != "Test admin" || !cur.SavedAt.Equal(testNow) {
			t.Errorf("current rules: %+v, %v", cur, err)
		}
		var audits int
		pgtest.Scan(t, f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM audit_events WHERE entity = 'scoring_rules' AND entity_id = $1
			AND (after->>'version')::int IN (1, 2)`, f.orgID), &audits)
		if audits != 2 {
			t.Errorf("%d audit events for two saves, want 2", audits)
		}
	})
	t.Run("EnqueuedInTheSameTransaction", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		var orgs []int64
		f.scores.Queue = postgres.RescoreQueueFunc(func(ctx context.Context, tx pgx.Tx, orgID int64) error {
			orgs = append(orgs, orgID)
			var v int
			// The hook sees the new version: it runs inside the saving transaction.
			return tx.QueryRow(ctx, `SELECT max(version) FROM scoring_rules WHERE org_id = $1`, orgID).Scan(&v)
		})
		saved, err := f.scores.SaveRules(f.ctx, f.admin, scoring.DefaultRules())
		if err != nil || !saved.Queued || len(orgs) != 1 || orgs[0] != f.orgID {
			t.Errorf("save with a queue: %+v, %v, enqueued %v", saved, err, orgs)
		}
		f.scores.Queue = postgres.RescoreQueueFunc(func(context.Context, pgx.Tx, int64) error { return context.DeadlineExceeded })
		if _, err := f.scores.SaveRules(f.ctx, f.admin, scoring.DefaultRules()); err == nil || f.version() != 1 {
			t.Errorf("a failed enqueue: %v, version %d; want an error and nothing saved", err, f.version())
		}
	})
}

func (f *fixture) version() int {
	f.t.Helper()
	var v int
	if err := f.db.Pool.QueryRow(f.ctx, `SELECT coalesce(max(version), 0) FROM scoring_rules WHERE org_id = $1`, f.orgID).Scan(&v); err != nil {
		f.t.Fatal(err)
	}
	return v
}

func TestRules_Preview(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	flagged := f.lowMarginChased()
	thin := f.deal(pipeline.DealInput{Title: "Thin", Amount: *usd(10000), Cost: usd(9500)}) // 5 % margin: 22.5 points, watch
	f.deal(pipeline.DealInput{Title: "Healthy", Amount: *usd(10000), Cost: usd(5000)})
	var before int64
	countRows := `SELECT (SELECT count(*) FROM flags) + (SELECT count(*) FROM scoring_rules) + (SELECT sum(points) FROM deal_scores)`
	pgtest.Scan(t, f.db.Pool.QueryRow(f.ctx, countRows), &before)

	r := scoring.DefaultRules()
	r.FlagFrom = 20 // the thin deal flags too
	p, err := f.scores.PreviewRules(f.ctx, f.admin, r)
	if err != nil {
		t.Fatal(err)
	}
	if p.Open != 3 || p.FlaggedNow != 1 || p.Flagged != 2 || p.More != 1 || p.Fewer != 0 ||
		len(p.NewlyFlagged) != 1 || p.NewlyFlagged[0].ID != thin.ID || p.NewlyFlagged[0].Title != "Thin" || p.NewlyFlagged[0].Prospect != "Prospect" {
		t.Errorf("preview flag_from 20: %+v", p)
	}

	// Without the triad the chased deal's 49 points are under a line of 60.
	r = scoring.DefaultRules()
	r.FlagFrom, r.TriadMinSeverity = 60, 0.9
	if p, err = f.scores.PreviewRules(f.ctx, f.admin, r); err != nil || p.Flagged != 0 || p.Fewer != 1 ||
		len(p.Unflagged) != 1 || p.Unflagged[0].ID != flagged.ID || p.Unflagged[0].Points != 49 {
		t.Errorf("preview flag_from 60: %+v, %v", p, err)
	}
	// The counts are the org's; the examples only deals the actor may see
	// (this manager's team does not include the rep).
	if p, err = f.scores.PreviewRules(f.ctx, f.manager, r); err != nil || p.Fewer != 1 || len(p.Unflagged) != 0 {
		t.Errorf("preview by a manager of another team: %+v, %v; want the count without the example", p, err)
	}

	var after int64
	pgtest.Scan(t, f.db.Pool.QueryRow(f.ctx, countRows), &after)
	if after != before {
		t.Error("a preview changed flags, rules or scores")
	}
	r.FlagFrom = -3
	if _, err := f.scores.PreviewRules(f.ctx, f.manager, r); pipeline.FieldErrors(err)["flag_from"] == "" {
		t.Errorf("preview of bad rules: %v, want EINVALID on flag_from", err)
	}
}
