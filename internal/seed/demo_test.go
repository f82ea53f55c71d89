package seed

import (
	"context"
	"encoding/json"
	"testing"

	"goodmoney/internal/pgtest"
	"goodmoney/internal/postgres"
)

type demoScore struct {
	Deal, Stage, Band string
	Points            int
	Signals           []struct {
		Code     string  `json:"code"`
		Points   float64 `json:"points"`
		Evidence string  `json:"evidence"`
	}
	Hints json.RawMessage
	Flag  string
}

func demoScores(t *testing.T) map[string]demoScore {
	t.Helper()
	ctx := context.Background()
	db := postgres.NewDB(pgtest.NewDB(t))
	if ok, err := Demo(ctx, db); err != nil || !ok {
		t.Fatalf("demo seed: created %v, %v", ok, err)
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT d.title, d.stage, s.band, s.points, s.signals, s.hints,
		       coalesce((SELECT string_agg(f.status, ',') FROM flags f WHERE f.deal_id = d.id), '')
		FROM deals d JOIN deal_scores s ON s.deal_id = d.id ORDER BY s.points DESC`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]demoScore{}
	for rows.Next() {
		var s demoScore
		var signals []byte
		if err := rows.Scan(&s.Deal, &s.Stage, &s.Band, &s.Points, &signals, &s.Hints, &s.Flag); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(signals, &s.Signals); err != nil {
			t.Fatal(err)
		}
		out[s.Deal] = s
		t.Logf("%-40s %-12s %-15s %3d flag=%s", s.Deal, s.Stage, s.Band, s.Points, s.Flag)
		for _, sig := range s.Signals {
			t.Logf("    %-16s %5.1f  %s", sig.Code, sig.Points, sig.Evidence)
		}
		if string(s.Hints) != "[]" {
			t.Logf("    hints %s", s.Hints)
		}
	}
	return out
}

// TestDemoStories holds the demo to the stories it tells a sales manager:
// the three-way deal, the loss-maker, the re-quote spiral and the silent
// proposal flag or warn for the reasons the story gives, the healthy deals
// stay clean, every signal fires somewhere, and closed deals carry no score.
func TestDemoStories(t *testing.T) {
	t.Parallel()
	scores := demoScores(t)
	want := []struct {
		deal    string
		band    string
		signals []string
	}{
		{"Brightside — 20 stores", "not_good_money", []string{"unresponsive", "margin_hit", "requotes", "triad"}},
		{"Acme Logistics — 40 seats", "not_good_money", []string{"unresponsive", "margin_hit", "requotes", "triad"}},
		{"Pinecrest Dental — starter bundle", "not_good_money", []string{"margin_hit", "discount_depth"}},
		{"Bluewater Marine — fleet tracking", "not_good_money", []string{"requotes", "unresponsive", "discount_depth"}},
		{"Summit Realty — 12 seats", "watch", []string{"wont_commit", "terse_replies", "off_hours"}},
		{"Granite Construction — site tablets", "watch", []string{"unresponsive"}},
		{"Copperleaf Cafe — till add-on", "watch", []string{"effort_vs_value", "wont_commit"}},
		{"Orchard Bakery — 5 stores", "ok", []string{"off_hours", "future_promise"}},
		{"Harbor Foods — annual renewal", "ok", nil},
		{"Keystone — shop floor tablets", "ok", nil},
		{"Evergreen — crew scheduling", "ok", nil},
		{"Lumen Architects — design suite", "ok", nil},
		{"Atlas Freight — telematics", "ok", nil},
	}
	for _, w := range want {
		s, ok := scores[w.deal]
		if !ok {
			t.Errorf("%s: not scored", w.deal)
			continue
		}
		var got []string
		for _, sig := range s.Signals {
			got = append(got, sig.Code)
		}
		if s.Band != w.band || !sameSet(got, w.signals) {
			t.Errorf("%s: %s %v, want %s %v", w.deal, s.Band, got, w.band, w.signals)
		}
		if wantFlag := map[bool]string{true: "open", false: ""}[w.band == "not_good_money"]; s.Flag != wantFlag {
			t.Errorf("%s: flags %q, want %q", w.deal, s.Flag, wantFlag)
		}
	}
	fired := map[string]bool{}
	for _, s := range scores {
		for _, sig := range s.Signals {
			fired[sig.Code] = true
		}
	}
	for _, code := range []string{"margin_hit", "discount_depth", "requotes", "unresponsive", "terse_replies",
		"wont_commit", "off_hours", "effort_vs_value", "future_promise", "triad"} {
		if !fired[code] {
			t.Errorf("no demo deal shows %s", code)
		}
	}
	if len(scores) != len(want) {
		t.Errorf("%d deals scored, want the %d open ones only", len(scores), len(want))
	}
}

// TestDemoHistory checks what the seed replays: no touch lands on a weekend
// (only weekday evenings are meant as off hours) and every deal was created
// before its first touch and changed stage in step with it.
func TestDemoHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := postgres.NewDB(pgtest.NewDB(t))
	if _, err := Demo(ctx, db); err != nil {
		t.Fatal(err)
	}
	var weekend, early, stageAfter int
	err := db.Pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM touches tc JOIN orgs o ON o.id = tc.org_id
		        WHERE extract(isodow FROM tc.occurred_at AT TIME ZONE o.timezone) >= 6) +
		       (SELECT count(*) FROM deal_stage_changes sc JOIN orgs o ON o.id = sc.org_id
		        WHERE extract(isodow FROM sc.at AT TIME ZONE o.timezone) >= 6
		           OR extract(hour FROM sc.at AT TIME ZONE o.timezone) NOT BETWEEN 9 AND 17),
		       (SELECT count(*) FROM deals d WHERE d.created_at > (SELECT min(occurred_at) FROM touches WHERE deal_id = d.id)),
		       (SELECT count(*) FROM deal_stage_changes sc WHERE sc.at > now())`).Scan(&weekend, &early, &stageAfter)
	if err != nil {
		t.Fatal(err)
	}
	if weekend != 0 || early != 0 || stageAfter != 0 {
		t.Errorf("%d touches or stage changes at weekends or stage changes out of hours, %d deals created after their first touch, %d stage changes in the future",
			weekend, early, stageAfter)
	}
	var walk string
	err = db.Pool.QueryRow(ctx, `SELECT string_agg(sc.to_stage, ' ' ORDER BY sc.at) FROM deal_stage_changes sc
		JOIN deals d ON d.id = sc.deal_id WHERE d.title = 'Northgate Clinics — 3 sites'`).Scan(&walk)
	if err != nil || walk != "lead qualified proposal negotiation won" {
		t.Errorf("won deal's stages %q (%v), want the walk from lead to won", walk, err)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, s := range a {
		seen[s] = true
	}
	for _, s := range b {
		if !seen[s] {
			return false
		}
	}
	return true
}
