package web

import (
	"strconv"
	"strings"
	"time"
)

// ScoringView is /settings/scoring: the rules in force, the form to change
// them and, after a preview, what the typed rules would flag.
type ScoringView struct {
	Version   int       // rules version in force; 0 is the built-in defaults
	SavedBy   string    // who saved it; "" for the defaults
	SavedAt   time.Time // zero for the defaults
	Hours     string    // the org's business hours and timezone, e.g. "9:00–18:00, America/New_York"
	EffortP90 float64   // the org's effort percentile from won deals; 0 when the fallback applies
	// Values holds the form's values as typed, by setting name (the rule's
	// JSON name); Errors the message beside each, plus FormErrorKey.
	Values map[string]string
	Errors map[string]string
	// Changes lists the settings whose typed value differs from the rules
	// in force, in page order; nil on a fresh page.
	Changes []RuleChange
	// Posted is true when the form came back (a preview or a refusal), so
	// the summary can say "no changes" rather than nothing.
	Posted  bool
	Preview *ScoringPreview // nil until "Preview" is pressed
	Loc     *time.Location
	CanSave bool // admins save; managers only preview
}

// RuleChange is one setting the typed rules change: its name and the value
// in force and the typed value, both as the form shows them.
type RuleChange struct {
	Name, From, To string
}

// ScoringPreview is what the typed rules would do to the org's open deals.
type ScoringPreview struct {
	Open, Flagged, FlaggedNow, More, Fewer int
	NewlyFlagged, Unflagged                []PreviewDeal // a few examples of each
	BackTest                               *PreviewBackTest
}

// PreviewDeal is a deal whose flag the typed rules would raise or lower.
type PreviewDeal struct {
	ID                int64
	Title, Prospect   string
	PointsNow, Points int
}

// RuleGroup is the settings of one signal (or of the bands) on the page.
type RuleGroup struct {
	Signal string // the signal code, "" for the bands
	Title  string
	Intro  string
	Fields []RuleField
}

// RuleField is one setting. Name is the rule's JSON name, which is also the
// form field's name and the key of its error. A Percent setting is stored as
// a fraction (0.2) and typed and shown as a percentage (20).
type RuleField struct {
	Name, Label, Hint string
	Percent           bool
}

// plain is a setting typed as stored.
func plain(name, label, hint string) RuleField {
	return RuleField{Name: name, Label: label, Hint: hint}
}

// pct is a setting stored as a fraction and typed in percent.
func pct(name, label, hint string) RuleField {
	return RuleField{Name: name, Label: label, Hint: hint, Percent: true}
}

// PercentSettings names the settings typed in percent.
func PercentSettings() map[string]bool {
	out := map[string]bool{}
	for _, g := range ScoringGroups {
		for _, f := range g.Fields {
			if f.Percent {
				out[f.Name] = true
			}
		}
	}
	return out
}

// ruleLabel names a setting for the summary of changes: the group's title
// and the field's label ("Thin margin: weight").
func ruleLabel(name string) string {
	for _, g := range ScoringGroups {
		for _, f := range g.Fields {
			if f.Name == name {
				label := strings.TrimSuffix(f.Label, " (%)")
				return g.Title + ": " + strings.ToLower(label[:1]) + label[1:]
			}
		}
	}
	return name
}

// ruleUnit is what follows a setting's value in the summary.
func ruleUnit(name string) string {
	if PercentSettings()[name] {
		return " %"
	}
	return ""
}

// ScoringGroups lists every setting of the scoring rules, grouped by signal,
// in the order the page shows them.
var ScoringGroups = []RuleGroup{
	{Title: "Bands", Intro: "A deal's points (0 to 100) are the sum of the signals below; these lines turn them into a verdict.",
		Fields: []RuleField{
			plain("watch_from", "Watch from", "Points from which a deal is marked Watch."),
			plain("flag_from", "Not good money from", "Points from which a deal is flagged for review."),
		}},
	{Signal: "margin_hit", Title: "Thin margin", Intro: "The deal keeps too little of its price.",
		Fields: []RuleField{
			weight("margin_weight"),
			pct("margin_floor", "Margin floor (%)", "A margin below this percentage fires. Selling at a loss counts one and a half times the weight."),
		}},
	{Signal: "discount_depth", Title: "Deep discount", Intro: "The price is far below the list price.",
		Fields: []RuleField{
			weight("discount_weight"),
			pct("discount_from", "Discount that fires (%)", "Percent off the list price: 25 is a quarter off."),
			pct("discount_full", "Discount at full strength (%)", "At this discount the signal counts its whole weight."),
		}},
	{Signal: "requotes", Title: "Quoted again and again", Intro: "The same deal keeps getting new quotes.",
		Fields: []RuleField{
			weight("requotes_weight"),
			plain("requotes_from", "Quotes that fire", "At this many quotes the signal counts half its weight."),
			plain("requotes_full", "Quotes at full strength", "At this many quotes it counts its whole weight."),
		}},
	{Signal: "unresponsive", Title: "Prospect does not answer", Intro: "Calls, emails and quotes go out and nothing comes back.",
		Fields: []RuleField{
			weight("unresponsive_weight"),
			plain("unresponsive_from", "Unanswered touches in a row that fire", "Counts half the weight at this many."),
			plain("unresponsive_full", "Unanswered touches at full strength", "Counts the whole weight at this many."),
			plain("reply_window_days", "Days a reply may take", "A reply within this many days answers a touch."),
			plain("silence_days", "Days of silence that fire", "Days since the prospect last answered while the rep keeps reaching out."),
			plain("silence_full_days", "Days of silence at full strength", ""),
		}},
	{Signal: "terse_replies", Title: "One-word replies", Intro: "Written replies are a word or two long.",
		Fields: []RuleField{
			weight("terse_weight"),
			plain("terse_min_replies", "Replies needed to judge", "Fewer written replies than this say too little."),
			plain("terse_max_median_words", "Words in a typical reply", "Fires when the median reply is this many words or fewer."),
		}},
	{Signal: "wont_commit", Title: "Won't commit to a time", Intro: "Meetings and calls are missed, moved or declined.",
		Fields: []RuleField{
			weight("wont_commit_weight"),
			plain("wont_commit_from", "Missed meetings that fire", "Counts half the weight at this many."),
			plain("wont_commit_full", "Missed meetings at full strength", "Counts the whole weight at this many."),
		}},
	{Signal: "off_hours", Title: "Replies after hours", Intro: "The prospect answers in the evening or at weekends.",
		Fields: []RuleField{
			weight("off_hours_weight"),
			pct("off_hours_share", "Share of replies after hours (%)", "Percent of the inbound touches."),
			plain("off_hours_min_inbound", "Inbound touches needed to judge", ""),
		}},
	{Signal: "effort_vs_value", Title: "Effort out of proportion", Intro: "More touches per 1,000 of value than your won deals needed.",
		Fields: []RuleField{
			weight("effort_weight"),
			plain("effort_fallback", "Touches per 1,000 without history", "Used until there are enough won deals to learn from."),
			plain("effort_min_touches", "Touches needed to judge", ""),
		}},
	{Signal: "future_promise", Title: "Promised future business", Intro: "The deal is marked as bringing more business later.",
		Fields: []RuleField{weight("future_promise_weight")}},
	{Signal: "triad", Title: "Thin, silent and re-quoted", Intro: "A thin margin, a silent prospect and repeated quotes together flag a deal whatever its total.",
		Fields: []RuleField{
			pct("triad_min_severity", "Strength each of the three needs (%)", "Percent of each signal's full strength: 25 means a margin at least a quarter of the way down from the floor to zero."),
		}},
}

// weight is a signal's weight field.
func weight(name string) RuleField {
	return RuleField{Name: name, Label: "Weight", Hint: "Points at full strength, 0 to 100; 0 switches the signal off."}
}

// previewHeadline is the preview's first line.
func previewHeadline(p *ScoringPreview) string {
	return "With these rules " + countLabel(p.Flagged, "open deal", "open deals") + " would be flagged (" +
		strconv.Itoa(p.More) + " more, " + strconv.Itoa(p.Fewer) + " fewer than now)."
}

// groupHeadingID is the id of a rule group's heading.
func groupHeadingID(g RuleGroup) string {
	return "rules-" + cssToken(defaultString(g.Signal, "bands"))
}

// effortNote says what the effort signal compares a deal with.
func effortNote(p90 float64) string {
	if !(p90 > 0) {
		return "Your won deals are too few to learn from yet, so the limit below applies."
	}
	return "9 in 10 of your won deals needed at most " + strconv.FormatFloat(p90, 'f', 2, 64) +
		" touches per 1,000 of value; deals above that fire. The limit below applies only without that history."
}

// previewPoints says how a deal's points would change: "38 → 52 points",
// or "35 points" when only the flag line moved.
func previewPoints(d PreviewDeal) string {
	if d.PointsNow == d.Points {
		return strconv.Itoa(d.Points) + " points"
	}
	return strconv.Itoa(d.PointsNow) + " → " + strconv.Itoa(d.Points) + " points"
}

// SignalTitle is the short name of a signal ("Thin margin"), "" for an unknown code.
func SignalTitle(code string) string {
	for _, g := range ScoringGroups {
		if g.Signal == code && code != "" {
			return g.Title
		}
	}
	return ""
}

// PreviewBackTest is the typed rules and the rules in force back-tested
// over the same closed deals, the outcomes report's default period.
type PreviewBackTest struct {
	Period, Report       string // the period in words; the report's address
	Deals                int
	Current, Proposed    BackTestFigures
	Changed, More, Fewer int // deals in another band at their cut; newly flagged; no longer flagged
}

// BackTestFigures are one rule set's back-test figures.
type BackTestFigures struct {
	Flagged, Caught, Bad    int
	HasPrecision, HasRecall bool
	Precision, Recall       float64 // rounded to two places, as the report shows them
}
