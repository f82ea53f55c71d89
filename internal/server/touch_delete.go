package server

import (
	"net/http"

	"goodmoney/web"
)

// touchDelete removes a touch logged by mistake; the deal is rescored in the
// same transaction. The deal page then says what the removal did to the
// score and offers to log the touch back (its fields ride in the Undo form),
// so a slip of the thumb costs one more tap, not the touch.
func (s *Server) touchDelete(w http.ResponseWriter, r *http.Request) {
	dealID, touchID, ok := touchPath(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	t, err := s.Deals.Touch(r.Context(), actor(r), dealID, touchID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	before := s.scoreMark(r.Context(), actor(r), dealID)
	if err := s.Deals.DeleteTouch(r.Context(), actor(r), dealID, touchID); err != nil {
		s.fail(w, r, err)
		return
	}
	undo := touchFormOf(t, userLoc(r))
	undo.Key = newKey() // a second tap on Undo logs it back once
	s.touchDone(w, r, web.TouchResult{DealID: dealID, Verb: "removed", Before: before, Undo: &undo})
}
