package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed static
var staticFS embed.FS

// staticPrefix is where the router mounts StaticHandler.
const staticPrefix = "/static/"

// asset is one embedded file, ready to serve.
type asset struct {
	data        []byte
	gzipped     []byte // nil when compression does not pay
	contentType string
	hash        string // short content hash, used in URLs and ETags
}

var (
	assetsOnce   sync.Once
	assetsByName map[string]*asset
)

// assets reads and fingerprints the embedded files once.
func assets() map[string]*asset {
	assetsOnce.Do(func() {
		assetsByName = map[string]*asset{}
		root, err := fs.Sub(staticFS, "static")
		if err != nil {
			panic(err) // the embed directive guarantees the folder
		}
		err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := fs.ReadFile(root, name)
			if err != nil {
				return err
			}
			assetsByName[name] = newAsset(name, data)
			return nil
		})
		if err != nil {
			panic(err) // reading an embed.FS cannot fail
		}
	})
	return assetsByName
}

func newAsset(name string, data []byte) *asset {
	sum := sha256.Sum256(data)
	a := &asset{data: data, hash: hex.EncodeToString(sum[:5])}
	a.contentType = mime.TypeByExtension(path.Ext(name))
	if a.contentType == "" {
		a.contentType = http.DetectContentType(data)
	}
	if compressible(a.contentType) {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(data)
		_ = zw.Close()
		if buf.Len() < len(data)*9/10 {
			a.gzipped = buf.Bytes()
		}
	}
	return a
}

func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") ||
		strings.Contains(contentType, "javascript") ||
		strings.Contains(contentType, "svg") ||
		strings.Contains(contentType, "json")
}

// Asset returns the cache-busted URL of an embedded static file, such as
// "/static/app.css?v=1a2b3c4d5e". A name that is not embedded gets its plain
// path, so a typo shows up as a 404 in the browser rather than a broken page.
func Asset(name string) string {
	if a, ok := assets()[name]; ok {
		return staticPrefix + name + "?v=" + a.hash
	}
	return staticPrefix + name
}

// StaticHandler serves the embedded files under /static/. Their URLs carry a
// content hash (see Asset), so responses may be cached for a year; gzip is
// used when the client accepts it.
func StaticHandler() http.Handler {
	files := assets()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		a, ok := files[strings.TrimPrefix(r.URL.Path, staticPrefix)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("Content-Type", a.contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		body, etag := a.data, a.hash
		if a.gzipped != nil {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r) {
				body, etag = a.gzipped, a.hash+"-gz"
				h.Set("Content-Encoding", "gzip")
			}
		}
		h.Set("ETag", `"`+etag+`"`)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
