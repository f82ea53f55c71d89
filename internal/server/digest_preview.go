package server

import "net/http"

// digestPreview shows the signed-in user's digest for this week as it
// would be sent (format=text for the plain-text part). Nothing is recorded.
func (s *Server) digestPreview(w http.ResponseWriter, r *http.Request) {
	d, err := s.Digests.Preview(r.Context(), actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeMail(w, r, d.HTML, d.Text)
}
