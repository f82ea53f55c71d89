package digest

import (
	"strings"
	"testing"
	"time"
)

func TestToken(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	tok := signToken(secret, 42, now.Add(time.Hour))
	if id, err := verifyToken(secret, tok, now); err != nil || id != 42 {
		t.Fatalf("valid token: %d, %v", id, err)
	}
	parts := strings.Split(tok, ".")
	bad := map[string]string{
		"expired":        tok,
		"other user":     "43." + parts[1] + "." + parts[2],
		"later expiry":   parts[0] + ".9999999999." + parts[2],
		"other key":      signToken([]byte("another secret, of the same size"), 42, now.Add(time.Hour)),
		"no signature":   parts[0] + "." + parts[1],
		"empty":          "",
		"flipped char":   tok[:len(tok)-1] + string(rune(tok[len(tok)-1])^1),
		"extra part":     tok + ".x",
		"negative user":  "-1." + parts[1] + "." + mac(secret, "-1."+parts[1]),
		"not a number":   "x." + parts[1] + "." + mac(secret, "x."+parts[1]),
		"expiry garbage": "42.soon." + mac(secret, "42.soon"),
	}
	for name, tk := range bad {
		at := now
		if name == "expired" {
			at = now.Add(time.Hour)
		}
		if _, err := verifyToken(secret, tk, at); err != errBadToken {
			t.Errorf("%s: %v, want refused", name, err)
		}
	}
}
