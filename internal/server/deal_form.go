package server

import (
	"net/http"
	"strconv"
	"time"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// dealFormFrom reads the deal form as typed.
func dealFormFrom(r *http.Request) web.DealForm {
	return web.DealForm{
		Key:           formKey(r),
		ProspectID:    r.PostFormValue("prospect_id"),
		Title:         r.PostFormValue("title"),
		Amount:        r.PostFormValue("amount"),
		ListPrice:     r.PostFormValue("list_price"),
		Cost:          r.PostFormValue("cost"),
		Stage:         r.PostFormValue("stage"),
		ExpectedClose: r.PostFormValue("expected_close"),
		NextStep:      r.PostFormValue("next_step"),
		NextStepDue:   r.PostFormValue("next_step_due"),
		FuturePromise: r.PostFormValue("future_promise") != "",
		Version:       r.PostFormValue("version"),
		ConfirmClose:  r.PostFormValue("confirm_expected_close"),
	}
}

// parseDealForm turns the typed form into a DealInput, with the messages for
// whatever does not parse. An expected close before today or more than two
// years after it is refused until the form confirms that very date; f.AskClose
// then shows the question.
func parseDealForm(f *web.DealForm, today time.Time) (pipeline.DealInput, formErrors) {
	errs := formErrors{}
	in := pipeline.DealInput{
		Key:           f.Key,
		ProspectID:    errs.id("prospect_id", f.ProspectID, "Choose the prospect this deal is with."),
		Title:         f.Title,
		ListPrice:     errs.money("list_price", f.ListPrice, false),
		Cost:          errs.money("cost", f.Cost, false),
		Stage:         f.Stage,
		ExpectedClose: errs.date("expected_close", f.ExpectedClose),
		NextStep:      f.NextStep,
		NextStepDue:   errs.date("next_step_due", f.NextStepDue),
		FuturePromise: f.FuturePromise,
	}
	if amount := errs.money("amount", f.Amount, true); amount != nil {
		in.Amount = *amount
	}
	if f.Version != "" {
		v, err := strconv.Atoi(f.Version)
		if err != nil {
			errs["form"] = "The form was damaged; reload the page and try again."
		}
		in.Version = v
	}
	if in.Stage == "" {
		in.Stage = pipeline.StageLead
	}
	if q := pipeline.CloseQuestion(in.ExpectedClose, today); q != "" && f.ConfirmClose != f.ExpectedClose {
		if _, bad := errs["expected_close"]; !bad {
			errs["expected_close"] = q
			f.AskClose = true
		}
	}
	errs.merge(in.Validate())
	return in, errs
}

// dealFormOf fills the edit form from a stored deal.
func dealFormOf(d *pipeline.Deal) web.DealForm {
	return web.DealForm{
		ID:            d.ID,
		ProspectID:    strconv.FormatInt(d.ProspectID, 10),
		Title:         d.Title,
		Amount:        d.Amount.Input(),
		ListPrice:     moneyInput(d.ListPrice),
		Cost:          moneyInput(d.Cost),
		Stage:         d.Stage,
		ExpectedClose: dateInput(d.ExpectedClose),
		NextStep:      d.NextStep,
		NextStepDue:   dateInput(d.NextStepDue),
		FuturePromise: d.FuturePromise,
		Version:       strconv.Itoa(d.Version),
	}
}
