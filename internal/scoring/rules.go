package scoring

import (
	"math"
	"time"
)

// Rules are an org's weights and thresholds. Most fields are stored per org
// as JSON; to stay compatible with rules saved before a field existed, decode
// stored rules onto DefaultRules() rather than onto a zero Rules:
//
//	r := scoring.DefaultRules()
//	err := json.Unmarshal(stored, &r)
//
// Fields tagged json:"-" are filled by the loader from elsewhere: the saved
// version, the org's timezone and business hours (columns of the org), and
// the effort percentile, which is computed from the org's won deals.
type Rules struct {
	Version  int            `json:"-"`
	Location *time.Location `json:"-"` // org timezone; nil means UTC

	// Business hours, Monday to Friday, from the start hour (inclusive) to
	// the end hour (exclusive) in Location: 9 and 18 mean 09:00–17:59.
	BusinessStartHour int `json:"-"`
	BusinessEndHour   int `json:"-"`

	WatchFrom float64 `json:"watch_from"` // points from which the band is watch
	FlagFrom  float64 `json:"flag_from"`  // points from which the band is not_good_money

	MarginWeight float64 `json:"margin_weight"`
	MarginFloor  float64 `json:"margin_floor"` // fraction; a margin below it fires

	DiscountWeight float64 `json:"discount_weight"`
	DiscountFrom   float64 `json:"discount_from"` // fraction off list above which it fires
	DiscountFull   float64 `json:"discount_full"` // fraction off list at full severity

	RequotesWeight float64 `json:"requotes_weight"`
	RequotesFrom   int     `json:"requotes_from"` // quotes at severity 0.5
	RequotesFull   int     `json:"requotes_full"` // quotes at severity 1

	UnresponsiveWeight float64 `json:"unresponsive_weight"`
	UnresponsiveFrom   int     `json:"unresponsive_from"` // unanswered chases in a row at 0.5
	UnresponsiveFull   int     `json:"unresponsive_full"` // unanswered chases in a row at 1
	ReplyWindowDays    int     `json:"reply_window_days"` // a reply within this answers a chase
	SilenceDays        int     `json:"silence_days"`      // days without a reply at 0.5
	SilenceFullDays    int     `json:"silence_full_days"` // days without a reply at 1

	TerseWeight         float64 `json:"terse_weight"`
	TerseMinReplies     int     `json:"terse_min_replies"`      // written replies needed to judge
	TerseMaxMedianWords int     `json:"terse_max_median_words"` // median at or below it fires

	WontCommitWeight float64 `json:"wont_commit_weight"`
	WontCommitFrom   int     `json:"wont_commit_from"` // failed meetings at 0.5
	WontCommitFull   int     `json:"wont_commit_full"` // failed meetings at 1

	OffHoursWeight     float64 `json:"off_hours_weight"`
	OffHoursShare      float64 `json:"off_hours_share"`       // fraction of inbound outside hours that fires
	OffHoursMinInbound int     `json:"off_hours_min_inbound"` // inbound touches needed to judge

	EffortWeight     float64 `json:"effort_weight"`
	EffortFallback   float64 `json:"effort_fallback"`    // touches per 1,000 when EffortP90 is 0
	EffortMinTouches int     `json:"effort_min_touches"` // touches needed to judge
	EffortP90        float64 `json:"-"`                  // org's 90th percentile for won deals; 0 = fallback

	FuturePromiseWeight float64 `json:"future_promise_weight"`

	// TriadMinSeverity is how strong each of thin margin, unresponsive and
	// requotes must be for their coming together to flag the deal.
	TriadMinSeverity float64 `json:"triad_min_severity"`
}

// DefaultRules returns the thresholds and weights of DESIGN.md, plus the
// choices this package documents where the design left them open.
func DefaultRules() Rules {
	return Rules{
		BusinessStartHour: 9,
		BusinessEndHour:   18,
		WatchFrom:         20,
		FlagFrom:          45,

		MarginWeight: 30,
		MarginFloor:  0.20,

		DiscountWeight: 15,
		DiscountFrom:   0.25,
		DiscountFull:   0.50,

		RequotesWeight: 20,
		RequotesFrom:   3,
		RequotesFull:   5,

		UnresponsiveWeight: 25,
		UnresponsiveFrom:   3,
		UnresponsiveFull:   5,
		ReplyWindowDays:    5,
		SilenceDays:        14,
		SilenceFullDays:    28,

		TerseWeight:         10,
		TerseMinReplies:     3,
		TerseMaxMedianWords: 3,

		WontCommitWeight: 15,
		WontCommitFrom:   2,
		WontCommitFull:   3,

		OffHoursWeight:     10,
		OffHoursShare:      0.30,
		OffHoursMinInbound: 3,

		EffortWeight:     15,
		EffortFallback:   3,
		EffortMinTouches: 5,

		FuturePromiseWeight: 5,

		TriadMinSeverity: 0.25,
	}
}

// Validate checks rules typed into the settings form. It returns nil when
// they are usable, otherwise a plain message per field, keyed by the field's
// JSON name (business hours by "business_start_hour" and "business_end_hour").
func (r Rules) Validate() map[string]string {
	v := validation{}
	v.hour("business_start_hour", r.BusinessStartHour, 0, 23)
	v.hour("business_end_hour", r.BusinessEndHour, 1, 24)
	if r.BusinessStartHour >= r.BusinessEndHour {
		v.set("business_end_hour", "Business hours must end after they start.")
	}

	v.between("watch_from", r.WatchFrom, 0, 100, "Enter points from 0 to 100.")
	v.between("flag_from", r.FlagFrom, 1, 100, "Enter points from 1 to 100.")
	if r.WatchFrom > r.FlagFrom {
		v.set("watch_from", "Watch must start at or below the flag line.")
	}

	for name, w := range map[string]float64{
		"margin_weight":         r.MarginWeight,
		"discount_weight":       r.DiscountWeight,
		"requotes_weight":       r.RequotesWeight,
		"unresponsive_weight":   r.UnresponsiveWeight,
		"terse_weight":          r.TerseWeight,
		"wont_commit_weight":    r.WontCommitWeight,
		"off_hours_weight":      r.OffHoursWeight,
		"effort_weight":         r.EffortWeight,
		"future_promise_weight": r.FuturePromiseWeight,
	} {
		v.between(name, w, 0, 100, "Enter a weight from 0 to 100.")
	}

	v.fraction("margin_floor", r.MarginFloor)
	v.fraction("discount_from", r.DiscountFrom)
	v.fraction("discount_full", r.DiscountFull)
	if r.DiscountFull <= r.DiscountFrom {
		v.set("discount_full", "Full strength must be a deeper discount than the threshold.")
	}
	v.fraction("off_hours_share", r.OffHoursShare)
	if r.OffHoursShare == 0 {
		v.set("off_hours_share", "Enter a share above 0, or set the weight to 0 to switch this off.")
	}
	v.fraction("triad_min_severity", r.TriadMinSeverity)

	v.ramp("requotes_from", "requotes_full", r.RequotesFrom, r.RequotesFull)
	v.ramp("unresponsive_from", "unresponsive_full", r.UnresponsiveFrom, r.UnresponsiveFull)
	v.ramp("silence_days", "silence_full_days", r.SilenceDays, r.SilenceFullDays)
	v.ramp("wont_commit_from", "wont_commit_full", r.WontCommitFrom, r.WontCommitFull)
	v.count("reply_window_days", r.ReplyWindowDays)
	v.count("terse_min_replies", r.TerseMinReplies)
	v.count("terse_max_median_words", r.TerseMaxMedianWords)
	v.count("off_hours_min_inbound", r.OffHoursMinInbound)
	v.count("effort_min_touches", r.EffortMinTouches)
	if !(r.EffortFallback > 0 && r.EffortFallback <= 1000) {
		v.set("effort_fallback", "Enter touches per 1,000 above 0, for example 3.")
	}

	if len(v) == 0 {
		return nil
	}
	return v
}

// maxCount bounds counts and day spans so that no setting can overflow a
// duration or make a rule impossible to reach by accident.
const maxCount = 3650

// validation accumulates the first message for each field.
type validation map[string]string

func (v validation) set(field, msg string) {
	if _, ok := v[field]; !ok {
		v[field] = msg
	}
}

// between also rejects NaN, which compares false with everything.
func (v validation) between(field string, x, lo, hi float64, msg string) {
	if !(x >= lo && x <= hi) || math.IsInf(x, 0) {
		v.set(field, msg)
	}
}

func (v validation) fraction(field string, x float64) {
	// Stored as a fraction, typed as a percentage on the settings page.
	v.between(field, x, 0, 1, "Enter a percentage from 0 to 100, like 25.")
}

func (v validation) hour(field string, h, lo, hi int) {
	if h < lo || h > hi {
		v.set(field, "Enter an hour from "+itoa(lo)+" to "+itoa(hi)+".")
	}
}

func (v validation) count(field string, n int) {
	if n < 1 || n > maxCount {
		v.set(field, "Enter a whole number from 1 to "+itoa(maxCount)+".")
	}
}

// ramp checks a pair of thresholds where the second marks full strength.
func (v validation) ramp(fromField, fullField string, from, full int) {
	v.count(fromField, from)
	v.count(fullField, full)
	if full < from {
		v.set(fullField, "Full strength must be at or above the threshold.")
	}
}

// location is the org's timezone, UTC when unset.
func (r Rules) location() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// band maps points to a band. It compares the rounded points a person sees,
// so a card showing 45 never says watch when the flag line is 45.
func (r Rules) band(points int) Band {
	switch p := float64(points); {
	case p >= r.FlagFrom:
		return BandNotGoodMoney
	case p >= r.WatchFrom:
		return BandWatch
	}
	return BandOK
}

// days converts a day count to a duration of 24-hour days, clamped so that a
// bad setting cannot overflow. Reply windows and silences are spans of time
// since a touch, so a day is 24 hours even across a DST change.
func days(n int) time.Duration {
	return time.Duration(min(max(n, 0), maxCount)) * 24 * time.Hour
}
