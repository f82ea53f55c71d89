// Package money holds amounts of money as whole cents and converts them from
// what people type into forms and back into what people read.
//
// Amounts are integers so that sums never drift: a deal of 12,500.10 is
// exactly 1250010 cents everywhere, in the database, in scoring and on screen.
package money

import (
	"strconv"
	"strings"
)

// Cents is an amount of money in minor units (cents, pence), without a
// currency. Parse never returns a negative value, but arithmetic on Cents
// (a difference, for instance) may be negative, so every method handles it.
type Cents int64

// MaxUnits bounds what Parse accepts: amounts must be below ten trillion
// major units. No sales deal comes near it, and the bound keeps every parsed
// amount, and sums of many of them, far away from int64 overflow.
const MaxUnits = 10_000_000_000_000

// Error is a problem with typed input. Its text is written for the person who
// typed the amount, so a form can show it next to the field unchanged: a
// sentence with a capital and a full stop, like every other message beside a
// field (not the lower-case style of Go's own error strings).
type Error string

func (e Error) Error() string { return string(e) }

// The errors Parse returns. ErrEmpty is separate so that callers can treat an
// optional field (a deal's list price or cost) as "not entered".
const (
	ErrEmpty    Error = "Enter an amount."
	ErrInvalid  Error = "Enter an amount like 12,500.00."
	ErrNegative Error = "Enter an amount of zero or more."
	ErrDecimals Error = "Use at most two decimals, like 12,500.50."
	ErrTooLarge Error = "Enter an amount below 10,000,000,000,000."
)

// Parse reads an amount the way people type it in the US style: digits with
// optional comma thousands separators ("12,500"), an optional dot and one or
// two decimals ("12500.5"), an optional $, € or £ in front ("$12,500.00",
// "€ 1,234.56") and spaces around it. Commas must separate groups of three
// digits, because "1,23,4" is more likely a typo than a number we could guess.
// It returns ErrEmpty for blank input, ErrNegative for a minus sign,
// ErrDecimals for more than two decimals, ErrTooLarge for MaxUnits or more and
// ErrInvalid for anything else it cannot read.
func Parse(s string) (Cents, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ErrEmpty
	}
	// Accept the sign on either side of the symbol ("-$5" and "$-5") only to
	// give the clearer message; a negative amount is never valid.
	s, neg := cutMinus(s)
	s = cutSymbol(s)
	if !neg {
		s, neg = cutMinus(s)
	}
	c, err := parseNumber(s)
	if err != nil {
		return 0, err
	}
	if neg {
		return 0, ErrNegative
	}
	return c, nil
}

// cutMinus removes a leading ASCII hyphen or Unicode minus sign, which phones
// and word processors sometimes substitute.
func cutMinus(s string) (string, bool) {
	for _, m := range []string{"-", "\u2212"} {
		if rest, ok := strings.CutPrefix(s, m); ok {
			return strings.TrimSpace(rest), true
		}
	}
	return s, false
}

// cutSymbol removes one leading currency symbol and the spaces after it.
func cutSymbol(s string) string {
	for _, sym := range []string{"$", "€", "£"} {
		if rest, ok := strings.CutPrefix(s, sym); ok {
			return strings.TrimSpace(rest)
		}
	}
	return s
}

// parseNumber reads the bare number: integer part, then optional decimals.
func parseNumber(s string) (Cents, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, ErrInvalid
	}
	units, err := parseWhole(whole)
	if err != nil {
		return 0, err
	}
	cents, err := parseFraction(frac)
	if err != nil {
		return 0, err
	}
	return Cents(units*100 + cents), nil
}

// parseWhole reads the integer part, with or without thousands separators.
// An empty part is zero, so ".50" reads as half a unit.
func parseWhole(s string) (int64, error) {
	if strings.Contains(s, ",") && !groupedByThousands(s) {
		return 0, ErrInvalid
	}
	var n int64
	tooLarge := false
	for i := 0; i < len(s); i++ {
		d := s[i]
		switch {
		case d == ',':
			continue
		case d < '0' || d > '9':
			return 0, ErrInvalid
		case !tooLarge:
			n = n*10 + int64(d-'0')
			// Stop accumulating but keep checking the rest, so that
			// "99999999999999x" is reported as invalid, not too large.
			tooLarge = n >= MaxUnits
		}
	}
	if tooLarge {
		return 0, ErrTooLarge
	}
	return n, nil
}

// groupedByThousands reports whether the commas in s split it into a leading
// group of one to three characters followed by groups of exactly three.
func groupedByThousands(s string) bool {
	first := strings.IndexByte(s, ',')
	if first < 1 || first > 3 {
		return false
	}
	rest := s[first:]
	if len(rest)%4 != 0 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if (i%4 == 0) != (rest[i] == ',') {
			return false
		}
	}
	return true
}

// parseFraction reads up to two decimals as cents: "5" is 50, "05" is 5.
func parseFraction(s string) (int64, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, ErrInvalid
		}
	}
	switch len(s) {
	case 0:
		return 0, nil
	case 1:
		return int64(s[0]-'0') * 10, nil
	case 2:
		return int64(s[0]-'0')*10 + int64(s[1]-'0'), nil
	default:
		return 0, ErrDecimals
	}
}

// String formats the amount for reading, with thousands separators and always
// two decimals and no symbol: "12,500.00". Use Format to show a currency.
func (c Cents) String() string {
	var buf [32]byte
	return string(appendAmount(buf[:0], c, true, true))
}

// Input formats the amount to put back into a form field: no separators, and
// decimals only when there are cents ("12500", "12500.50"), so that what the
// person sees is short and Parse reads it back to the same value.
func (c Cents) Input() string {
	var buf [32]byte
	return string(appendAmount(buf[:0], c, false, c%100 != 0))
}

// Format shows the amount with its currency, the way a deal card reads:
// "$12,500" when whole and "$12,500.50" otherwise. USD, EUR and GBP use their
// symbols; any other ISO code is written in front ("CHF 12,500"); an empty
// currency shows the bare number.
func Format(c Cents, currency string) string {
	var buf [40]byte
	return string(AppendFormat(buf[:0], c, currency))
}

// AppendFormat appends Format(c, currency) to dst. It lets callers that build
// many lines (scoring evidence) avoid an allocation per amount.
func AppendFormat(dst []byte, c Cents, currency string) []byte {
	if c < 0 {
		dst = append(dst, '-')
	}
	switch strings.ToUpper(currency) {
	case "USD":
		dst = append(dst, '$')
	case "EUR":
		dst = append(dst, "€"...)
	case "GBP":
		dst = append(dst, "£"...)
	case "":
	default:
		dst = append(dst, currency...)
		dst = append(dst, ' ')
	}
	return appendMagnitude(dst, c, true, c%100 != 0)
}

// appendAmount appends the amount with its sign.
func appendAmount(dst []byte, c Cents, grouped, decimals bool) []byte {
	if c < 0 {
		dst = append(dst, '-')
	}
	return appendMagnitude(dst, c, grouped, decimals)
}

// appendMagnitude appends |c|, optionally grouped by thousands and with two
// decimals. It works in uint64 so that the most negative Cents has a magnitude.
func appendMagnitude(dst []byte, c Cents, grouped, decimals bool) []byte {
	u := uint64(c)
	if c < 0 {
		u = -u
	}
	units, cents := u/100, u%100
	var digits [20]byte
	d := strconv.AppendUint(digits[:0], units, 10)
	for i, ch := range d {
		if grouped && i > 0 && (len(d)-i)%3 == 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, ch)
	}
	if decimals {
		dst = append(dst, '.', byte('0'+cents/10), byte('0'+cents%10))
	}
	return dst
}
