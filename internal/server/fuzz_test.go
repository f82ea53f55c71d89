package server

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzFormDecoding sends arbitrary bodies and query strings through the
// input check and the deal and touch form parsers: nothing panics, what
// the check lets through is valid text, what it refuses is 413, 400 or
// 422, and a cleaned query value is valid text.
func FuzzFormDecoding(f *testing.F) {
	for _, seed := range []string{
		"title=Acme&amount=12%2C500.00&stage=lead&expected_close=2026-12-01",
		"amount=%2412%2C500&list_price=1e9&cost=-5&next_step_due=2026-02-30",
		"kind=quote&quote_amount=%E2%82%AC1.234%2C56&occurred_at=2026-11-30T09%3A00&duration_min=-1",
		"notes=a%00b&title=%ff%fe", "x=%zz&&=&a", "occurred_at=9999-99-99T99%3A99", "",
	} {
		f.Add(seed, "q=%00&stage=%ff")
	}
	s := &Server{Logger: discardLogger(), Now: func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }}
	f.Fuzz(func(t *testing.T, body, query string) {
		passed := false
		h := s.checkInput(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			passed = true
			for k, vs := range r.Form {
				if !validText(k) {
					t.Errorf("key %q let through", k)
				}
				for _, v := range vs {
					if !validText(v) {
						t.Errorf("value %q of %q let through", v, k)
					}
				}
			}
			df := dealFormFrom(r)
			in, errs := parseDealForm(&df, s.now())
			if len(errs) == 0 && in.Amount < 0 {
				t.Errorf("negative amount %d accepted", in.Amount)
			}
			parseTouchForm(touchFormFrom(r), time.UTC, s.now())
		}))
		req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
		req.URL.RawQuery = query // as sent, even if no parser would build it
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if !passed && rec.Code != http.StatusUnprocessableEntity && rec.Code != http.StatusBadRequest && rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("refused with status %d", rec.Code)
		}
		if c := cleanValue(body); !validText(c) || (validText(body) && c != body) || !utf8.ValidString(c) {
			t.Errorf("cleanValue(%q) = %q", body, c)
		}
	})
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
