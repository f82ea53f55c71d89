package scoring

import "goodmoney/internal/money"

// This file holds the signals read from the deal's own numbers.

// Margin is (amount − cost) / amount as a fraction, when the cost is known
// and the amount positive. The deal page shows it and marginHit judges it.
func Margin(amount money.Cents, cost *money.Cents) (float64, bool) {
	if cost == nil || amount <= 0 {
		return 0, false
	}
	return float64(amount-*cost) / float64(amount), true
}

// Discount is (list − amount) / list as a fraction, when the list price is
// known and positive; negative for a premium over list.
func Discount(amount money.Cents, list *money.Cents) (float64, bool) {
	if list == nil || *list <= 0 {
		return 0, false
	}
	return float64(*list-amount) / float64(*list), true
}

// marginHit fires when the margin (amount − cost) / amount is below the
// floor. Severity grows linearly from 0 at the floor to 1 at a 0 % margin,
// and jumps to 1.5 below zero: selling at a loss earns 45 points at the
// default weight, enough to flag the deal on its own, because no amount of
// good behaviour from the prospect makes a loss good money.
//
// Without a cost, or without an amount to divide by, the margin cannot be
// known; a hint says so instead of silently scoring zero.
func marginHit(d Deal, r Rules, st style) finding {
	if d.Amount <= 0 {
		return finding{hint: "Enter the deal's amount to check its margin."}
	}
	if d.Cost == nil {
		return finding{hint: "Enter the deal's cost to check its margin."}
	}
	m, _ := Margin(d.Amount, d.Cost)
	if !(m < r.MarginFloor) {
		return finding{}
	}
	if m < 0 {
		return finding{
			severity: 1.5,
			evidence: "selling at a loss: margin " + pct(m) + " (cost " + st.money(*d.Cost) + " on " + st.money(d.Amount) + ")",
		}
	}
	return finding{
		severity: 1 - linearRamp(m, 0, r.MarginFloor),
		evidence: "margin " + pct(m) + " (cost " + st.money(*d.Cost) + " on " + st.money(d.Amount) + "), floor " + pct(r.MarginFloor),
	}
}

// discountDepth fires when the amount is more than DiscountFrom below the
// list price. Severity grows linearly from 0 there to 1 at DiscountFull
// (50 % by default): the depth of a discount is a continuous measure, and at
// half off the deal has given away as much as it keeps.
//
// An amount above list (a premium) is simply no discount. Without a list
// price, or with a zero one, or without an amount, a hint asks for it.
func discountDepth(d Deal, r Rules, st style) finding {
	switch {
	case d.ListPrice == nil:
		return finding{hint: "Enter the list price to check the discount."}
	case *d.ListPrice <= 0:
		return finding{hint: "Enter a list price above zero to check the discount."}
	case d.Amount <= 0:
		return finding{hint: "Enter the deal's amount to check its discount."}
	}
	off, _ := Discount(d.Amount, d.ListPrice)
	sev := linearRamp(off, r.DiscountFrom, r.DiscountFull)
	if sev == 0 {
		return finding{}
	}
	return finding{
		severity: sev,
		evidence: pct(off) + " off the list price of " + st.money(*d.ListPrice) + " (amount " + st.money(d.Amount) + "), limit " + pct(r.DiscountFrom),
	}
}

// futurePromise fires at full severity when the rep marked the deal as
// carrying a promise of more business later. Such promises are a classic
// reason to accept bad terms now and are seldom honoured, so the mark itself
// is the evidence; its default weight is small because it is an admission,
// not a measurement.
func futurePromise(d Deal) finding {
	if !d.FuturePromise {
		return finding{}
	}
	return finding{
		severity: 1,
		evidence: "marked as bringing more business later; that promise is rarely kept, so judge this deal on its own terms",
	}
}
