package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// decisionFormFrom reads a decision: the flags (checkboxes named flag_id in
// the queue), decision, note and until (a date).
func decisionFormFrom(r *http.Request) (web.DecisionForm, pipeline.DecisionInput, formErrors) {
	_ = r.ParseForm()
	form := web.DecisionForm{Decision: r.PostFormValue("decision"), Note: r.PostFormValue("note"), Until: r.PostFormValue("until")}
	errs := formErrors{}
	for _, v := range r.PostForm["flag_id"] {
		if id, ok := pathID(v); ok {
			form.Selected = append(form.Selected, id)
		}
	}
	in := pipeline.DecisionInput{FlagIDs: form.Selected, Decision: form.Decision, Note: form.Note}
	if form.Decision == pipeline.DecisionSnooze {
		in.Until = errs.date("until", form.Until)
	}
	return form, in, errs
}

// reviewDecide is POST /review/{flag_id}: one decision on one flag, from the
// deal page (back names it) or the queue.
func (s *Server) reviewDecide(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "flagID"))
	if !ok {
		s.notFound(w, r)
		return
	}
	form, in, errs := decisionFormFrom(r)
	form.Selected, in.FlagIDs = []int64{id}, []int64{id}
	back := safeNext(r.PostFormValue("back"))
	dealID, onDeal := dealPath(back)
	s.decide(w, r, form, in, errs, back, func(status int, form web.DecisionForm) {
		if onDeal {
			s.renderDeal(w, r, status, dealID, 0, func(v *web.DealPageView) { v.Actions.Decision = form })
			return
		}
		s.renderReview(w, r, status, form)
	})
}

// reviewDecideMany is POST /review: one decision on every ticked flag of the
// queue, applied to all of them or none.
func (s *Server) reviewDecideMany(w http.ResponseWriter, r *http.Request) {
	form, in, errs := decisionFormFrom(r)
	s.decide(w, r, form, in, errs, "/review", func(status int, form web.DecisionForm) {
		s.renderReview(w, r, status, form)
	})
}

// decide takes the decision and answers 303 to back, or hands the form with
// its messages to refuse: 422 for bad input, 404 when a flag is not the
// actor's to review (a rep, another team's flag).
func (s *Server) decide(w http.ResponseWriter, r *http.Request, form web.DecisionForm, in pipeline.DecisionInput, errs formErrors,
	back string, refuse func(int, web.DecisionForm)) {
	if len(errs) == 0 {
		err := s.Review.Decide(r.Context(), actor(r), in)
		switch pipeline.ErrorCode(err) {
		case "":
			s.flash(r, decisionFlash(in))
			if back == "/" {
				back = "/review"
			}
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		case pipeline.EINVALID:
			errs.merge(pipeline.FieldErrors(err))
		case pipeline.ENOTFOUND:
			if !actor(r).CanReview() {
				s.fail(w, r, err)
				return
			}
			form.Errors = map[string]string{"flag_id": pipeline.ErrorMessage(err)}
			refuse(http.StatusNotFound, form)
			return
		default:
			s.fail(w, r, err)
			return
		}
	}
	form.Errors = errs
	refuse(http.StatusUnprocessableEntity, form)
}

// decisionFlash says what was done.
func decisionFlash(in pipeline.DecisionInput) string {
	n := "1 flag"
	if len(in.FlagIDs) != 1 {
		n = strconv.Itoa(len(in.FlagIDs)) + " flags"
	}
	switch in.Decision {
	case pipeline.DecisionKeep:
		return "Kept " + n + ". It will come back if the score climbs or a new signal fires."
	case pipeline.DecisionSnooze:
		return "Snoozed " + n + " until " + in.Until.Format("2 Jan 2006") + "."
	case pipeline.DecisionCoach:
		return "Coaching note sent on " + n + "."
	}
	return "Walked away from " + n + " on the rep's behalf; the message is on the timeline."
}

// dealPath reads the deal id of a "/deals/{id}" path.
func dealPath(p string) (int64, bool) {
	rest, ok := strings.CutPrefix(p, "/deals/")
	if !ok {
		return 0, false
	}
	rest, _, _ = strings.Cut(rest, "#")
	return pathID(rest)
}
