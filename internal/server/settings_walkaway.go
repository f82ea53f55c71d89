package server

import (
	"net/http"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// walkawaySettings is GET /settings/walkaway (admins; 404 to anyone else):
// the org's walk-away template and its preview on a real deal. A template
// in the query (the Preview button, or htmx while typing) is previewed
// without being saved.
func (s *Server) walkawaySettings(w http.ResponseWriter, r *http.Request) {
	tmpl, err := s.OrgSettings.WalkawayTemplate(r.Context(), actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.URL.Query().Has("template") {
		tmpl = r.URL.Query().Get("template")
	} else if tmpl == "" {
		tmpl = pipeline.DefaultWalkawayTemplate
	}
	s.renderWalkaway(w, r, http.StatusOK, tmpl, pipeline.ValidateTemplate(tmpl))
}

// walkawaySave stores the template; a refused one comes back with its message.
func (s *Server) walkawaySave(w http.ResponseWriter, r *http.Request) {
	tmpl := r.PostFormValue("template")
	err := s.OrgSettings.SaveWalkawayTemplate(r.Context(), actor(r), tmpl)
	switch pipeline.ErrorCode(err) {
	case "":
		s.flash(r, "Walk-away template saved.")
		http.Redirect(w, r, "/settings/walkaway", http.StatusSeeOther)
	case pipeline.EINVALID:
		s.renderWalkaway(w, r, http.StatusUnprocessableEntity, tmpl, pipeline.FieldErrors(err)["template"])
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) renderWalkaway(w http.ResponseWriter, r *http.Request, status int, tmpl, msg string) {
	d, contact, err := s.OrgSettings.PreviewDeal(r.Context(), actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := web.WalkawaySettingsView{Template: tmpl, Error: msg, Deal: d}
	if d != nil && msg == "" {
		v.Preview = pipeline.FillTemplate(tmpl, pipeline.WalkAwayFields{ContactName: contact, RepName: d.OwnerName,
			DealTitle: d.Title, Company: d.ProspectName})
	}
	s.render(w, r, status, web.WalkawaySettingsPage(s.page(r, "Walk-away message", web.NavWalkaway), v))
}
