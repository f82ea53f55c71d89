package server

import (
	"net/http"

	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// unsubscribeForm is where the mail's unsubscribe link lands, signed in or
// not. It only asks to confirm: mail scanners open links, and a GET must
// not change anything.
func (s *Server) unsubscribeForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	addr, err := s.Digests.UnsubscribeEmail(r.Context(), token)
	if err != nil {
		s.unsubscribeRefused(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.UnsubscribePage(s.page(r, "Unsubscribe", ""), web.UnsubscribeView{Email: addr, Token: token}))
}

// unsubscribeRefused answers a bad token with a plain page.
func (s *Server) unsubscribeRefused(w http.ResponseWriter, r *http.Request, err error) {
	if pipeline.ErrorCode(err) != pipeline.EINVALID {
		s.fail(w, r, err)
		return
	}
	s.renderError(w, r, http.StatusBadRequest, "Link not valid", pipeline.ErrorMessage(err))
}
