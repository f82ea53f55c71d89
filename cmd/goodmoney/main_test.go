package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"goodmoney/internal/pgtest"
	"goodmoney/internal/seed"
)

// The tests run goodmoney as a real process: the test binary is the
// command itself when GOODMONEY_TEST_MAIN is set, so no separate build is
// needed.
func TestMain(m *testing.M) {
	if os.Getenv("GOODMONEY_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(pgtest.Main(m))
}

// command returns goodmoney with args against databaseURL.
func command(t *testing.T, databaseURL string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GOODMONEY_TEST_MAIN=1", "DATABASE_URL="+databaseURL, "LOG_FORMAT=text")
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// runCommand runs goodmoney to the end and returns its combined output.
func runCommand(t *testing.T, databaseURL string, args ...string) (string, error) {
	t.Helper()
	out, err := command(t, databaseURL, nil, args...).CombinedOutput()
	return string(out), err
}

// instance is one `goodmoney serve` process.
type instance struct {
	t           *testing.T
	name        string
	URL         string
	MetricsURL  string
	cmd         *exec.Cmd
	out         *lockedBuffer
	exited      chan struct{}
	exitErr     error
	databaseURL string
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("free port: %v", err)
	}
	return addr
}

// startServe starts `goodmoney serve` on databaseURL with metrics on and
// waits until /readyz answers 200.
func startServe(t *testing.T, name, databaseURL string) *instance {
	t.Helper()
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	in := &instance{t: t, name: name, URL: "http://" + addr, MetricsURL: "http://" + metricsAddr,
		out: &lockedBuffer{}, exited: make(chan struct{}), databaseURL: databaseURL}
	in.cmd = command(t, databaseURL, []string{"ADDR=" + addr, "METRICS_ADDR=" + metricsAddr}, "serve")
	in.cmd.Stdout, in.cmd.Stderr = in.out, in.out
	if err := in.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		in.exitErr = in.cmd.Wait()
		close(in.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-in.exited:
		default:
			_ = in.cmd.Process.Kill()
			<-in.exited
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, in.out.String())
		}
	})
	in.waitReady()
	return in
}

// waitReady polls /readyz until it answers 200, or fails when the process
// exits first or a minute passes.
func (in *instance) waitReady() {
	in.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		res, err := http.Get(in.URL + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-in.exited:
			in.t.Fatalf("%s exited before it was ready: %v\n%s", in.name, in.exitErr, in.out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("%s not ready after a minute:\n%s", in.name, in.out.String())
		}
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (in *instance) stop() {
	in.t.Helper()
	if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		in.t.Fatalf("SIGTERM %s: %v", in.name, err)
	}
	select {
	case <-in.exited:
	case <-time.After(time.Minute):
		in.t.Fatalf("%s did not stop within a minute of SIGTERM", in.name)
	}
	if in.exitErr != nil {
		in.t.Fatalf("%s exited with %v after SIGTERM:\n%s", in.name, in.exitErr, in.out.String())
	}
}

// browser is an HTTP client with a cookie jar, not following redirects.
// Cookies are per host, not per port, so one jar signs in to every instance
// on 127.0.0.1, as behind a load balancer.
type browser struct {
	t  *testing.T
	hc *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, hc: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// get returns the status and body of a GET.
func (b *browser) get(u string) (int, string, error) {
	res, err := b.hc.Get(u)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, string(body), err
}

// post sends a same-origin form post and returns the status and Location.
func (b *browser) post(base, path string, form url.Values) (int, string, error) {
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := b.hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header.Get("Location"), nil
}

// signIn signs in as a demo user through base.
func (b *browser) signIn(base, email string) {
	b.t.Helper()
	status, loc, err := b.post(base, "/login", url.Values{"email": {email}, "password": {seed.DemoPassword}})
	if err != nil || status != http.StatusSeeOther || loc != "/" {
		b.t.Fatalf("sign in %s at %s: %d %q %v", email, base, status, loc, err)
	}
}

// mustGet fails the test unless GET answers 200.
func (b *browser) mustGet(u string) string {
	b.t.Helper()
	status, body, err := b.get(u)
	if err != nil || status != http.StatusOK {
		b.t.Fatalf("GET %s: %d %v\n%.500s", u, status, err, body)
	}
	return body
}
