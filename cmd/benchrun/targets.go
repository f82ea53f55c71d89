package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"goodmoney/internal/postgres"
	"goodmoney/internal/seed"
)

// session is a signed-in client and the deals it works on.
type session struct {
	email  string
	cookie string  // value of gm_session
	deals  []int64 // open deals it may open (a manager: the team's) or log on (a rep: its own)
}

// fixture is what the loads pick their requests from: signed-in managers
// and reps, and search fragments cut from real prospect names.
type fixture struct {
	managers, reps []*session
	fragments      []string
}

// prepareFixture signs in up to n managers (for reads: they see their
// team's deals) and n reps (for writes: they log touches on their own
// deals), and cuts search fragments from prospect names.
func prepareFixture(ctx context.Context, db *postgres.DB, baseURL string, orgID int64, n int) (*fixture, error) {
	f := &fixture{}
	var err error
	bench := postgres.NewBench(db)
	if f.managers, err = sessions(bench.ManagersWithOpenDeals(ctx, orgID, n)); err != nil {
		return nil, err
	}
	if f.reps, err = sessions(bench.RepsWithOpenDeals(ctx, orgID, n)); err != nil {
		return nil, err
	}
	if f.fragments, err = fragments(ctx, bench, orgID, 200); err != nil {
		return nil, err
	}
	for _, s := range append(append([]*session{}, f.managers...), f.reps...) {
		if s.cookie, err = signIn(ctx, baseURL, s.email, seed.DemoPassword); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// sessions are the users to sign in, with their deals.
func sessions(users []postgres.BenchUser, err error) ([]*session, error) {
	if err != nil {
		return nil, err
	}
	if len(users) == 0 {
		return nil, errors.New("the benchmark org has no users with open deals")
	}
	list := make([]*session, len(users))
	for i, u := range users {
		list[i] = &session{email: u.Email, deals: u.Deals}
	}
	return list, nil
}

// fragments cuts search terms of three to five letters out of the words of
// prospect names, the way someone types the start or middle of a name.
func fragments(ctx context.Context, bench *postgres.Bench, orgID int64, n int) ([]string, error) {
	names, err := bench.ProspectNames(ctx, orgID, n)
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(1, 2))
	var out []string
	for _, name := range names {
		var words []string
		for _, w := range strings.Fields(strings.ToLower(name)) {
			if len(w) >= 4 && w != "corp" && w != "group" {
				words = append(words, w)
			}
		}
		if len(words) == 0 {
			continue
		}
		w := words[r.IntN(len(words))]
		size := 3 + r.IntN(min(3, len(w)-2))
		at := r.IntN(len(w) - size + 1)
		out = append(out, w[at:at+size])
	}
	if len(out) == 0 {
		return nil, errors.New("the benchmark org has no prospects to search for")
	}
	return out, nil
}

// signIn posts the sign-in form as a browser would and returns the session cookie.
func signIn(ctx context.Context, baseURL, email, password string) (string, error) {
	form := url.Values{"email": {email}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", baseURL)
	client := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	res, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("sign in %s: %w", email, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("sign in %s: status %d", email, res.StatusCode)
	}
	for _, c := range res.Cookies() {
		if c.Name == "gm_session" {
			return c.Value, nil
		}
	}
	return "", fmt.Errorf("sign in %s: no session cookie", email)
}
