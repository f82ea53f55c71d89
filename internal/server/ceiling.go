//go:build bench

package server

import (
	"context"
	"io"
	"net/http"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"goodmoney/web"
)

// This file is compiled only into the benchmark's binary (go build -tags
// bench, which `make bench` does): the production binary has neither the
// ceiling pages nor pprof.
//
// The ceiling pages give the benchmark its yardstick: what this stack
// serves per second when a signed-in page does nothing else. They go
// through the same router, middleware, session and layout as every page.

// ceilingStore runs the one query of ceiling (a); the PostgreSQL store has
// it in bench builds.
type ceilingStore interface {
	CeilingName(ctx context.Context, orgID, userID int64) (string, error)
}

// mountProfiler serves net/http/pprof under /debug.
func (s *Server) mountProfiler(r chi.Router) {
	r.Mount("/debug", middleware.Profiler())
}

// ceilingRoutes adds the ceiling pages to the signed-in routes.
func (s *Server) ceilingRoutes(r chi.Router) {
	r.Get("/bench/ceiling/query", s.ceilingQuery)
	r.Get("/bench/ceiling/static", s.ceilingStatic)
}

// ceilingQuery renders a small component after one primary-key query:
// ceiling (a).
func (s *Server) ceilingQuery(w http.ResponseWriter, r *http.Request) {
	db, ok := s.DB.(ceilingStore)
	if !ok {
		s.notFound(w, r)
		return
	}
	name, err := db.CeilingName(r.Context(), currentUser(r).OrgID, currentUser(r).ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, s.ceilingPage(r, name))
}

// ceilingStatic is the same page without the query: ceiling (b).
func (s *Server) ceilingStatic(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, s.ceilingPage(r, currentUser(r).Name))
}

// ceilingPage is the layout around one line of text.
func (s *Server) ceilingPage(r *http.Request, name string) templ.Component {
	body := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, `<p data-testid="ceiling">Hello, `+templ.EscapeString(name)+`.</p>`)
		return err
	})
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		return web.Layout(s.page(r, "Ceiling", "")).Render(templ.WithChildren(ctx, body), w)
	})
}
