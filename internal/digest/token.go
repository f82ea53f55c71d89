package digest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"goodmoney/internal/pipeline"
)

// An unsubscribe token names a user and an expiry, signed with HMAC-SHA256
// under a server secret: "<user id>.<expiry unix>.<signature>". It works
// signed out, from any copy of the mail, until it expires.

// TokenTTL is how long an unsubscribe link works: long enough for an old
// digest found in an inbox months later.
const TokenTTL = 180 * 24 * time.Hour

// errBadToken is what a tampered, truncated or expired token gets.
var errBadToken = pipeline.Errorf(pipeline.EINVALID,
	"This unsubscribe link is not valid or has expired. Sign in and turn the digest off in your profile instead.")

// signToken returns a token for the user, valid until expires.
func signToken(secret []byte, userID int64, expires time.Time) string {
	payload := strconv.FormatInt(userID, 10) + "." + strconv.FormatInt(expires.Unix(), 10)
	return payload + "." + mac(secret, payload)
}

// verifyToken returns the user a token names, if its signature holds and it
// has not expired at now.
func verifyToken(secret []byte, token string, now time.Time) (int64, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return 0, errBadToken
	}
	payload := parts[0] + "." + parts[1]
	if !hmac.Equal([]byte(parts[2]), []byte(mac(secret, payload))) {
		return 0, errBadToken
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 || !now.Before(time.Unix(exp, 0)) {
		return 0, errBadToken
	}
	return id, nil
}

func mac(secret []byte, payload string) string {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("unsubscribe:" + payload))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}
