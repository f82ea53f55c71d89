package postgres_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"goodmoney/internal/pgtest"
	"goodmoney/internal/pipeline"
	"goodmoney/internal/postgres"
)

func newThrottle(t *testing.T, now *time.Time) *postgres.LoginThrottle {
	t.Helper()
	db := postgres.NewDB(pgtest.NewDB(t))
	db.Now = func() time.Time { return *now }
	return postgres.NewLoginThrottle(db, postgres.DefaultLoginLimits)
}

func reserve(t *testing.T, th *postgres.LoginThrottle, email, addr string) pipeline.SignInDecision {
	t.Helper()
	d, err := th.Reserve(t.Context(), email, addr)
	if err != nil {
		t.Fatalf("Reserve(%s, %s): %v", email, addr, err)
	}
	return d
}

// TestLoginThrottle_Parallel: 60 attempts at once on one email from one
// address; exactly PairMax are allowed to check a password.
func TestLoginThrottle_Parallel(t *testing.T) {
	t.Parallel()
	now := testNow
	th := newThrottle(t, &now)
	var mu sync.Mutex
	allowed := 0
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for range 60 {
		wg.Go(func() {
			d, err := th.Reserve(t.Context(), "Rep@Example.com", "203.0.113.9")
			if err != nil {
				errs <- err
				return
			}
			if d.Allowed {
				mu.Lock()
				allowed++
				mu.Unlock()
			} else if d.RetryAfter <= 0 || d.RetryAfter > 15*time.Minute {
				errs <- errorf("refused with RetryAfter %v", d.RetryAfter)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if allowed != postgres.DefaultLoginLimits.PairMax {
		t.Errorf("%d of 60 parallel attempts allowed, want exactly %d", allowed, postgres.DefaultLoginLimits.PairMax)
	}
}

// TestLoginThrottle_EmailSlowsNeverLocks: guesses on one email from many
// addresses make each further attempt wait longer, up to the cap, but the
// owner's attempt from their own address is still allowed; the window's
// end and a success clear the counts.
func TestLoginThrottle_EmailSlowsNeverLocks(t *testing.T) {
	t.Parallel()
	now := testNow
	th := newThrottle(t, &now)
	l := postgres.DefaultLoginLimits
	var delays []time.Duration
	for i := range 12 {
		d := reserve(t, th, "boss@example.com", "198.51.100."+string(rune('a'+i)))
		if !d.Allowed {
			t.Fatalf("attempt %d from a fresh address refused", i+1)
		}
		delays = append(delays, d.Delay)
	}
	want := []time.Duration{0, 0, 0, 0, 0, 1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, l.EmailMaxDelay, l.EmailMaxDelay}
	for i := range want {
		if delays[i] != want[i] {
			t.Errorf("attempt %d delay = %v, want %v (all: %v)", i+1, delays[i], want[i], delays)
		}
	}
	own := reserve(t, th, "boss@example.com", "192.0.2.1")
	if !own.Allowed || own.Delay != l.EmailMaxDelay {
		t.Errorf("owner's attempt = %+v, want allowed after the capped delay", own)
	}
	if err := th.Succeeded(t.Context(), "boss@example.com", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if d := reserve(t, th, "boss@example.com", "192.0.2.1"); !d.Allowed || d.Delay != 0 {
		t.Errorf("after a success = %+v, want allowed at once", d)
	}
}

// TestLoginThrottle_PairAndAddressLimits: the pair limit refuses only that
// address on that email; the address limit refuses that address on any
// email; both end with the window; a success gives the address its
// attempt back.
func TestLoginThrottle_PairAndAddressLimits(t *testing.T) {
	t.Parallel()
	now := testNow
	th := newThrottle(t, &now)
	l := postgres.DefaultLoginLimits
	for range l.PairMax {
		reserve(t, th, "a@example.com", "203.0.113.1")
	}
	if d := reserve(t, th, "a@example.com", "203.0.113.1"); d.Allowed || d.RetryAfter != l.Window {
		t.Errorf("past the pair limit = %+v, want refused for %v", d, l.Window)
	}
	if d := reserve(t, th, "a@example.com", "203.0.113.2"); !d.Allowed {
		t.Errorf("another address on the same email refused: %+v", d)
	}
	if d := reserve(t, th, "b@example.com", "203.0.113.1"); !d.Allowed {
		t.Errorf("the same address on another email refused: %+v", d)
	}
	// Successful sign-ins from an office address do not use up its allowance.
	for i := range 2 * l.AddrMax {
		email := "staff" + string(rune('a'+i%26)) + "@example.com"
		if d := reserve(t, th, email, "192.0.2.50"); !d.Allowed {
			t.Fatalf("sign-in %d from the office refused", i+1)
		}
		if err := th.Succeeded(t.Context(), email, "192.0.2.50"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range l.AddrMax {
		if d := reserve(t, th, "x"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@example.com", "192.0.2.99"); !d.Allowed {
			t.Fatalf("attempt %d from one address refused before the address limit", i+1)
		}
	}
	if d := reserve(t, th, "fresh@example.com", "192.0.2.99"); d.Allowed {
		t.Errorf("attempt past the address limit allowed")
	}
	now = now.Add(l.Window + time.Second)
	if d := reserve(t, th, "a@example.com", "203.0.113.1"); !d.Allowed {
		t.Errorf("after the window = %+v, want allowed", d)
	}
	if d := reserve(t, th, "fresh@example.com", "192.0.2.99"); !d.Allowed {
		t.Errorf("address after the window = %+v, want allowed", d)
	}
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// TestAddOrg: an org with its admin in one step; the admin signs in and
// sees only that org; bad input refused field by field with nothing stored.
func TestAddOrg(t *testing.T) {
	t.Parallel()
	db := postgres.NewDB(pgtest.NewDB(t))
	orgs := postgres.NewOrgService(db)
	org, admin, err := orgs.AddOrg(t.Context(), pipeline.Org{Name: " Second Co "},
		pipeline.NewUser{Email: "Boss@Second.example", Name: "Boss", Password: "river-otter-lantern"})
	if err != nil {
		t.Fatal(err)
	}
	if org.Name != "Second Co" || admin.OrgID != org.ID || admin.Role != pipeline.RoleAdmin || admin.Email != "boss@second.example" {
		t.Errorf("AddOrg = %+v, %+v", org, admin)
	}
	signedIn, err := postgres.NewUserService(db).Authenticate(t.Context(), "boss@second.example", "river-otter-lantern")
	if err != nil || signedIn.ID != admin.ID {
		t.Fatalf("the new admin cannot sign in: %v", err)
	}
	for _, tc := range []struct {
		name  string
		org   string
		admin pipeline.NewUser
		field string
	}{
		{"NoName", "  ", pipeline.NewUser{Email: "a@b.example", Name: "A", Password: "river-otter-lantern"}, "org_name"},
		{"PasswordIsOrgName", "Lanternworks", pipeline.NewUser{Email: "a@b.example", Name: "A", Password: "Lanternworks 2026"}, "password"},
		{"PasswordIsEmail", "Third Co", pipeline.NewUser{Email: "carla.diaz@b.example", Name: "A", Password: "carla.diaz@b.example"}, "password"},
		{"BlankPassword", "Third Co", pipeline.NewUser{Email: "c@b.example", Name: "A", Password: "          "}, "password"},
		{"EmailTaken", "Third Co", pipeline.NewUser{Email: "boss@second.example", Name: "A", Password: "river-otter-lantern"}, "email"},
	} {
		_, _, err := orgs.AddOrg(t.Context(), pipeline.Org{Name: tc.org}, tc.admin)
		if pipeline.FieldErrors(err)[tc.field] == "" {
			t.Errorf("%s: %v, want a message on %s", tc.name, err, tc.field)
		}
	}
	var n int
	if err := db.Pool.QueryRow(t.Context(), `SELECT count(*) FROM orgs`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d orgs after the refused adds (err %v), want 1", n, err)
	}
}
