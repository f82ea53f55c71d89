package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"goodmoney/web"
)

// Handler returns the router with every route of the app.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(requestID, s.resolveClient, s.logRequests, s.recoverPanic, compress, s.securityHeaders)
	r.Use(http.NewCrossOriginProtection().Handler, s.checkInput)

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	s.mountProfiler(r) // bench builds only
	r.Handle("/static/*", web.StaticHandler())

	r.Group(func(r chi.Router) {
		r.Use(noStore, s.Sessions.LoadAndSave, s.loadUser)
		r.Get("/login", s.loginForm)
		r.Post("/login", s.login)
		r.Post("/logout", s.logout)
		r.Get("/unsubscribe", s.unsubscribeForm)
		r.Post("/unsubscribe", s.unsubscribe)

		r.Group(func(r chi.Router) {
			r.Use(s.requireUser)
			s.ceilingRoutes(r) // bench builds only
			r.Get("/", s.home)
			r.Post("/touches", s.quickLog)
			r.Get("/deals", s.dealsList)
			r.Get("/deals/board", s.dealsBoard)
			r.Get("/deals/new", s.dealNew)
			r.Post("/deals", s.dealCreate)
			r.Get("/deals/{id}", s.dealShow)
			r.Post("/deals/{id}", s.dealSave)
			r.Post("/deals/{id}/stage", s.dealMove)
			r.Post("/deals/{id}/next-step", s.dealNextStep)
			r.Post("/deals/{id}/close", s.dealClose)
			r.Post("/deals/{id}/disqualify", s.dealDisqualify)
			r.Post("/deals/{id}/reopen", s.dealReopen)
			r.Post("/coaching/{id}/ack", s.coachingAck)
			// Reviewers only; the services answer 404 to anyone else.
			r.Get("/review", s.reviewQueue)
			r.Post("/review", s.reviewDecideMany)
			r.Post("/review/{flagID}", s.reviewDecide)
			r.Get("/audit", s.auditList)
			r.Get("/settings/walkaway", s.walkawaySettings)
			r.Post("/settings/walkaway", s.walkawaySave)
			r.Post("/deals/{id}/touches", s.touchCreate)
			r.Get("/deals/{id}/touches/{touchID}/edit", s.touchEdit)
			r.Post("/deals/{id}/touches/{touchID}", s.touchSave)
			r.Post("/deals/{id}/touches/{touchID}/delete", s.touchDelete)
			r.Get("/prospects", s.prospectsList)
			r.Get("/prospects/new", s.prospectNew)
			r.Post("/prospects", s.prospectCreate)
			r.Get("/prospects/{id}", s.prospectShow)
			r.Post("/prospects/{id}/contacts", s.contactCreate)
			r.Get("/reports/outcomes", s.outcomesReport)
			r.Get("/reports/outcomes.csv", s.outcomesCSV)
			r.Get("/profile", s.profileForm)
			r.Post("/profile", s.profileSave)
			r.Post("/profile/password", s.passwordSave)
			r.Get("/digests/preview", s.digestPreview)
			// The outbox is for admins; the store answers 404 to anyone else.
			r.Get("/digests", s.digestsList)
			r.Get("/digests/{id}", s.digestShow)

			r.Group(func(r chi.Router) {
				r.Use(s.requireRole("manager", "admin"))
				r.Get("/settings/scoring", s.scoringSettings)
				r.Post("/settings/scoring", s.scoringSettingsSave)
			})

			r.Group(func(r chi.Router) {
				r.Use(s.requireRole("admin"))
				r.Get("/admin/users", s.usersList)
				r.Post("/admin/users", s.userCreate)
				r.Post("/admin/users/{id}", s.userUpdate)
				r.Post("/admin/teams", s.teamCreate)
			})
		})
	})
	r.NotFound(s.notFound)
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusMethodNotAllowed, "Not allowed", "That action is not available here.")
	})
	return r
}
