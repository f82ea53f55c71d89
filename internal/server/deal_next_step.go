package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// nextStepFormOf fills the next-step form from a stored deal; it starts
// open when the deal has none, so the rep can type one straight away.
func nextStepFormOf(d *pipeline.Deal) web.NextStepForm {
	return web.NextStepForm{NextStep: d.NextStep, NextStepDue: dateInput(d.NextStepDue),
		Version: strconv.Itoa(d.Version), Open: d.IsOpen() && strings.TrimSpace(d.NextStep) == ""}
}

// dealNextStep saves the next step and its due date from the top of the
// deal page, leaving the rest of the deal as stored. The edit starts from
// the version the page showed: a stale one is refused with the stored step.
func (s *Server) dealNextStep(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(chi.URLParam(r, "id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	form := web.NextStepForm{NextStep: r.PostFormValue("next_step"), NextStepDue: r.PostFormValue("next_step_due"),
		Version: r.PostFormValue("version"), Open: true}
	errs := formErrors{}
	due := errs.date("next_step_due", form.NextStepDue)
	version, err := strconv.Atoi(form.Version)
	if err != nil {
		errs[web.FormErrorKey] = "The form was damaged; reload the page and try again."
	}
	status := http.StatusUnprocessableEntity
	if len(errs) == 0 {
		d, err := s.Deals.Deal(r.Context(), actor(r), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		in := pipeline.DealInput{ProspectID: d.ProspectID, Title: d.Title, Amount: d.Amount, ListPrice: d.ListPrice, Cost: d.Cost,
			Stage: d.Stage, ExpectedClose: d.ExpectedClose, NextStep: form.NextStep, NextStepDue: due,
			FuturePromise: d.FuturePromise, Version: version}
		_, err = s.Deals.UpdateDeal(r.Context(), actor(r), id, in)
		var conflict *pipeline.ConflictError
		switch {
		case err == nil:
			s.flash(r, "Next step saved.")
			http.Redirect(w, r, "/deals/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
			return
		case errors.As(err, &conflict):
			status = http.StatusConflict
			errs[web.FormErrorKey] = "Someone changed this deal meanwhile; its next step is now “" + conflict.Current.NextStep +
				"”. Save again to replace it with yours."
			form.Version = strconv.Itoa(conflict.Current.Version)
		case pipeline.ErrorCode(err) == pipeline.EINVALID:
			for k, msg := range pipeline.FieldErrors(err) {
				if k != "next_step" && k != "next_step_due" {
					k = web.FormErrorKey
				}
				if _, ok := errs[k]; !ok {
					errs[k] = msg
				}
			}
		default:
			s.fail(w, r, err)
			return
		}
	}
	form.Errors = errs
	s.renderDeal(w, r, status, id, 0, func(v *web.DealPageView) { v.NextStep = form })
}
