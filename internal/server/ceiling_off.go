//go:build !bench

package server

import "github.com/go-chi/chi/v5"

// The production build has no benchmark routes: see ceiling.go, compiled
// with -tags bench only.

func (s *Server) mountProfiler(chi.Router) {}

func (s *Server) ceilingRoutes(chi.Router) {}
