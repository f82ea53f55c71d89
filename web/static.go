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
	hashedName  string // "app.1a2b3c4d5e.css": the name pages link to
}

var (
	assetsOnce   sync.Once
	assetsByName map[string]*asset // by plain name
	assetsByURL  map[string]*asset // by hashed name
)

// assets reads and fingerprints the embedded files once.
func assets() map[string]*asset {
	assetsOnce.Do(func() {
		assetsByName = map[string]*asset{}
		assetsByURL = map[string]*asset{}
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
			a := newAsset(name, data)
			assetsByName[name] = a
			assetsByURL[a.hashedName] = a
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
	ext := path.Ext(name)
	a.hashedName = strings.TrimSuffix(name, ext) + "." + a.hash + ext
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

// Asset returns the content-hashed URL of an embedded static file, such as
// "/static/app.1a2b3c4d5e.css". A name that is not embedded gets its plain
// path, so a typo shows up as a 404 in the browser rather than a broken page.
func Asset(name string) string {
	if a, ok := assets()[name]; ok {
		return staticPrefix + a.hashedName
	}
	return staticPrefix + name
}

// StaticHandler serves the embedded files under /static/. A hashed name
// (see Asset) never changes content, so it is cached for a year as
// immutable; the plain name is served too, for links from outside, but must
// be revalidated. gzip is used when the client accepts it.
func StaticHandler() http.Handler {
	plain := assets()
	hashed := assetsByURL
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, staticPrefix)
		cache := "public, max-age=31536000, immutable"
		a, ok := hashed[name]
		if !ok {
			a, ok = plain[name]
			cache = "public, no-cache"
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", cache)
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
