package main

import (
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// mailSink is the SMTP server P7's processes mail through: plain SMTP on
// a local port, accepting everything and counting the messages each
// recipient got.
type mailSink struct {
	srv *smtp.Server
	ln  net.Listener

	mu    sync.Mutex
	rcpts map[string]int
}

func startSink(errLog io.Writer) (*mailSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &mailSink{ln: ln, rcpts: make(map[string]int)}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "invitebench.localhost"
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	s.srv.ErrorLog = log.New(errLog, "smtp sink: ", 0)
	go s.srv.Serve(ln)
	return s, nil
}

// url is the sink's address as INVITE_SMTP_URL takes it.
func (s *mailSink) url() string { return "smtp://" + s.ln.Addr().String() + "?tls=none" }

func (s *mailSink) close() { s.srv.Close() }

// received returns how many messages each recipient whose address starts
// with prefix got.
func (s *mailSink) received(prefix string) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int)
	for rcpt, n := range s.rcpts {
		if strings.HasPrefix(rcpt, prefix) {
			out[rcpt] = n
		}
	}
	return out
}

// NewSession implements smtp.Backend.
func (s *mailSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }

// sinkSession is one SMTP connection, which may carry many messages.
type sinkSession struct {
	sink *mailSink
	to   []string
}

func (ss *sinkSession) Reset()        { ss.to = nil }
func (ss *sinkSession) Logout() error { return nil }

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error {
	ss.to = nil
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, strings.ToLower(to))
	return nil
}

// Data counts the message once it has been read whole: accepted, as the
// sender sees it.
func (ss *sinkSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	ss.sink.mu.Lock()
	defer ss.sink.mu.Unlock()
	for _, to := range ss.to {
		ss.sink.rcpts[to]++
	}
	return nil
}
