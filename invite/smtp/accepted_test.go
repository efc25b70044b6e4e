package smtp_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/smtp"
)

// faultyServer is an SMTP server that accepts every message and then fails
// at a command that comes after: answering it with 421, or dropping the
// connection, as a server restarting or an idle proxy does.
type faultyServer struct {
	ln       net.Listener
	failAt   string // "RSET" or "QUIT"; "DATA" stalls there until release is closed
	drop     bool   // drop the connection instead of answering 421
	release  chan struct{}
	mu       sync.Mutex
	accepted []string // the recipient of each message accepted
}

func startFaulty(t *testing.T, failAt string, drop bool) *faultyServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &faultyServer{ln: ln, failAt: failAt, drop: drop, release: make(chan struct{})}
	t.Cleanup(func() { close(s.release); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *faultyServer) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	reply := func(line string) { c.Write([]byte(line + "\r\n")) }
	reply("220 faulty.example ESMTP")
	var rcpt string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		if verb == s.failAt && verb == "DATA" && len(s.accepted) > 0 {
			<-s.release // a server that stalls after one message
			return
		}
		if verb == s.failAt && verb != "DATA" {
			if !s.drop {
				reply("421 4.3.2 Service shutting down")
			}
			return
		}
		switch verb {
		case "EHLO", "HELO":
			reply("250-faulty.example\r\n250 8BITMIME")
		case "MAIL", "NOOP", "RSET":
			reply("250 2.0.0 OK")
		case "RCPT":
			rcpt = strings.Trim(strings.TrimSpace(line[len("RCPT TO:"):]), "<>")
			reply("250 2.1.5 OK")
		case "DATA":
			reply("354 Go ahead")
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
			}
			s.mu.Lock()
			s.accepted = append(s.accepted, rcpt)
			s.mu.Unlock()
			reply("250 2.0.0 Accepted")
		case "QUIT":
			reply("221 2.0.0 Bye")
			return
		default:
			reply("502 5.5.1 Unrecognized")
		}
	}
}

func (s *faultyServer) url() string { return "smtp://" + s.ln.Addr().String() + "?tls=none" }

// Found from outside: a message the server had accepted counted as failed
// when the RSET or QUIT after it failed, and was sent again and again (100
// recipients got 690 mails). Once the server has accepted a message's
// data, it is delivered, whatever happens after.
func TestDeliverAcceptedStaysDelivered(t *testing.T) {
	tests := []struct {
		name      string
		failAt    string
		drop      bool
		delivered int // of three, the first ones
	}{
		{"QUIT answered 421", "QUIT", false, 3},
		{"QUIT dropped", "QUIT", true, 3},
		{"RSET answered 421", "RSET", false, 1},
		{"RSET dropped", "RSET", true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startFaulty(t, tt.failAt, tt.drop)
			m, err := smtp.New(srv.url(), "no-reply@invite.example.com", smtp.WithTimeout(5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			msgs := []*invite.Message{message("a@example.com"), message("b@example.com"), message("c@example.com")}
			errs := m.Deliver(t.Context(), msgs)
			srv.mu.Lock()
			accepted := len(srv.accepted)
			srv.mu.Unlock()
			if accepted != tt.delivered {
				t.Fatalf("the server accepted %d messages, want %d", accepted, tt.delivered)
			}
			for i, err := range errs {
				switch {
				case i < tt.delivered && err != nil:
					t.Errorf("message %d, accepted by the server: %v; want delivered", i, err)
				case i >= tt.delivered && (err == nil || invite.IsPermanent(err)):
					t.Errorf("message %d, never accepted: %v; want a temporary error", i, err)
				}
			}
		})
	}
}

// A delivery ends with its context, also when the server stalls in the
// middle of it: what the server accepted by then is delivered, the rest
// fails for another try. (Otherwise a stalled delivery outlives its
// claim on the messages, and another worker sends them again.)
func TestDeliverEndsWithItsContext(t *testing.T) {
	srv := startFaulty(t, "DATA", false)
	m, err := smtp.New(srv.url(), "no-reply@invite.example.com", smtp.WithTimeout(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	msgs := []*invite.Message{message("a@example.com"), message("b@example.com"), message("c@example.com")}
	answered := make(chan []error, 1)
	go func() { answered <- m.Deliver(ctx, msgs) }()
	for {
		srv.mu.Lock()
		n := len(srv.accepted)
		srv.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case errs := <-answered:
		if errs[0] != nil {
			t.Errorf("message 0, accepted by the server: %v; want delivered", errs[0])
		}
		for i, err := range errs[1:] {
			if err == nil || invite.IsPermanent(err) {
				t.Errorf("message %d, never accepted: %v; want a temporary error", i+1, err)
			}
		}
	case <-time.After(time.Minute): // the server stalls for the hour of its timeout
		t.Fatal("Deliver did not return when its context ended")
	}
}
