package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	netmail "net/mail"

	"goodmoney/internal/digest"
	"goodmoney/internal/mail"
	"goodmoney/internal/postgres"
)

// newDigests wires the digest service: the store, the SMTP sender when
// SMTP_URL is set (otherwise digests stay in the outbox) and the sender.
func newDigests(cfg config, db *postgres.DB, logger *slog.Logger) (*digest.Service, error) {
	from, err := netmail.ParseAddress(cfg.MailFrom)
	if err != nil {
		return nil, fmt.Errorf("MAIL_FROM %q: %w", cfg.MailFrom, err)
	}
	svc := &digest.Service{Store: postgres.NewDigestStore(db), BaseURL: cfg.BaseURL, From: from, Now: db.Now, Logger: logger}
	if cfg.SMTPURL != "" {
		smtp, err := mail.NewSMTP(cfg.SMTPURL, mail.DefaultTimeout)
		if err != nil {
			return nil, err
		}
		svc.Mailer = smtp
	}
	return svc, nil
}

// runDigest is `goodmoney digest send|preview`.
func runDigest(ctx context.Context, cfg config, logger *slog.Logger, args []string) error {
	const usageLine = "usage: goodmoney digest send --user EMAIL [--week 2026-W48] [--force] | digest preview --user EMAIL"
	if len(args) == 0 || (args[0] != "send" && args[0] != "preview") {
		return errors.New(usageLine)
	}
	fs := flag.NewFlagSet("digest "+args[0], flag.ContinueOnError)
	user := fs.String("user", "", "the user's email")
	week := fs.String("week", "", "ISO week like 2026-W48 (default: the user's current week)")
	force := fs.Bool("force", false, "rebuild and send even if already sent, skipped or failed, or turned off")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *user == "" {
		return errors.New(usageLine)
	}
	d, err := openMigrated(ctx, cfg, logger, 4)
	if err != nil {
		return err
	}
	defer d.Close()
	svc, err := newDigests(cfg, postgres.NewDB(d.Pool), logger)
	if err != nil {
		return err
	}
	if args[0] == "preview" {
		r, err := svc.PreviewFor(ctx, *user)
		if err != nil {
			return err
		}
		fmt.Printf("Subject: %s\n\n%s", r.Subject, r.Text)
		return nil
	}
	res, err := svc.SendNow(ctx, *user, *week, *force)
	if res != nil {
		e := res.Entry
		switch {
		case res.Mailed:
			fmt.Printf("Sent %s's digest for %s (%s) to %s, Message-ID <%s>.\n", e.Email, e.Week, e.Kind, e.Email, e.MessageID)
		case svc.Mailer == nil && e.Status == "pending":
			fmt.Printf("Recorded %s's digest for %s in the outbox; SMTP_URL is not set, so nothing was mailed.\n", e.Email, e.Week)
		default:
			fmt.Printf("%s's digest for %s is %s (%d attempts)%s; nothing new was sent. --force sends it again.\n",
				e.Email, e.Week, e.Status, e.Attempts, errSuffix(e.LastError))
		}
	}
	return err
}

func errSuffix(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}
