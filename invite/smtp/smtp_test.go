package smtp_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/smtp"
	"github.com/invitehq/invite/invite/smtp/smtptest"
)

func message(to string) *invite.Message {
	return &invite.Message{
		ID:        1,
		MessageID: "<0123456789abcdef@invite.example.com>",
		To:        to,
		ToName:    "Jürgen Groß",
		Language:  "de",
		Subject:   "Einladung zu Müller & Söhne",
		Text:      "Hallo Jürgen,\n\nhttp://localhost:8080/join/abc\n",
		HTML:      "<p>Hallo J&uuml;rgen,</p>\n<p><a href=\"http://localhost:8080/join/abc\">Link</a></p>\n",
		CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
	}
}

func TestDeliver(t *testing.T) {
	tests := []smtptest.Options{
		{TLS: "none"},
		{TLS: "starttls"},
		{TLS: "tls"},
		{TLS: "starttls", User: "mailer", Password: "s3cret pass"},
		{TLS: "tls", User: "mailer", Password: "s3cret pass"},
	}
	for _, opts := range tests {
		name := opts.TLS
		if opts.User != "" {
			name += "+auth"
		}
		t.Run(name, func(t *testing.T) {
			srv := smtptest.Start(t, opts)
			m, err := smtp.New(srv.URL(), "Invitations <no-reply@invite.example.com>", smtp.WithTLSConfig(srv.ClientTLS()), smtp.WithTimeout(5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			msgs := []*invite.Message{message("juergen@example.com"), message("anna@example.com")}
			msgs[1].MessageID = "<second@invite.example.com>"
			for i, err := range m.Deliver(t.Context(), msgs) {
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
			}
			got := srv.Received()
			if len(got) != 2 {
				t.Fatalf("server received %d messages, want 2", len(got))
			}
			if got[0].From != "no-reply@invite.example.com" || len(got[0].To) != 1 || got[0].To[0] != "juergen@example.com" {
				t.Errorf("envelope: from %q to %v", got[0].From, got[0].To)
			}
			parsed, err := got[0].Decode()
			if err != nil {
				t.Fatal(err)
			}
			h := parsed.Header
			if parsed.Subject != msgs[0].Subject {
				t.Errorf("Subject: got %q, want %q", parsed.Subject, msgs[0].Subject)
			}
			if h.Get("Message-Id") != msgs[0].MessageID {
				t.Errorf("Message-ID: got %q, want %q", h.Get("Message-Id"), msgs[0].MessageID)
			}
			if h.Get("Content-Language") != "de" {
				t.Errorf("Content-Language: got %q", h.Get("Content-Language"))
			}
			to, err := h.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Name != "Jürgen Groß" || to[0].Address != "juergen@example.com" {
				t.Errorf("To: got %v, %v", to, err)
			}
			for ct, charset := range parsed.Charset {
				if !strings.EqualFold(charset, "utf-8") {
					t.Errorf("part %s has charset %q, want UTF-8", ct, charset)
				}
			}
			if p := parsed.Parts; p["text/plain"] != msgs[0].Text || p["text/html"] != msgs[0].HTML {
				t.Errorf("parts: got %q", p)
			}
		})
	}
}

func TestDeliverErrors(t *testing.T) {
	t.Run("Permanent", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.Options{})
		srv.Reject(func(rcpt string) error {
			if rcpt == "gone@example.com" {
				return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
			}
			return nil
		})
		m, _ := smtp.New(srv.URL(), "no-reply@invite.example.com")
		errs := m.Deliver(t.Context(), []*invite.Message{message("ok@example.com"), message("gone@example.com")})
		if errs[0] != nil {
			t.Errorf("accepted recipient: %v", errs[0])
		}
		if !invite.IsPermanent(errs[1]) || !strings.Contains(errs[1].Error(), "No such user") {
			t.Errorf("rejected recipient: got %v, want a permanent error with the reason", errs[1])
		}
		if n := len(srv.Received()); n != 1 {
			t.Errorf("server received %d, want 1", n)
		}
	})
	t.Run("Temporary", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.Options{})
		srv.Reject(func(string) error {
			return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
		})
		m, _ := smtp.New(srv.URL(), "no-reply@invite.example.com")
		errs := m.Deliver(t.Context(), []*invite.Message{message("a@example.com")})
		if errs[0] == nil || invite.IsPermanent(errs[0]) {
			t.Errorf("got %v, want a temporary error", errs[0])
		}
	})
	t.Run("ServerDown", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		m, _ := smtp.New("smtp://"+addr+"?tls=none", "no-reply@invite.example.com", smtp.WithTimeout(2*time.Second))
		errs := m.Deliver(t.Context(), []*invite.Message{message("a@example.com"), message("b@example.com")})
		for i, err := range errs {
			if err == nil || invite.IsPermanent(err) {
				t.Errorf("message %d: got %v, want a temporary error", i, err)
			}
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.Options{TLS: "starttls", User: "mailer", Password: "right"})
		u := strings.Replace(srv.URL(), "mailer:right", "mailer:wrong", 1)
		m, _ := smtp.New(u, "no-reply@invite.example.com", smtp.WithTLSConfig(srv.ClientTLS()))
		errs := m.Deliver(t.Context(), []*invite.Message{message("a@example.com")})
		// A configuration fault: retried, so messages survive a fix.
		if errs[0] == nil || invite.IsPermanent(errs[0]) {
			t.Errorf("got %v, want a temporary error", errs[0])
		}
	})
	t.Run("UntrustedCertificate", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.Options{TLS: "starttls"})
		m, _ := smtp.New(srv.URL(), "no-reply@invite.example.com")
		errs := m.Deliver(t.Context(), []*invite.Message{message("a@example.com")})
		if errs[0] == nil || len(srv.Received()) != 0 {
			t.Errorf("sent over TLS with an untrusted certificate: %v", errs[0])
		}
	})
	t.Run("Canceled", func(t *testing.T) {
		srv := smtptest.Start(t, smtptest.Options{})
		m, _ := smtp.New(srv.URL(), "no-reply@invite.example.com")
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		errs := m.Deliver(ctx, []*invite.Message{message("a@example.com")})
		if !errors.Is(errs[0], context.Canceled) {
			t.Errorf("got %v, want context.Canceled", errs[0])
		}
	})
}

func TestNew(t *testing.T) {
	tests := []struct {
		url, from, err string
	}{
		{"smtp://mail.example.com", "a@example.com", ""},
		{"smtp://u:p@mail.example.com:2525?tls=none", "Invitations <a@example.com>", ""},
		{"smtps://mail.example.com", "a@example.com", "want smtp://"},
		{"smtp://mail.example.com?tls=maybe", "a@example.com", "tls="},
		{"smtp://mail.example.com?port=25", "a@example.com", "port="},
		{"smtp://mail.example.com:99999", "a@example.com", "bad port"},
		{"smtp://mail.example.com", "not an address", "sender"},
		{"smtp://u:hunter2@/", "a@example.com", "want smtp://"},
		{"smtp://mail.example.com?tls=none&timeout=5s", "a@example.com", ""},
		{"smtp://mail.example.com?timeout=soon", "a@example.com", "timeout="},
		{"smtp://mail.example.com?timeout=-1s", "a@example.com", "timeout="},
	}
	for _, tt := range tests {
		_, err := smtp.New(tt.url, tt.from)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("New(%q, %q): %v", tt.url, tt.from, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("New(%q, %q): got %v, want an error containing %q", tt.url, tt.from, err, tt.err)
		case err != nil && strings.Contains(err.Error(), "hunter2"):
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

// A name is written so that it reads back as it is, whatever it holds:
// quotes, commas, angle brackets, backslashes, at signs, other scripts and
// emoji. A first name with a quote once made every message to its owner
// fail for good.
func TestDeliverNames(t *testing.T) {
	names := []string{
		`Ada "The Countess" Lovelace`, `Lovelace, Ada`, `Ada <ada@evil.example>`, `Back\slash`, `"`, `\`, `a"b\c`,
		`ada@example.com`, `O'Brien (Engineering)`, `Jürgen Groß`, `李小龍`, `Zoë 🚀 Smith`, `=?utf-8?q?not_encoded?=`,
		`Semi; colon: dots...`, "Tab\u00a0NoBreak", `Ünïcödé "quoted" and, comma`, `Groß\Klein`, `\ʗ`,
	}
	srv := smtptest.Start(t, smtptest.Options{})
	m, err := smtp.New(srv.URL(), "Invitations <no-reply@invite.example.com>", smtp.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	msgs := make([]*invite.Message, len(names))
	for i, name := range names {
		msgs[i] = message(strings.ToLower(strings.Repeat("x", i+1)) + "@example.com")
		msgs[i].ToName = name
		msgs[i].Subject = "Welcome, " + name
		msgs[i].MessageID = "<" + strings.Repeat("a", i+1) + "@invite.example.com>"
	}
	for i, err := range m.Deliver(t.Context(), msgs) {
		if err != nil {
			t.Fatalf("%q: %v", names[i], err)
		}
	}
	got := srv.Received()
	if len(got) != len(names) {
		t.Fatalf("server received %d messages, want %d", len(got), len(names))
	}
	for i, r := range got {
		parsed, err := r.Decode()
		if err != nil {
			t.Fatalf("%q: %v", names[i], err)
		}
		to, err := parsed.Header.AddressList("To")
		if err != nil || len(to) != 1 {
			t.Errorf("%q: To %q: %v", names[i], parsed.Header.Get("To"), err)
			continue
		}
		if to[0].Name != names[i] || to[0].Address != msgs[i].To || len(r.To) != 1 || r.To[0] != msgs[i].To {
			t.Errorf("got To %q <%s> (envelope %v), want %q <%s>", to[0].Name, to[0].Address, r.To, names[i], msgs[i].To)
		}
		// (An encoded word typed into a subject is decoded by every mail
		// reader, as RFC 2047 says; names only are checked for it.)
		if parsed.Subject != msgs[i].Subject && !strings.Contains(names[i], "=?") {
			t.Errorf("got Subject %q, want %q", parsed.Subject, msgs[i].Subject)
		}
	}
}
