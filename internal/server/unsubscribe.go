package server

import (
	"net/http"

	"goodmoney/web"
)

// unsubscribe turns the digest off for the token's user. It serves both
// the confirmation form and mail clients' one-click unsubscribe (RFC 8058:
// a POST of List-Unsubscribe=One-Click to the link, token in the query).
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	token := r.PostFormValue("token")
	if token == "" {
		token = r.URL.Query().Get("token")
	}
	addr, err := s.Digests.Unsubscribe(r.Context(), token)
	if err != nil {
		s.unsubscribeRefused(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, web.UnsubscribePage(s.page(r, "Unsubscribed", ""), web.UnsubscribeView{Email: addr, Done: true}))
}
