package server

import (
	"context"
	"io"
	"net/http"

	"github.com/a-h/templ"

	"goodmoney/internal/postgres"
	"goodmoney/web"
)

// The ceiling pages give the benchmark its yardstick: what this stack
// serves per second when a signed-in page does nothing else. They go
// through the same router, middleware, session and layout as every page.
// Only routed with Config.BenchRoutes.

// ceilingQuery renders a small component after one primary-key query:
// ceiling (a).
func (s *Server) ceilingQuery(w http.ResponseWriter, r *http.Request) {
	db, ok := s.DB.(*postgres.DB)
	if !ok {
		s.notFound(w, r)
		return
	}
	var name string
	if err := db.Pool.QueryRow(r.Context(), `SELECT name FROM users WHERE id = $1`, currentUser(r).ID).Scan(&name); err != nil {
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
