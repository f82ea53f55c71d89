package postgres_test

import (
	"fmt"
	"sync"
	"testing"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

// TestLogTouch_TwentyClients: 20 clients log touches on one deal at once;
// every touch lands, and the stored score is what Evaluate gives on the
// final inputs (no rescore saw a stale set and won).
func TestLogTouch_TwentyClients(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.deal(pipeline.DealInput{Amount: *usd(20000), Cost: usd(17500)})
	const clients, each = 20, 4
	var wg sync.WaitGroup
	errs := make(chan error, clients*each)
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				var in pipeline.TouchInput
				switch (c + i) % 3 {
				case 0:
					in = email(c%10 + 1)
				case 1:
					in = reply(c%10+1, "ok thanks")
				default:
					in = quote(c%10+1, 20000)
				}
				in.Key = fmt.Sprintf("client-%02d-touch-%02d-key", c, i)
				if _, err := f.deals.LogTouch(f.ctx, f.rep, d.ID, in); err != nil {
					errs <- fmt.Errorf("client %d touch %d: %w", c, i, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n int
	if err := f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM touches WHERE deal_id = $1`, d.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != clients*each {
		t.Errorf("%d touches stored, want %d", n, clients*each)
	}
	want := f.evaluate(d.ID)
	if got := f.stored(d.ID); got.points != want.Points || got.band != string(want.Band) {
		t.Errorf("stored score %+v, Evaluate on the final inputs says %d %s", got, want.Points, want.Band)
	}
}

// TestUpdateDeal_SameVersionOnceWins: two edits sent from the same version
// at once: exactly one is saved, the other is refused as stale.
func TestUpdateDeal_SameVersionOnceWins(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.deal(pipeline.DealInput{Amount: *usd(10000)})
	results := make(chan error, 2)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i, title := range []string{"Edit A", "Edit B"} {
		wg.Go(func() {
			start.Wait()
			_, err := f.deals.UpdateDeal(f.ctx, f.rep, d.ID, pipeline.DealInput{
				ProspectID: f.prospectID, Title: title, Stage: d.Stage, Amount: *usd(10000 + float64(i)), Version: d.Version})
			results <- err
		})
	}
	start.Done()
	wg.Wait()
	close(results)
	won, stale := 0, 0
	for err := range results {
		switch pipeline.ErrorCode(err) {
		case "":
			won++
		case pipeline.ECONFLICT:
			stale++
		default:
			t.Errorf("edit: %v", err)
		}
	}
	if won != 1 || stale != 1 {
		t.Errorf("%d edits saved and %d refused as stale, want 1 and 1", won, stale)
	}
	var version int
	if err := f.db.Pool.QueryRow(f.ctx, `SELECT version FROM deals WHERE id = $1`, d.ID).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != d.Version+1 {
		t.Errorf("version %d after one saved edit from %d", version, d.Version)
	}
}

// TestIdempotencyKey: each create sent twice with one key makes one record
// and answers both times with it; ten sends at once make one too; the key
// is the sender's alone.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	count := func(table string) int {
		t.Helper()
		var n int
		if err := f.db.Pool.QueryRow(f.ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	prospects := postgresProspects(f)
	p1, err := prospects.CreateProspect(f.ctx, f.rep, pipeline.ProspectInput{Key: "prospect-key-000001", Name: "Once Ltd"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := prospects.CreateProspect(f.ctx, f.rep, pipeline.ProspectInput{Key: "prospect-key-000001", Name: "Once Ltd"}, nil)
	if err != nil || p2.ID != p1.ID || count("prospects") != 2 { // the fixture's and this one
		t.Errorf("prospect sent twice: ids %d, %d, err %v, %d prospects", p1.ID, p2.ID, err, count("prospects"))
	}
	c1, err := prospects.AddContact(f.ctx, f.rep, p1.ID, pipeline.ContactInput{Key: "contact-key-0000001", Name: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := prospects.AddContact(f.ctx, f.rep, p1.ID, pipeline.ContactInput{Key: "contact-key-0000001", Name: "Ann"})
	if err != nil || c2.ID != c1.ID || count("contacts") != 1 {
		t.Errorf("contact sent twice: ids %d, %d, err %v, %d contacts", c1.ID, c2.ID, err, count("contacts"))
	}
	in := pipeline.DealInput{Key: "deal-key-0000000001", ProspectID: p1.ID, Title: "Once", Stage: pipeline.StageLead, Amount: *usd(5000)}
	d1, err := f.deals.CreateDeal(f.ctx, f.rep, in)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := f.deals.CreateDeal(f.ctx, f.rep, in)
	if err != nil || d2.ID != d1.ID || d2.Title != "Once" || count("deals") != 1 {
		t.Errorf("deal sent twice: ids %d, %d, err %v, %d deals", d1.ID, d2.ID, err, count("deals"))
	}
	// Ten sends of one touch form at once.
	touch := email(1)
	touch.Key = "touch-key-000000001"
	ids := make(chan int64, 10)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			tt, err := f.deals.LogTouch(f.ctx, f.rep, d1.ID, touch)
			if err != nil {
				t.Error(err)
				return
			}
			ids <- tt.ID
		})
	}
	wg.Wait()
	close(ids)
	first := int64(0)
	for id := range ids {
		if first == 0 {
			first = id
		} else if id != first {
			t.Errorf("parallel sends answered touches %d and %d", first, id)
		}
	}
	if n := count("touches"); n != 1 {
		t.Errorf("%d touches after ten sends of one form, want 1", n)
	}
	// Someone else's key is not mine; a key used for a touch is not a deal's.
	if _, err := f.deals.LogTouch(f.ctx, f.admin, d1.ID, touch); err != nil {
		t.Fatal(err)
	}
	if n := count("touches"); n != 2 {
		t.Errorf("another user's send with the same key: %d touches, want 2", n)
	}
	in.Key = touch.Key
	if _, err := f.deals.CreateDeal(f.ctx, f.rep, in); pipeline.ErrorCode(err) != pipeline.ECONFLICT {
		t.Errorf("a touch's key reused for a deal: %v, want ECONFLICT", err)
	}
}

func postgresProspects(f *fixture) *postgres.ProspectService {
	return postgres.NewProspectService(f.db)
}
