package money_test

import (
	"errors"
	"math"
	"testing"

	"goodmoney/internal/money"
)

func TestParse(t *testing.T) {
	good := []struct {
		in   string
		want money.Cents
	}{
		{"12500", 1250000},
		{"12,500.00", 1250000},
		{"$12,500", 1250000},
		{" 12500.5 ", 1250050},
		{"€1,234.56", 123456},
		{"£ 1,234.56", 123456},
		{"$ 7", 700},
		{"0", 0},
		{"0.01", 1},
		{".5", 50},
		{"12.", 1200},
		{"12.05", 1205},
		{"007", 700},
		{"1,000,000", 100000000},
		{"999,999,999,999.99", 99999999999999},
		{"9999999999999.99", 999999999999999},
		{"\u00a012500\t", 1250000},
	}
	for _, tc := range good {
		t.Run(tc.in, func(t *testing.T) {
			got, err := money.Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q) error %v", tc.in, err)
			}
			if got != tc.want {
				t.Fatalf("Parse(%q) = %d cents, want %d", tc.in, got, tc.want)
			}
		})
	}

	bad := []struct {
		in   string
		want error
	}{
		{"", money.ErrEmpty},
		{"   ", money.ErrEmpty},
		{"-5", money.ErrNegative},
		{"-$5", money.ErrNegative},
		{"$-5", money.ErrNegative},
		{"\u221212", money.ErrNegative},
		{"12.345", money.ErrDecimals},
		{"1,23,4", money.ErrInvalid},
		{"1,2345", money.ErrInvalid},
		{"1234,567", money.ErrInvalid},
		{",500", money.ErrInvalid},
		{"1,000,", money.ErrInvalid},
		{"1,,000", money.ErrInvalid},
		{"abc", money.ErrInvalid},
		{"12a", money.ErrInvalid},
		{"12 500", money.ErrInvalid},
		{"1 234,56", money.ErrInvalid},
		{"12.5.0", money.ErrInvalid},
		{"12.a", money.ErrInvalid},
		{".", money.ErrInvalid},
		{"$", money.ErrInvalid},
		{"-", money.ErrInvalid},
		{"--5", money.ErrInvalid},
		{"+5", money.ErrInvalid},
		{"USD 5", money.ErrInvalid},
		{"5$", money.ErrInvalid},
		{"$$5", money.ErrInvalid},
		{"10000000000000", money.ErrTooLarge},
		{"10,000,000,000,000.00", money.ErrTooLarge},
		{"99999999999999999999999999", money.ErrTooLarge},
		{"99999999999999999999999999x", money.ErrInvalid},
	}
	for _, tc := range bad {
		t.Run("bad/"+tc.in, func(t *testing.T) {
			got, err := money.Parse(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Parse(%q) = %d, %v; want error %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		in              money.Cents
		string, input   string
		usd, eur, chf   string
		gbp, noCurrency string
	}{
		{0, "0.00", "0", "$0", "€0", "CHF 0", "£0", "0"},
		{5, "0.05", "0.05", "$0.05", "€0.05", "CHF 0.05", "£0.05", "0.05"},
		{1250000, "12,500.00", "12500", "$12,500", "€12,500", "CHF 12,500", "£12,500", "12,500"},
		{1250050, "12,500.50", "12500.50", "$12,500.50", "€12,500.50", "CHF 12,500.50", "£12,500.50", "12,500.50"},
		{99999, "999.99", "999.99", "$999.99", "€999.99", "CHF 999.99", "£999.99", "999.99"},
		{100000, "1,000.00", "1000", "$1,000", "€1,000", "CHF 1,000", "£1,000", "1,000"},
		{-1250050, "-12,500.50", "-12500.50", "-$12,500.50", "-€12,500.50", "-CHF 12,500.50", "-£12,500.50", "-12,500.50"},
		{math.MinInt64, "-92,233,720,368,547,758.08", "-92233720368547758.08", "-$92,233,720,368,547,758.08", "", "", "", ""},
	}
	for _, tc := range tests {
		if got := tc.in.String(); got != tc.string {
			t.Errorf("Cents(%d).String() = %q, want %q", tc.in, got, tc.string)
		}
		if got := tc.in.Input(); got != tc.input {
			t.Errorf("Cents(%d).Input() = %q, want %q", tc.in, got, tc.input)
		}
		for cur, want := range map[string]string{"USD": tc.usd, "usd": tc.usd, "EUR": tc.eur, "CHF": tc.chf, "GBP": tc.gbp, "": tc.noCurrency} {
			if want == "" {
				continue
			}
			if got := money.Format(tc.in, cur); got != want {
				t.Errorf("Format(%d, %q) = %q, want %q", tc.in, cur, got, want)
			}
		}
	}
}

// FuzzParse checks that Parse never panics, never returns a negative amount,
// and that every form Cents writes for people is read back to the same value.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"12500", "12,500.00", "$12,500", " 12500.5 ", "€1,234.56", "-5", "1,23,4", "12.345", "9999999999999.99", ".5", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := money.Parse(s)
		if err != nil {
			if c != 0 {
				t.Fatalf("Parse(%q) = %d with error %v; want 0", s, c, err)
			}
			return
		}
		if c < 0 || c >= money.MaxUnits*100 {
			t.Fatalf("Parse(%q) = %d, out of range", s, c)
		}
		for _, back := range []string{c.Input(), c.String(), money.Format(c, "USD"), money.Format(c, "EUR"), money.Format(c, "GBP")} {
			got, err := money.Parse(back)
			if err != nil || got != c {
				t.Fatalf("Parse(%q) = %d; reading back %q gave %d, %v", s, c, back, got, err)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := money.Parse("$1,234,567.89"); err != nil {
			b.Fatal(err)
		}
	}
}
