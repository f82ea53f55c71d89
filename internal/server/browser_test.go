package server_test

import (
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"goodmoney/internal/seed"
)

// One headless Chromium per test binary; each test gets its own tab in a
// fresh browser context (its own cookies).
var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserCancel context.CancelFunc
	browserErr    error
)

func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newTab returns a chromedp context for a new tab in an isolated browser context.
func newTab(t *testing.T) context.Context {
	t.Helper()
	browserOnce.Do(func() {
		path := chromiumPath()
		if path == "" {
			browserErr = errNoChromium
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("no-first-run", true),
			chromedp.WindowSize(1280, 900),
		)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelBrowser := chromedp.NewContext(allocCtx)
		browserErr = chromedp.Do(ctx) // starts the browser
		browserCtx = ctx
		browserCancel = func() { cancelBrowser(); cancelAlloc() }
	})
	if browserErr != nil {
		t.Fatalf("start Chromium (make test installs it with apt-get): %v", browserErr)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	return ctx
}

type browserError string

func (e browserError) Error() string { return string(e) }

const errNoChromium = browserError("no chromium binary on PATH")

func closeBrowser() {
	if browserCancel != nil {
		browserCancel()
	}
}

// signInBrowser signs in through the login form.
func signInBrowser(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), seed.DemoPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitNotPresent(chromedp.ID("password")),
	)
	if err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
	// The login form is gone as soon as the next page starts; wait until it
	// has loaded, or a query of its nodes can race the parser.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === 'complete' && !document.getElementById('password')`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("page after signing in as %s: %v", email, err)
	}
}

func TestBrowser_SignIn(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ctx := newTab(t)

	t.Run("WrongPasswordShowsError", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(a.URL+"/"),
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), "rep@example.com"),
			chromedp.SendKeys(chromedp.ID("password"), "not the password"),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-error"]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="login-error"]`)))
		if err != nil || !strings.Contains(msg, "do not match") {
			t.Fatalf("error text %q (%v)", msg, err)
		}
	})

	t.Run("RedirectedToLoginThenHome", func(t *testing.T) {
		err := chromedp.Do(ctx, chromedp.Navigate(a.URL+"/"), chromedp.WaitVisible(chromedp.ID("email")))
		if err != nil {
			t.Fatal(err)
		}
		loc := mustRun(t, ctx, chromedp.Location())
		if !strings.HasSuffix(loc, "/login") {
			t.Fatalf("anonymous visit to / ended at %s, want /login", loc)
		}
		signInBrowser(t, ctx, a.URL, "rep@example.com")
		loc = mustRun(t, ctx, chromedp.Location())
		if loc != a.URL+"/" {
			t.Errorf("after sign-in at %s, want home", loc)
		}
		body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		if err != nil || !strings.Contains(body, "Riley Rep") {
			t.Errorf("home does not show the user's name (%v)", err)
		}
	})
}

// mustRun runs one browser action and returns its result, failing the test
// when the action fails, so that no assertion checks a zero value.
func mustRun[T any](t testing.TB, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}
