package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"sync/atomic"
)

// Our own request ids and status recording, small enough to keep: chi's
// middleware package has both, but importing it links net/http/pprof and
// expvar (which register on http.DefaultServeMux) into the production binary.

type reqIDKey struct{}

// reqIDPrefix makes ids unique across restarts; reqIDSeq across requests.
var (
	reqIDPrefix = rand.Text()[:10]
	reqIDSeq    atomic.Uint64
)

// requestID gives each request an id for the logs: the client's
// X-Request-Id when it sends one, else prefix-sequence.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" {
			id = fmt.Sprintf("%s-%06d", reqIDPrefix, reqIDSeq.Add(1))
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), reqIDKey{}, id)))
	})
}

// reqID returns the request's id, or "" outside requestID.
func reqID(ctx context.Context) string {
	id, _ := ctx.Value(reqIDKey{}).(string)
	return id
}

// statusWriter remembers the status code a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Status is the code sent, 200 when the handler wrote nothing.
func (w *statusWriter) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
