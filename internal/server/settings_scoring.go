package server

import (
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"goodmoney/internal/pipeline"
	"goodmoney/internal/scoring"
	"goodmoney/web"
)

// scoringSettings shows the rules in force in the form.
func (s *Server) scoringSettings(w http.ResponseWriter, r *http.Request) {
	current, err := s.Scoring.CurrentRules(r.Context(), actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderScoring(w, r, http.StatusOK, current, ruleValues(current.Rules), nil, nil)
}

// scoringSettingsSave answers both buttons of the form: action=preview shows
// what the typed rules would flag and keeps them in the form; action=save
// stores them as a new version and answers 303 with a flash. Bad values come
// back as 422 with the message beside the field.
func (s *Server) scoringSettingsSave(w http.ResponseWriter, r *http.Request) {
	current, err := s.Scoring.CurrentRules(r.Context(), actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	values := formRuleValues(r)
	rules, errs := parseRules(values, current.Rules)
	switch {
	case len(errs) > 0:
		s.renderScoringErrors(w, r, http.StatusUnprocessableEntity, current, values, errs)
	case r.PostFormValue("action") == "save":
		s.saveRules(w, r, current, values, rules)
	default:
		preview, err := s.Scoring.PreviewRules(r.Context(), actor(r), rules)
		if err != nil {
			s.scoringRefused(w, r, current, values, err)
			return
		}
		s.renderScoring(w, r, http.StatusOK, current, values, nil, preview)
	}
}

// saveRules saves a new version and redirects with a flash that says whether
// the rescore was queued or, without a job queue, already ran.
func (s *Server) saveRules(w http.ResponseWriter, r *http.Request, current *pipeline.RulesVersion, values map[string]string, rules scoring.Rules) {
	saved, err := s.Scoring.SaveRules(r.Context(), actor(r), rules)
	if err != nil {
		s.scoringRefused(w, r, current, values, err)
		return
	}
	msg := "Saved version " + strconv.Itoa(saved.Version) + "; "
	switch {
	case saved.Queued:
		msg += "rescoring all open deals."
	case saved.RescoreErr != nil:
		s.Logger.Error("rescore after saving rules", "org", actor(r).OrgID, "err", saved.RescoreErr)
		msg += "rescoring failed and will be retried by the periodic rescore."
	default:
		msg += "rescored " + strconv.Itoa(saved.Rescored.Deals) + " open deals."
	}
	s.flash(r, msg)
	http.Redirect(w, r, "/settings/scoring", http.StatusSeeOther)
}

// scoringRefused answers a preview or save the service refused: bad values
// (422) or a save at the same moment as someone else's (409) come back in
// the form; anything else is an error page.
func (s *Server) scoringRefused(w http.ResponseWriter, r *http.Request, current *pipeline.RulesVersion, values map[string]string, err error) {
	code := pipeline.ErrorCode(err)
	if code != pipeline.EINVALID && code != pipeline.ECONFLICT {
		s.fail(w, r, err)
		return
	}
	errs := formErrors{}
	errs.merge(pipeline.FieldErrors(err))
	if code == pipeline.ECONFLICT {
		errs[web.FormErrorKey] = pipeline.ErrorMessage(err)
	}
	s.renderScoringErrors(w, r, errorStatus(err), current, values, errs)
}

// renderScoringErrors shows the form with its messages. The page is long,
// so a line at the top says that a field further down needs a fix.
func (s *Server) renderScoringErrors(w http.ResponseWriter, r *http.Request, status int, current *pipeline.RulesVersion, values map[string]string, errs formErrors) {
	if _, ok := errs[web.FormErrorKey]; !ok {
		errs[web.FormErrorKey] = "Please correct the highlighted fields; nothing was saved."
	}
	s.renderScoring(w, r, status, current, values, errs, nil)
}

// renderScoring shows the settings page.
func (s *Server) renderScoring(w http.ResponseWriter, r *http.Request, status int, current *pipeline.RulesVersion,
	values, errs map[string]string, preview *pipeline.RulesPreview) {
	rules := current.Rules
	v := web.ScoringView{
		Version:   rules.Version,
		SavedBy:   current.SavedBy,
		SavedAt:   current.SavedAt,
		Hours:     businessHours(rules),
		EffortP90: rules.EffortP90,
		Values:    values,
		Errors:    errs,
		Changes:   ruleChanges(rules, values),
		Posted:    r.Method == http.MethodPost,
		Preview:   previewView(preview),
		Loc:       userLoc(r),
		CanSave:   actor(r).IsAdmin(),
	}
	s.render(w, r, status, web.ScoringPage(s.page(r, "Scoring rules", web.NavScoring), v))
}

func businessHours(r scoring.Rules) string {
	tz := "UTC"
	if r.Location != nil {
		tz = r.Location.String()
	}
	return strconv.Itoa(r.BusinessStartHour) + ":00–" + strconv.Itoa(r.BusinessEndHour) + ":00, " + tz
}

func previewView(p *pipeline.RulesPreview) *web.ScoringPreview {
	if p == nil {
		return nil
	}
	deals := func(ds []pipeline.PreviewDeal) []web.PreviewDeal {
		out := make([]web.PreviewDeal, len(ds))
		for i, d := range ds {
			out[i] = web.PreviewDeal{ID: d.ID, Title: d.Title, Prospect: d.Prospect, PointsNow: d.PointsNow, Points: d.Points}
		}
		return out
	}
	return &web.ScoringPreview{Open: p.Open, Flagged: p.Flagged, FlaggedNow: p.FlaggedNow, More: p.More, Fewer: p.Fewer,
		NewlyFlagged: deals(p.NewlyFlagged), Unflagged: deals(p.Unflagged), BackTest: previewBackTestView(p)}
}

// The form has one field per setting of scoring.Rules, named by its JSON
// name; the helpers below walk the struct's fields rather than list them, so
// a setting added to scoring appears here without a second list to update
// (web.ScoringGroups gives it a label, and a test checks it does).

// ruleSetting is one settable field of scoring.Rules. A percent setting is
// a fraction in the rules and a percentage in the form.
type ruleSetting struct {
	name    string
	index   int
	percent bool
}

// ruleSettings lists the fields of scoring.Rules stored as JSON.
func ruleSettings() []ruleSetting {
	t := reflect.TypeFor[scoring.Rules]()
	percent := web.PercentSettings()
	var out []ruleSetting
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, ruleSetting{name: name, index: i, percent: percent[name]})
		}
	}
	return out
}

// ruleValues formats rules for the form, fractions as percentages
// (0.2 is "20"; rounding drops float noise such as 0.07 × 100 = 7.000000000000001).
func ruleValues(rules scoring.Rules) map[string]string {
	rv := reflect.ValueOf(rules)
	values := map[string]string{}
	for _, f := range ruleSettings() {
		switch v := rv.Field(f.index); v.Kind() {
		case reflect.Int:
			values[f.name] = strconv.FormatInt(v.Int(), 10)
		case reflect.Float64:
			x := v.Float()
			if f.percent {
				x = math.Round(x*100*1e6) / 1e6
			}
			values[f.name] = strconv.FormatFloat(x, 'f', -1, 64)
		}
	}
	return values
}

// ruleChanges lists, in page order, the settings whose typed value differs
// from the rules in force. Values that do not parse are left out: their
// field carries the message.
func ruleChanges(current scoring.Rules, typed map[string]string) []web.RuleChange {
	rules, _ := parseRules(typed, current)
	now, next := ruleValues(current), ruleValues(rules)
	var out []web.RuleChange
	for _, g := range web.ScoringGroups {
		for _, f := range g.Fields {
			if now[f.Name] != next[f.Name] {
				out = append(out, web.RuleChange{Name: f.Name, From: now[f.Name], To: next[f.Name]})
			}
		}
	}
	return out
}

// formRuleValues reads the form's values as typed.
func formRuleValues(r *http.Request) map[string]string {
	values := map[string]string{}
	for _, f := range ruleSettings() {
		values[f.name] = strings.TrimSpace(r.PostFormValue(f.name))
	}
	return values
}

// parseRules reads the typed values onto base (which supplies the fields the
// form does not carry), percentages back into fractions. It only checks that each is a number of the right
// kind; ranges are scoring.Rules.Validate's business.
func parseRules(values map[string]string, base scoring.Rules) (scoring.Rules, formErrors) {
	errs := formErrors{}
	rv := reflect.ValueOf(&base).Elem()
	for _, f := range ruleSettings() {
		raw := values[f.name]
		switch v := rv.Field(f.index); v.Kind() {
		case reflect.Int:
			n, err := strconv.Atoi(raw)
			if err != nil {
				errs[f.name] = "Enter a whole number, like 3."
				continue
			}
			v.SetInt(int64(n))
		case reflect.Float64:
			if f.percent {
				raw = strings.TrimSpace(strings.TrimSuffix(raw, "%"))
			}
			x, err := strconv.ParseFloat(raw, 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				errs[f.name] = "Enter a number, like 30 or 12.5."
				continue
			}
			if f.percent {
				x /= 100
			}
			v.SetFloat(x)
		}
	}
	return base, errs
}
