// Package mailtest runs a real SMTP server in the test process
// (emersion/go-smtp) as the receiving end of goodmoney's mail, and can make
// it refuse, stall or hang up mid-message on demand.
package mailtest

import (
	"bytes"
	"errors"
	"io"
	"net"
	netmail "net/mail"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one message the server accepted.
type Message struct {
	From string
	To   []string // the envelope recipients
	Data []byte
}

// Parsed reads the message's headers and body.
func (m Message) Parsed(tb testing.TB) *netmail.Message {
	tb.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		tb.Fatalf("parse received message: %v", err)
	}
	return msg
}

// Fault is what the server does with the next messages instead of
// accepting them.
type Fault int

const (
	Accept Fault = iota
	Refuse       // answer DATA with 451
	HangUp       // read part of the message, then close the connection
	Stall        // read the message and never answer
)

// Server is a running SMTP server.
type Server struct {
	URL string // smtp://127.0.0.1:port

	mu       sync.Mutex
	messages []Message
	faults   []Fault // one per coming DATA; Accept once used up
	release  chan struct{}
}

// Start runs a server until the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("mailtest: listen: %v", err)
	}
	s := &Server{URL: "smtp://" + l.Addr().String(), release: make(chan struct{})}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "mail.test"
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	go func() { _ = srv.Serve(l) }()
	tb.Cleanup(func() {
		close(s.release)
		_ = srv.Close()
	})
	return s
}

// Faults queues what the next DATA commands get, in order.
func (s *Server) Faults(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// To returns the accepted messages addressed to rcpt.
func (s *Server) To(rcpt string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if to == rcpt {
				out = append(out, m)
			}
		}
	}
	return out
}

func (s *Server) nextFault() Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return Accept
	}
	f := s.faults[0]
	s.faults = s.faults[1:]
	return f
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

type session struct {
	s    *Server
	conn *smtp.Conn
	msg  Message
}

func (ss *session) Reset()        { ss.msg = Message{} }
func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.msg.From = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.msg.To = append(ss.msg.To, to)
	return nil
}

var errRefused = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}

func (ss *session) Data(r io.Reader) error {
	switch ss.s.nextFault() {
	case Refuse:
		_, _ = io.Copy(io.Discard, r)
		return errRefused
	case HangUp:
		_, _ = io.CopyN(io.Discard, r, 64)
		_ = ss.conn.Conn().Close()
		return errors.New("hung up")
	case Stall:
		_, _ = io.Copy(io.Discard, r)
		<-ss.s.release
		return errRefused
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.msg.Data = data
	ss.s.mu.Lock()
	ss.s.messages = append(ss.s.messages, ss.msg)
	ss.s.mu.Unlock()
	return nil
}
