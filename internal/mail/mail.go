// Package mail sends goodmoney's email over SMTP with go-mail.
package mail

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one email with an HTML and a plain-text part.
type Message struct {
	From      *netmail.Address
	To        *netmail.Address
	Subject   string
	HTML      string
	Text      string
	MessageID string // without angle brackets
	// Unsubscribe is the one-click unsubscribe address (RFC 8058); empty for none.
	Unsubscribe string
}

// SMTP sends messages through one SMTP server.
type SMTP struct {
	host string
	opts []gomail.Option
}

// DefaultTimeout bounds each SMTP conversation: a server that stops
// answering fails the attempt instead of holding the job.
const DefaultTimeout = 30 * time.Second

// NewSMTP reads an SMTP_URL: smtp://user:pass@host:port (STARTTLS when the
// server offers it) or smtps://… (TLS from the first byte). The user and
// password are optional.
func NewSMTP(rawURL string, timeout time.Duration) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("SMTP_URL: %w", err)
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	s := &SMTP{host: u.Hostname()}
	if s.host == "" {
		return nil, errors.New("SMTP_URL: no host; write it like smtp://user:pass@mail.example.com:587")
	}
	s.opts = []gomail.Option{gomail.WithTimeout(timeout), gomail.WithoutNoop()}
	port := 25
	switch u.Scheme {
	case "smtp":
		s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case "smtps":
		port = 465
		s.opts = append(s.opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("SMTP_URL: scheme %q, want smtp:// or smtps://", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port <= 0 || port > 65535 {
			return nil, fmt.Errorf("SMTP_URL: bad port %q", p)
		}
	}
	s.opts = append(s.opts, gomail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		s.opts = append(s.opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	return s, nil
}

// Send delivers one message. It returns nil once the server has accepted
// the message (answered the end of DATA); a failure to say goodbye after
// that is not an error, since the message is already on its way and
// reporting one would send it twice.
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	msg, err := build(m)
	if err != nil {
		return err
	}
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	conn, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", s.host, err)
	}
	err = c.SendWithSMTPClient(conn, msg)
	_ = c.CloseWithSMTPClient(conn)
	if err != nil {
		return fmt.Errorf("send to %s: %w", s.host, err)
	}
	return nil
}

// build turns a Message into a go-mail message. Display names lose any
// control characters first: go-mail encodes them, and a name is never
// allowed near a header boundary anyway.
func build(m *Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.FromFormat(HeaderSafe(m.From.Name), m.From.Address); err != nil {
		return nil, fmt.Errorf("from %q: %w", m.From.Address, err)
	}
	if err := msg.AddToFormat(HeaderSafe(m.To.Name), m.To.Address); err != nil {
		return nil, fmt.Errorf("to %q: %w", m.To.Address, err)
	}
	msg.Subject(HeaderSafe(m.Subject))
	msg.SetDate()
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(HeaderSafe(m.MessageID))
	} else {
		msg.SetMessageID()
	}
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	if m.Unsubscribe != "" {
		msg.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+HeaderSafe(m.Unsubscribe)+">")
		msg.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// HeaderSafe replaces control characters (CR and LF above all) with
// spaces, so a value can never end a header line and start another.
func HeaderSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
