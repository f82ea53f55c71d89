package password

import (
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	long := strings.Repeat("x", 100) + "tail"
	h, err := Hash(long)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Fatalf("hash %q is not argon2id", h)
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{
		{long, true},
		// bcrypt would accept this: it ignores everything after byte 72.
		{strings.Repeat("x", 100) + "TAIL", false},
		{"", false},
	} {
		ok, err := Verify(tc.pw, h)
		if err != nil || ok != tc.want {
			t.Errorf("Verify(%q) = %v, %v; want %v", tc.pw[:min(len(tc.pw), 10)], ok, err, tc.want)
		}
	}
	h2, _ := Hash(long)
	if h2 == h {
		t.Error("two hashes of the same password are equal: salt not random")
	}
	if _, err := Verify("x", "$bcrypt$nope"); err != ErrMalformed {
		t.Errorf("malformed hash: err = %v", err)
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		pw, want string
	}{
		{"short", "Use at least 8 characters."},
		{"password", "This password is on lists of commonly used passwords; choose another."},
		{"PassWord1", "This password is on lists of commonly used passwords; choose another."},
		{"12345678", "This password is on lists of commonly used passwords; choose another."},
		{"goodmoney", ""},
		{"correct horse battery staple", ""},
		{strings.Repeat("é", 64), ""},
		{strings.Repeat("a", 129), "Use at most 128 characters."},
	} {
		if got := Check(tc.pw); got != tc.want {
			t.Errorf("Check(%q) = %q, want %q", tc.pw, got, tc.want)
		}
	}
}
