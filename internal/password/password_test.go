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
	const (
		short   = "Use at least 8 characters, not counting spaces at the ends."
		common  = "This password is on lists of commonly used passwords; choose another."
		byEmail = "Do not build the password on your email address."
		byOrg   = "Do not build the password on the company's name."
	)
	for _, tc := range []struct {
		pw, email, org, want string
	}{
		{"short", "rep@example.com", "Acme", short},
		{"        ", "rep@example.com", "Acme", short},
		{"  abc12  ", "rep@example.com", "Acme", short},
		{"\t\n   \u00a0  \t", "rep@example.com", "Acme", short},
		{"password", "rep@example.com", "Acme", common},
		{"PassWord1", "rep@example.com", "Acme", common},
		{"12345678", "rep@example.com", "Acme", common},
		{"  password  ", "rep@example.com", "Acme", common},
		{"dana.cole@example.com", "dana.cole@example.com", "Acme", byEmail},
		{"DanaCole2026", "dana.cole@example.com", "Acme", byEmail},
		{"Northwind Supply", "rep@example.com", "Northwind Supply", byOrg},
		{"northwind-supply-99", "rep@example.com", "Northwind Supply", byOrg},
		{"goodmoney", "rep@example.com", "Northwind Supply", ""},
		{"jo-is-a-good-rep!", "jo@example.com", "Acme", ""}, // a 2-letter local part is not checked
		{"correct horse battery staple", "rep@example.com", "Acme", ""},
		{strings.Repeat("é", 64), "rep@example.com", "Acme", ""},
		{strings.Repeat("a", 129), "rep@example.com", "Acme", "Use at most 128 characters."},
	} {
		if got := Check(tc.pw, tc.email, tc.org); got != tc.want {
			t.Errorf("Check(%q, %q, %q) = %q, want %q", tc.pw, tc.email, tc.org, got, tc.want)
		}
	}
}

// FuzzCheck: any password, email and org name get an answer without a
// panic, and an accepted password is 8+ characters once trimmed.
func FuzzCheck(f *testing.F) {
	f.Add("correct horse battery staple", "rep@example.com", "Acme")
	f.Add("        ", "a@b", "")
	f.Add("\x00\xff", "\xff@\x00", "\xfe")
	f.Fuzz(func(t *testing.T, pw, email, org string) {
		if Check(pw, email, org) == "" && len([]rune(strings.TrimSpace(pw))) < MinLength {
			t.Errorf("Check accepted %q", pw)
		}
	})
}
