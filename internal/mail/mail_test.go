package mail_test

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"goodmoney/internal/mail"
	"goodmoney/internal/mailtest"
)

func message(toName string) *mail.Message {
	return &mail.Message{
		From:        &netmail.Address{Name: "goodmoney", Address: "digest@gm.example.com"},
		To:          &netmail.Address{Name: toName, Address: "rita@t.example"},
		Subject:     "Your week: 2 new flags",
		HTML:        "<p>Hello <b>Rita</b></p>",
		Text:        "Hello Rita",
		MessageID:   "digest.2026-W49.7.1@gm.example.com",
		Unsubscribe: "https://gm.example.com/unsubscribe?token=7.123.abc",
	}
}

func send(t *testing.T, srv *mailtest.Server, m *mail.Message, timeout time.Duration) error {
	t.Helper()
	s, err := mail.NewSMTP(srv.URL, timeout)
	if err != nil {
		t.Fatal(err)
	}
	return s.Send(context.Background(), m)
}

func TestSMTP_Delivers(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	if err := send(t, srv, message("Rita Rep"), 0); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != "rita@t.example" || got[0].From != "digest@gm.example.com" {
		t.Fatalf("received %+v, want one message from digest@ to rita@", got)
	}
	msg := got[0].Parsed(t)
	h := msg.Header
	for k, want := range map[string]string{
		"Subject":               "Your week: 2 new flags",
		"Message-Id":            "<digest.2026-W49.7.1@gm.example.com>",
		"List-Unsubscribe":      "<https://gm.example.com/unsubscribe?token=7.123.abc>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Auto-Submitted":        "auto-generated",
	} {
		if h.Get(k) != want {
			t.Errorf("%s: %q, want %q", k, h.Get(k), want)
		}
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Rita Rep" || to[0].Address != "rita@t.example" {
		t.Errorf("To: %v (%v)", to, err)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", h.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p) // quoted-printable is decoded by NextPart
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[ct] = string(b)
	}
	if parts["text/plain"] != "Hello Rita" || parts["text/html"] != "<p>Hello <b>Rita</b></p>" {
		t.Errorf("parts: %q", parts)
	}
}

// TestSMTP_NameCannotAddHeaders puts a line break and a header in the
// recipient's name: it stays inside the To header, and the envelope has
// the one recipient.
func TestSMTP_NameCannotAddHeaders(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	m := message("Eve\r\nBcc: victim@evil.example")
	m.Subject = "Hi\r\nBcc: victim2@evil.example"
	if err := send(t, srv, m, 0); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != "rita@t.example" {
		t.Fatalf("envelope: %+v, want only rita@t.example", got)
	}
	h := got[0].Parsed(t).Header
	if len(h["Bcc"]) != 0 || strings.Contains(string(got[0].Data), "\r\nBcc:") {
		t.Errorf("a Bcc header was added:\n%s", got[0].Data)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "rita@t.example" {
		t.Errorf("To: %v (%v)", to, err)
	}
}

func TestSMTP_Faults(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		fault mailtest.Fault
		want  string
	}{
		{"refused", mailtest.Refuse, "451"},
		{"hung up mid-message", mailtest.HangUp, ""},
		{"stalled", mailtest.Stall, "timeout"},
	} {
		srv := mailtest.Start(t)
		srv.Faults(c.fault)
		err := send(t, srv, message("Rita"), 300*time.Millisecond)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error mentioning %q", c.name, err, c.want)
		}
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("%s: %d messages accepted", c.name, n)
		}
	}
}

func TestNewSMTP_URLs(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"smtp://localhost:2525", "smtp://user:p%40ss@mail.example.com:587", "smtps://mail.example.com", "smtp://mail.example.com"} {
		if _, err := mail.NewSMTP(ok, 0); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://mail.example.com", "smtp://", "smtp://host:99999", "mail.example.com:25", "::"} {
		if _, err := mail.NewSMTP(bad, 0); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
