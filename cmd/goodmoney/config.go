package main

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"time"

	"goodmoney/internal/server"
)

// config is read from the environment; every setting has a default that
// works on a laptop.
type config struct {
	Addr          string // ADDR: listen address
	DatabaseURL   string // DATABASE_URL: use this PostgreSQL instead of the private cluster
	DataDir       string // DATA_DIR: where the private cluster keeps its files
	SMTPURL       string // SMTP_URL: smtp://user:pass@host:port; empty keeps mail in the outbox
	MailFrom      string // MAIL_FROM: the digest's sender, like "goodmoney <digest@example.com>"
	BaseURL       string // BASE_URL: the app's public URL, for links in emails
	SessionSecure bool   // SESSION_SECURE: Secure + __Host- session cookie (serve over HTTPS)
	LogFormat     string // LOG_FORMAT: text or json
	MetricsAddr   string // METRICS_ADDR: where /metrics listens; empty: no metrics
	// TrustedProxies (TRUSTED_PROXIES) are CIDRs of the proxies whose
	// X-Forwarded-For is believed; TrustedProxiesErr is why it did not parse.
	TrustedProxies    []netip.Prefix
	TrustedProxiesErr error
	// DATABASE_MAX_DOWN: how long serve keeps restarting a dead private
	// cluster before it exits non-zero (a Go duration; default 60s).
	DatabaseMaxDown time.Duration
}

func loadConfig() config {
	secure, _ := strconv.ParseBool(os.Getenv("SESSION_SECURE"))
	proxies, proxiesErr := server.ParseTrustedProxies(os.Getenv("TRUSTED_PROXIES"))
	if proxiesErr != nil {
		proxiesErr = fmt.Errorf("TRUSTED_PROXIES %q: want CIDRs separated by commas, like 10.0.0.0/8,192.168.1.7: %w", os.Getenv("TRUSTED_PROXIES"), proxiesErr)
	}
	cfg := config{
		Addr:          env("ADDR", "127.0.0.1:8080"),
		DatabaseURL:   os.Getenv("DATABASE_URL"),
		DataDir:       env("DATA_DIR", "data"),
		SMTPURL:       os.Getenv("SMTP_URL"),
		MailFrom:      env("MAIL_FROM", "goodmoney <digest@localhost>"),
		BaseURL:       env("BASE_URL", "http://127.0.0.1:8080"),
		SessionSecure: secure,
		LogFormat:     env("LOG_FORMAT", "text"),
		MetricsAddr:   os.Getenv("METRICS_ADDR"),

		TrustedProxies:    proxies,
		TrustedProxiesErr: proxiesErr,
	}
	cfg.DatabaseMaxDown, _ = time.ParseDuration(env("DATABASE_MAX_DOWN", "60s"))
	if cfg.DatabaseMaxDown <= 0 {
		cfg.DatabaseMaxDown = 60 * time.Second
	}
	return cfg
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
