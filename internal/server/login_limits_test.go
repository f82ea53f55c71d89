package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"goodmoney/internal/seed"
)

// TestLogin_ParallelGuesses: 59 wrong passwords and the right one sent at
// once from one address. Only as many as the (email, address) limit get
// their password checked (401 or a sign-in); every other one is 429, and
// none signs in past the limit.
func TestLogin_ParallelGuesses(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	const n = 60
	statuses := make(chan int, n)
	errs := make(chan error, n)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range n {
		pw := fmt.Sprintf("wrong-guess-%02d", i)
		if i == n/2 {
			pw = seed.DemoPassword
		}
		c := a.client()
		wg.Go(func() {
			start.Wait()
			form := url.Values{"email": {"rep2@example.com"}, "password": {pw}}
			req, err := http.NewRequest(http.MethodPost, a.URL+"/login", strings.NewReader(form.Encode()))
			if err != nil {
				errs <- err
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := c.hc.Do(req)
			if err != nil {
				errs <- err
				return
			}
			res.Body.Close()
			statuses <- res.StatusCode
		})
	}
	start.Done()
	wg.Wait()
	close(statuses)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	checked := count[http.StatusUnauthorized] + count[http.StatusSeeOther]
	if checked != 5 || count[http.StatusTooManyRequests] != n-5 || count[http.StatusSeeOther] > 1 {
		t.Errorf("answers %v: want exactly 5 checked (401 or 303) and %d × 429", count, n-5)
	}
	t.Logf("60 parallel sign-ins, one with the right password: %v", count)
	var attempts int
	if err := a.DB.Pool.QueryRow(t.Context(), `SELECT failures FROM login_failures WHERE key LIKE 'ip:%'`).Scan(&attempts); err != nil {
		t.Fatal(err)
	}
	if want := n - count[http.StatusSeeOther]; attempts != want {
		t.Errorf("address counter = %d, want %d (every attempt counted, a success given back)", attempts, want)
	}
}

// loginFrom posts a sign-in as if from addr, straight to the handler.
func loginFrom(t *testing.T, h http.Handler, addr, email, pw string) *httptest.ResponseRecorder {
	t.Helper()
	form := url.Values{"email": {email}, "password": {pw}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = addr + ":40000"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestLogin_StrangerSlowsButCannotLock: wrong passwords for one account
// from many addresses make each further check wait longer, but the owner
// still signs in with the right password, from their own address or any.
func TestLogin_StrangerSlowsButCannotLock(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	var mu sync.Mutex
	var waits []time.Duration
	a.server.Wait = func(_ context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return nil
	}
	h := a.server.Handler()
	for i := range 12 {
		if rec := loginFrom(t, h, fmt.Sprintf("198.51.100.%d", i+1), "rep2@example.com", "not-the-password"); rec.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d from a fresh address: status %d, want 401", i+1, rec.Code)
		}
	}
	// From one address the stranger is stopped outright.
	for i := range 6 {
		rec := loginFrom(t, h, "203.0.113.7", "rep2@example.com", "not-the-password")
		if want := map[bool]int{true: http.StatusUnauthorized, false: http.StatusTooManyRequests}[i < 5]; rec.Code != want {
			t.Fatalf("guess %d from one address: status %d, want %d", i+1, rec.Code, want)
		}
		if i == 5 && rec.Header().Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if rec := loginFrom(t, h, "192.0.2.10", "rep2@example.com", seed.DemoPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("owner's sign-in during the attack: status %d, want 303", rec.Code)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(waits) < 10 || waits[0] != time.Second || waits[len(waits)-1] != 30*time.Second {
		t.Errorf("waits before checks = %v: want growing from 1s to the 30s cap", waits)
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] < waits[i-1] && waits[i] != 0 {
			t.Errorf("wait %d (%v) shorter than the one before (%v)", i, waits[i], waits[i-1])
		}
	}
}

// TestLogin_UnreadableBodyCountsNothing: an oversize sign-in body is 413
// with a plain page, and no attempt is counted against anyone.
func TestLogin_UnreadableBodyCountsNothing(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	big := url.Values{"email": {"rep@example.com"}, "password": {strings.Repeat("x", 2<<20)}}
	res := a.client().post("/login", big)
	if res.status != http.StatusRequestEntityTooLarge || !strings.Contains(res.body, "larger than we accept") {
		t.Fatalf("2 MB sign-in: status %d, want 413 with a message", res.status)
	}
	var n int
	if err := a.DB.Pool.QueryRow(t.Context(), `SELECT count(*) FROM login_failures`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d throttle counters after an unreadable sign-in, want 0", n)
	}
}
