package scoring

import (
	"testing"

	"goodmoney/internal/money"
)

func TestMarginAndDiscount(t *testing.T) {
	c := func(v int64) *money.Cents { x := money.Cents(v); return &x }
	for _, tc := range []struct {
		name                 string
		amount               money.Cents
		cost, list           *money.Cents
		margin, discount     float64
		hasMargin, hasDiscnt bool
	}{
		{"both known", 10000, c(7500), c(12500), 0.25, 0.2, true, true},
		{"at a loss, above list", 10000, c(12000), c(8000), -0.2, -0.25, true, true},
		{"nothing known", 10000, nil, nil, 0, 0, false, false},
		{"no amount", 0, c(100), c(100), 0, 1, false, true},
		{"zero list", 10000, c(0), c(0), 1, 0, true, false},
	} {
		m, okM := Margin(tc.amount, tc.cost)
		d, okD := Discount(tc.amount, tc.list)
		if m != tc.margin || okM != tc.hasMargin || d != tc.discount || okD != tc.hasDiscnt {
			t.Errorf("%s: margin %v %v, discount %v %v; want %v %v, %v %v",
				tc.name, m, okM, d, okD, tc.margin, tc.hasMargin, tc.discount, tc.hasDiscnt)
		}
	}
}
