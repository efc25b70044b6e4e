package invitetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/smtp"
	"github.com/invitehq/invite/invite/smtp/smtptest"
)

// logMailer delivers to nowhere, keeping links, as the embedded default does.
var logMailer = invite.LogMailer{Logger: slog.New(slog.DiscardHandler)}

// drain delivers everything queued so far, so that a test sees only its own mail.
func (f *fixture) drain(t testing.TB) {
	t.Helper()
	if _, err := f.Service.DeliverOutbox(context.Background(), logMailer); err != nil {
		t.Fatal(err)
	}
}

func mailerFor(t testing.TB, srv *smtptest.Server) *smtp.Mailer {
	t.Helper()
	m, err := smtp.New(srv.URL(), "Invitations <no-reply@invite.example.com>", smtp.WithTLSConfig(srv.ClientTLS()), smtp.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// tokenIn returns the token of the invitation link in text.
func tokenIn(t testing.TB, text string) string {
	t.Helper()
	return tokenAt(t, text, invite.DefaultPaths().AcceptInvitation)
}

// tokenAt returns the token of the link with the given path in text.
func tokenAt(t testing.TB, text, path string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(path) + `([A-Za-z0-9_-]{43})`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no %s link in %q", path, text)
	}
	return m[1]
}

// freeAddr returns a local address where nothing listens.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// checkReceivedOnce fails unless the server received exactly one message
// for each address in want, each with a Message-ID of its own.
func checkReceivedOnce(t *testing.T, srv *smtptest.Server, want map[string]bool) {
	t.Helper()
	byRcpt, byID := map[string]int{}, map[string]int{}
	for _, r := range srv.Received() {
		byRcpt[r.To[0]]++
		msg, err := r.Parse()
		if err != nil {
			t.Fatal(err)
		}
		byID[msg.Header.Get("Message-Id")]++
	}
	if len(byRcpt) != len(want) || len(byID) != len(want) {
		t.Errorf("received mail for %d addresses with %d Message-IDs, want %d", len(byRcpt), len(byID), len(want))
	}
	for rcpt, count := range byRcpt {
		if !want[rcpt] || count != 1 {
			t.Errorf("%s received %d messages, want 1", rcpt, count)
		}
	}
}

func testDeliveryFailure(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	srv := smtptest.Start(t, smtptest.Options{})
	srv.Reject(func(rcpt string) error {
		switch {
		case strings.HasPrefix(rcpt, "gone"):
			return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
		case strings.HasPrefix(rcpt, "busy"):
			return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Mailbox busy"}
		}
		return nil
	})
	mailer := mailerFor(t, srv)

	t.Run("PermanentThenFixed", func(t *testing.T) {
		in := f.Input(f.A)
		in.Email = "gone@example.com"
		inv, _, err := f.Service.Invite(f.AdminA, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Service.DeliverOutbox(t.Context(), mailer); err != nil {
			t.Fatal(err)
		}
		// The reason in the mail server's words, for the Global
		// Administrator, who runs it (DeliveryErrorsForReader).
		got, _ := f.Service.Invitation(f.Global, inv.ID)
		if d := got.Delivery; d == nil || d.State != invite.DeliveryFailed || d.Attempts != 1 || !strings.Contains(d.Error, "No such user") {
			t.Fatalf("delivery: got %+v, want failed at once with the reason", got.Delivery)
		}
		// The administrator corrects the address and resends.
		in.Email = "grace.hopper@example.com"
		if _, _, err := f.Service.Resend(f.AdminA, inv.ID, &in); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Service.DeliverOutbox(t.Context(), mailer); err != nil {
			t.Fatal(err)
		}
		got, _ = f.Service.Invitation(f.AdminA, inv.ID)
		if d := got.Delivery; d == nil || d.State != invite.DeliverySent {
			t.Fatalf("delivery after the fix: got %+v, want sent", d)
		}
	})
	t.Run("TemporaryUntilAttemptsRunOut", func(t *testing.T) {
		svc := invite.NewService(f.Store, invite.Config{Now: f.Clock.Now, Retry: invite.Retry{Attempts: 3}})
		in := f.Input(f.A)
		in.Email = "busy@example.com"
		inv, _, err := svc.Invite(f.AdminA, in)
		if err != nil {
			t.Fatal(err)
		}
		for attempt := 1; attempt <= 3; attempt++ {
			if _, err := svc.DeliverOutbox(t.Context(), mailer); err != nil {
				t.Fatal(err)
			}
			got, _ := svc.Invitation(f.Global, inv.ID)
			want := invite.DeliveryQueued
			if attempt == 3 {
				want = invite.DeliveryFailed
			}
			if d := got.Delivery; d.State != want || d.Attempts != attempt || !strings.Contains(d.Error, "Mailbox busy") {
				t.Fatalf("after attempt %d: got %+v, want %s", attempt, d, want)
			}
			f.Clock.Add(2 * time.Hour)
		}
	})
}

// One reminder per sending, with a new link, however many jobs run it.
func testReminders(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	inv, oldToken := f.invite(t, f.A)
	wantAt := inv.ExpiresAt.Add(-invite.DefaultRemindBefore)
	if !inv.RemindAt.Equal(wantAt) {
		t.Fatalf("RemindAt: got %v, want %v", inv.RemindAt, wantAt)
	}
	f.Clock.Set(wantAt.Add(-time.Microsecond))
	if n, err := f.Service.SendReminders(t.Context()); err != nil || n != 0 {
		t.Fatalf("SendReminders before due: %d, %v; want 0", n, err)
	}
	f.Clock.Set(wantAt)
	counts := make([]int, 3)
	errs := Parallel(3, func(i int) error {
		var err error
		counts[i], err = f.Service.SendReminders(context.Background())
		return err
	})
	if got := Tally(errs); got[""] != 3 || counts[0]+counts[1]+counts[2] != 1 {
		t.Fatalf("three jobs at once: %v, reminders %v; want 1 in all", got, counts)
	}
	if n, _ := f.Service.SendReminders(t.Context()); n != 0 {
		t.Fatalf("a second reminder was sent")
	}
	reminder := f.latestMail(t)
	if reminder.Kind != invite.KindReminder || reminder.InvitationID != inv.ID || !strings.Contains(reminder.Subject, "Erinnerung") {
		t.Fatalf("latest message: got %s %q for %d, want the German reminder for %d", reminder.Kind, reminder.Subject, reminder.InvitationID, inv.ID)
	}
	_, err := f.Service.Accept(t.Context(), acceptInput(oldToken))
	wantErr(t, err, invite.ErrInvitationNotFound)
	if _, err := f.Service.Accept(t.Context(), acceptInput(tokenIn(t, reminder.Text))); err != nil {
		t.Fatalf("Accept with the reminder's link: %v", err)
	}
	got, _ := f.Service.Invitation(f.AdminA, inv.ID)
	if !got.RemindedAt.Equal(wantAt) || !got.RemindAt.IsZero() {
		t.Errorf("got RemindedAt %v, RemindAt %v", got.RemindedAt, got.RemindAt)
	}
	f.Clock.Set(start)

	t.Run("ShortTTL", func(t *testing.T) {
		svc := invite.NewService(f.Store, invite.Config{Now: f.Clock.Now, TTL: 24 * time.Hour})
		inv, _, err := svc.Invite(f.AdminA, f.Input(f.A))
		if err != nil || !inv.RemindAt.IsZero() {
			t.Errorf("an invitation valid for less than the reminder lead got RemindAt %v (%v)", inv.RemindAt, err)
		}
	})
	t.Run("Disabled", func(t *testing.T) {
		svc := invite.NewService(f.Store, invite.Config{Now: f.Clock.Now, RemindBefore: -1})
		inv, _, err := svc.Invite(f.AdminA, f.Input(f.A))
		if err != nil || !inv.RemindAt.IsZero() {
			t.Errorf("reminders off, got RemindAt %v (%v)", inv.RemindAt, err)
		}
	})
	t.Run("ResendRemindsAgain", func(t *testing.T) {
		inv, _ := f.invite(t, f.A)
		f.Clock.Set(inv.RemindAt)
		if n, _ := f.Service.SendReminders(t.Context()); n != 1 {
			t.Fatalf("got %d reminders, want 1", n)
		}
		resent, _, err := f.Service.Resend(f.AdminA, inv.ID, nil)
		if err != nil || !resent.RemindAt.Equal(resent.ExpiresAt.Add(-invite.DefaultRemindBefore)) {
			t.Fatalf("after resend: RemindAt %v (%v)", resent.RemindAt, err)
		}
		f.Clock.Set(start)
	})
}

func testMailTemplates(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	tmpl := invite.Template{Subject: "{CompanyName} sucht Verstärkung", Body: "Servus {FirstName}!\n\nKlick: {InvitationLink}"}

	t.Run("Default", func(t *testing.T) {
		got, own, err := f.Service.MailTemplate(f.AdminA, f.A.ID, "de")
		if err != nil || own || !strings.Contains(got.Subject, "eingeladen") {
			t.Fatalf("got %+v, %v, %v; want the built-in German template", got, own, err)
		}
	})
	t.Run("ErrInvalidInput", func(t *testing.T) {
		err := f.Service.SetMailTemplate(f.AdminA, f.A.ID, "de", invite.Template{Subject: "Hi {Vorname}", Body: "x"})
		wantField(t, err, "subject", invite.ReasonUnknownPlaceholder)
		if fe, _ := err.(*invite.Error).Field("subject"); fe.Args["Column"] != 4 || fe.Args["Placeholder"] != "{Vorname}" {
			t.Errorf("position: got %v", fe.Args)
		}
		err = f.Service.SetMailTemplate(f.AdminA, f.A.ID, "de", invite.Template{Subject: "Hi\nthere", Body: "x"})
		wantField(t, err, "subject", invite.ReasonLineBreak)
		err = f.Service.SetMailTemplate(f.AdminA, f.A.ID, "xx", tmpl)
		wantField(t, err, "language", invite.ReasonUnsupportedLanguage)
		if _, own, _ := f.Service.MailTemplate(f.AdminA, f.A.ID, "de"); own {
			t.Errorf("a refused template was saved")
		}
	})
	t.Run("ErrCompanyNotFound", func(t *testing.T) {
		wantErr(t, f.Service.SetMailTemplate(f.AdminB, f.A.ID, "de", tmpl), invite.ErrCompanyNotFound)
		_, _, err := f.Service.MailTemplate(f.AdminB, f.A.ID, "de")
		wantErr(t, err, invite.ErrCompanyNotFound)
	})
	t.Run("CompanyTemplate", func(t *testing.T) {
		if err := f.Service.SetMailTemplate(f.AdminA, f.A.ID, "de", tmpl); err != nil {
			t.Fatal(err)
		}
		in := f.Input(f.A) // German, the company's default
		inv, _, err := f.Service.Invite(f.AdminA, in)
		if err != nil {
			t.Fatal(err)
		}
		m := latestMessage(t, f, inv.ID)
		if m.Subject != "Acme sucht Verstärkung" || !strings.HasPrefix(m.Text, "Servus Grace!") {
			t.Errorf("got %q\n%s", m.Subject, m.Text)
		}
		in = f.Input(f.A)
		in.Language = "en"
		inv, _, err = f.Service.Invite(f.AdminA, in)
		if err != nil {
			t.Fatal(err)
		}
		if m := latestMessage(t, f, inv.ID); !strings.Contains(m.Subject, "invited you to Acme") {
			t.Errorf("English invitation used %q, want the built-in English template", m.Subject)
		}
		// Back to the built-in one.
		if err := f.Service.SetMailTemplate(f.AdminA, f.A.ID, "de", invite.Template{}); err != nil {
			t.Fatal(err)
		}
		if _, own, _ := f.Service.MailTemplate(f.AdminA, f.A.ID, "de"); own {
			t.Errorf("the template is still the company's after reset")
		}
	})
	t.Run("InvitationTemplate", func(t *testing.T) {
		in := f.Input(f.A)
		in.Mail = invite.Template{Subject: "Just for {FirstName}", Body: "No link placeholder here."}
		inv, _, err := f.Service.Invite(f.AdminA, in)
		if err != nil {
			t.Fatal(err)
		}
		m := latestMessage(t, f, inv.ID)
		if m.Subject != "Just for Grace" || !strings.Contains(m.Text, invite.DefaultPaths().AcceptInvitation) {
			t.Errorf("got %q\n%s\nwant the invitation's template with the link appended", m.Subject, m.Text)
		}
		in.Mail.Body = "{Oops}"
		_, _, err = f.Service.Invite(f.AdminA, in)
		wantField(t, err, "body", invite.ReasonUnknownPlaceholder)
	})
	t.Run("Preview", func(t *testing.T) {
		in := f.Input(f.A)
		in.Mail = invite.Template{Subject: "Preview {LastName}", Body: "B"}
		before := f.messages(t, nil)
		m, err := f.Service.PreviewMail(f.AdminA, in)
		if err != nil || m.Subject != "Preview Hopper" {
			t.Fatalf("got %v, %v", m, err)
		}
		if after := f.messages(t, nil); after != before {
			t.Errorf("a preview wrote to the outbox")
		}
	})
}

func latestMessage(t *testing.T, f *fixture, invitationID int64) *invite.Message {
	t.Helper()
	page, err := f.Service.Messages(f.AdminA, invite.MessageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range page.Messages {
		if m.InvitationID == invitationID {
			return m
		}
	}
	t.Fatalf("no message for invitation %d", invitationID)
	return nil
}

func testMessagesIsolation(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.invite(t, f.B)
	page, err := f.Service.Messages(f.AdminA, invite.MessageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range page.Messages {
		if m.CompanyID != f.A.ID {
			t.Errorf("company A's administrator sees message %d of company %d", m.ID, m.CompanyID)
		}
	}
	_, err = f.Service.Messages(f.AdminA, invite.MessageFilter{CompanyID: f.B.ID})
	wantErr(t, err, invite.ErrCompanyNotFound)
	all, _ := f.Service.Messages(f.Global, invite.MessageFilter{Limit: 2})
	next, _ := f.Service.Messages(f.Global, invite.MessageFilter{Limit: 2, After: all.Next})
	if all.Next == 0 || len(next.Messages) == 0 || next.Messages[0].ID >= all.Messages[1].ID {
		t.Errorf("paging: %v then %v", ids2(all.Messages), ids2(next.Messages))
	}
}

func ids2(ms []*invite.Message) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprint(&b, m.ID, " ")
	}
	return b.String()
}

// Three delivery workers and three expiry jobs all at once, as three
// instances would run them: each mail is sent once, each due invitation is
// expired once.
func testJobsConcurrently(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	srv := smtptest.Start(t, smtptest.Options{})
	mailer := mailerFor(t, srv)
	want := map[string]bool{}
	const due, fresh = 60, 60
	for i := range due + fresh {
		if i == due {
			f.Clock.Add(time.Hour) // the rest are an hour younger
		}
		inv, _ := f.invite(t, f.A)
		want[inv.Email] = true
	}
	f.Clock.Add(f.Service.TTL() - time.Hour) // the first 60 are due, the rest not
	sent, expired := make([]int, 3), make([]int, 3)
	errs := Parallel(6, func(i int) error {
		if i >= 3 {
			var err error
			expired[i-3], err = f.Service.ExpireDue(context.Background())
			return err
		}
		for {
			n, err := f.Service.DeliverOutbox(context.Background(), mailer)
			sent[i] += n
			if err != nil || n == 0 {
				return err
			}
		}
	})
	if got := Tally(errs); got[""] != 6 {
		t.Fatalf("jobs: %v", got)
	}
	if n := expired[0] + expired[1] + expired[2]; n != due {
		t.Errorf("expiry jobs marked %v, %d in all; want %d", expired, n, due)
	}
	if n := sent[0] + sent[1] + sent[2]; n != due+fresh {
		t.Errorf("workers sent %v, %d in all; want %d", sent, n, due+fresh)
	}
	checkReceivedOnce(t, srv, want)
}

// keepingMailer accepts every message and keeps it, as a mailer that
// queues messages to send later does.
type keepingMailer struct{ kept []*invite.Message }

func (k *keepingMailer) Deliver(_ context.Context, msgs []*invite.Message) []error {
	k.kept = append(k.kept, msgs...)
	return make([]error, len(msgs))
}

// A Mailer gets messages of its own: the link that the service redacts in
// its record after delivery stays in what the mailer kept.
func testMailerKeepsItsMessages(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	_, token := f.invite(t, f.A)
	var k keepingMailer
	if n, err := f.Service.DeliverOutbox(t.Context(), &k); n != 1 || err != nil {
		t.Fatalf("DeliverOutbox: %d, %v; want 1", n, err)
	}
	if len(k.kept) != 1 || !strings.Contains(k.kept[0].Text, token) || !strings.Contains(k.kept[0].HTML, token) {
		t.Fatalf("the kept message lost its link: %+v", k.kept)
	}
	if m := f.latestMail(t); strings.Contains(m.Text, token) {
		t.Errorf("the outbox kept the link of a delivered message: %q", m.Text)
	}
}

// An invitation's e-mail goes out over SMTP in the invitee's language and
// time zone, and the link in it accepts the invitation.
func testDeliveryOverSMTP(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	srv := smtptest.Start(t, smtptest.Options{TLS: "starttls", User: "mailer", Password: "secret"})
	in := f.Input(f.A)
	in.Language, in.TimeZone = "pt-BR", "America/Sao_Paulo"
	inv, _, err := f.Service.Invite(f.AdminA, in)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Delivery == nil || inv.Delivery.State != invite.DeliveryQueued {
		t.Fatalf("delivery before the worker ran: got %+v, want queued", inv.Delivery)
	}
	n, err := f.Service.DeliverOutbox(t.Context(), mailerFor(t, srv))
	if err != nil || n != 1 {
		t.Fatalf("DeliverOutbox: %d, %v; want 1", n, err)
	}
	got := srv.Received()
	if len(got) != 1 || got[0].To[0] != inv.Email {
		t.Fatalf("server received %+v, want one message to %s", got, inv.Email)
	}
	msg, err := got[0].Decode()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.Subject, "convidou você para Acme") || msg.Header.Get("Content-Language") != "pt-BR" {
		t.Errorf("not in Portuguese: subject %q, language %q", msg.Subject, msg.Header.Get("Content-Language"))
	}
	loc, _ := time.LoadLocation("America/Sao_Paulo")
	wantDate := inv.ExpiresAt.In(loc).Format("02/01/2006 às 15:04")
	text, html := msg.Parts["text/plain"], msg.Parts["text/html"]
	for _, want := range []string{"Olá, Grace", wantDate, inv.Email, "App Designer (Colaborador), Data Stream Designer (Leitor)"} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	token := tokenIn(t, text)
	if !strings.Contains(html, `href="`+invite.DefaultBaseURL+invite.DefaultPaths().AcceptInvitation+token+`"`) {
		t.Errorf("HTML part lacks the link:\n%s", html)
	}
	// The link in the mail works.
	if _, err := f.Service.Accept(t.Context(), acceptInput(token)); err != nil {
		t.Fatalf("Accept with the mailed token: %v", err)
	}
	stored, _ := f.Service.Invitation(f.AdminA, inv.ID)
	if d := stored.Delivery; d == nil || d.State != invite.DeliverySent || d.Attempts != 1 || d.SentAt.IsZero() {
		t.Errorf("delivery after sending: got %+v, want sent after 1 attempt", d)
	}
	// Delivered over SMTP, the outbox keeps no usable link.
	if m := f.latestMail(t); strings.Contains(m.Text, token) || strings.Contains(m.HTML, token) {
		t.Errorf("the outbox still holds the token after delivery")
	}
}

// With the mail server down, 500 invitations are all made without an error
// to the administrator; once it is back, every mail arrives, none twice.
func testOutboxSurvivesSMTPDown(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	addr := freeAddr(t)
	mailer, err := smtp.New("smtp://"+addr+"?tls=none", "no-reply@invite.example.com", smtp.WithTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	const n = 500
	want := map[string]bool{}
	for range n {
		inv, _, err := f.Service.Invite(f.AdminA, f.Input(f.A))
		if err != nil {
			t.Fatalf("Invite while the mail server is down: %v", err)
		}
		want[inv.Email] = true
	}
	sent, err := f.Service.DeliverOutbox(t.Context(), mailer)
	if err != nil || sent != 0 {
		t.Fatalf("DeliverOutbox with the server down: %d, %v; want 0, nil", sent, err)
	}
	page, _ := f.Service.Messages(f.AdminA, invite.MessageFilter{Limit: 1})
	if m := page.Messages[0]; m.State != invite.DeliveryQueued || m.Attempts != 1 || m.LastError == "" {
		t.Errorf("after a failed attempt: got state %s, %d attempts, error %q; want queued with the reason", m.State, m.Attempts, m.LastError)
	}

	srv := smtptest.Start(t, smtptest.Options{Addr: addr})
	// Nothing is due before its backoff has passed.
	if sent, err := f.Service.DeliverOutbox(t.Context(), mailer); err != nil || sent != 0 {
		t.Fatalf("DeliverOutbox before the backoff: %d, %v; want 0", sent, err)
	}
	f.Clock.Add(2 * time.Hour)
	total := 0
	for runs := 0; total < n && runs < 10; runs++ {
		sent, err := f.Service.DeliverOutbox(t.Context(), mailer)
		if err != nil {
			t.Fatal(err)
		}
		total += sent
	}
	if sent, _ := f.Service.DeliverOutbox(t.Context(), mailer); total != n || sent != 0 {
		t.Fatalf("delivered %d then %d more, want %d then 0", total, sent, n)
	}
	checkReceivedOnce(t, srv, want)
}

// Three workers delivering one outbox at once send each message once.
func testConcurrentDelivery(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	srv := smtptest.Start(t, smtptest.Options{})
	mailer := mailerFor(t, srv)
	const n = 150
	want := map[string]bool{}
	for range n {
		inv, _ := f.invite(t, f.A)
		want[inv.Email] = true
	}
	counts := make([]int, 3)
	errs := Parallel(3, func(i int) error {
		for {
			sent, err := f.Service.DeliverOutbox(context.Background(), mailer)
			counts[i] += sent
			if err != nil || sent == 0 {
				return err
			}
		}
	})
	if got := Tally(errs); got[""] != 3 {
		t.Fatalf("workers: %v", got)
	}
	if counts[0]+counts[1]+counts[2] != n {
		t.Errorf("workers sent %v, want %d in all", counts, n)
	}
	checkReceivedOnce(t, srv, want)
	t.Logf("messages per worker: %v", counts)
}

// miscounting is a Mailer that answers for fewer messages than it was
// given.
type miscounting struct{}

func (miscounting) Deliver(_ context.Context, msgs []*invite.Message) []error {
	return make([]error, len(msgs)-1)
}

// Found from outside: a Mailer that answered for fewer messages than it
// was given had every one of them marked sent. Which were sent is then
// unknown: none is, and each is tried again.
func testMailerMiscounts(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	for range 3 {
		f.invite(t, f.A)
	}
	if n, err := f.Service.DeliverOutbox(t.Context(), miscounting{}); n != 0 || err != nil {
		t.Fatalf("DeliverOutbox: %d sent, %v; want none", n, err)
	}
	if n := f.messages(t, func(m *invite.Message) bool { return m.State == invite.DeliveryQueued && m.LastError != "" }); n != 3 {
		t.Errorf("%d messages queued again with the reason, want 3", n)
	}
}

// answeringMailer answers each recipient's message with the error that
// answers names, nil (sent) for any other.
type answeringMailer map[string]error

func (a answeringMailer) Deliver(_ context.Context, msgs []*invite.Message) []error {
	errs := make([]error, len(msgs))
	for i, m := range msgs {
		errs[i] = a[m.To]
	}
	return errs
}

// A Global Administrator reads a failed delivery in the mail server's own
// words; a Company Administrator, its reply code alone, or that no server
// answered: never the names and addresses of the servers in between
// (found from outside: the library gave everyone everything).
func testDeliveryErrorsForReader(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	refused, _ := f.invite(t, f.A)
	unreachable, _ := f.invite(t, f.A)
	mailer := answeringMailer{
		refused.Email:     invite.Permanent(errors.New("smtp mail.internal.example:25: 550 5.1.1 <x@example.com>: no such user")),
		unreachable.Email: invite.Permanent(errors.New("dial tcp 10.0.0.5:25: connection refused")),
	}
	if _, err := f.Service.DeliverOutbox(t.Context(), mailer); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ctx        context.Context
		who        string
		refused    string
		unreachble string
	}{
		{f.Global, "Global Administrator", mailer[refused.Email].Error(), mailer[unreachable.Email].Error()},
		{f.AdminA, "Company Administrator", "550", invite.DeliveryUnreachable},
	} {
		for id, want := range map[int64]string{refused.ID: tc.refused, unreachable.ID: tc.unreachble} {
			inv, err := f.Service.Invitation(tc.ctx, id)
			if err != nil || inv.Delivery == nil || inv.Delivery.Error != want {
				t.Errorf("%s reads invitation %d's delivery error %+v (%v), want %q", tc.who, id, inv.Delivery, err, want)
			}
			page, err := f.Service.Invitations(tc.ctx, invite.InvitationFilter{Email: inv.Email})
			if err != nil || len(page.Invitations) != 1 || page.Invitations[0].Delivery.Error != want {
				t.Errorf("%s lists invitation %d with %v (%v), want %q", tc.who, id, page, err, want)
			}
			m, err := f.Service.Message(tc.ctx, inv.Delivery.MessageID)
			if err != nil || m.Message.LastError != want {
				t.Errorf("%s reads message %d's error %v (%v), want %q", tc.who, inv.Delivery.MessageID, m, err, want)
			}
		}
		msgs, err := f.Service.Messages(tc.ctx, invite.MessageFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs.Messages {
			if m.LastError != "" && m.LastError != tc.refused && m.LastError != tc.unreachble {
				t.Errorf("%s lists message %d with %q", tc.who, m.ID, m.LastError)
			}
		}
	}
}

// countingMailer accepts every message and counts what each recipient got;
// deliver, if set, is called with each group it is handed.
type countingMailer struct {
	mu      sync.Mutex
	got     map[string]int
	deliver func(n int)
}

func (c *countingMailer) Deliver(_ context.Context, msgs []*invite.Message) []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.got == nil {
		c.got = map[string]int{}
	}
	for _, m := range msgs {
		c.got[m.To]++
	}
	if c.deliver != nil {
		c.deliver(len(msgs))
	}
	return make([]error, len(msgs))
}

// flakySaves is a Store whose SaveDelivery fails its first fails calls,
// as a database that resets for a moment does.
type flakySaves struct {
	invite.Store
	fails *atomic.Int64
}

func (s flakySaves) InTx(ctx context.Context, fn func(invite.Store) error) error {
	return s.Store.InTx(ctx, func(tx invite.Store) error { return fn(flakySaves{tx, s.fails}) })
}

func (s flakySaves) SaveDelivery(ctx context.Context, m *invite.Message) error {
	if s.fails.Add(-1) >= 0 {
		return errInjected
	}
	return s.Store.SaveDelivery(ctx, m)
}

// Found from outside: a batch was recorded only once all of it was sent,
// the first failure to record abandoned the rest, and a shutdown canceled
// the recording; each sent again later what had gone out. What the mailer
// took is recorded, through store faults and a shutdown, and sent once.
func testDeliveriesRecordedOnce(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	none := invite.Rate{Count: -1}
	cfg := invite.Config{Now: f.Clock.Now, Limits: invite.Limits{Invitations: none, Mails: none, DailyMails: none}}
	sendAll := func(t *testing.T, want int) {
		t.Helper()
		for range want {
			f.invite(t, f.A)
		}
	}
	// afterLease delivers again once every claim has run out, and checks
	// that each recipient got exactly one mail.
	afterLease := func(t *testing.T, m *countingMailer, want int) {
		t.Helper()
		f.Clock.Add(invite.DefaultRetry().Lease + time.Minute)
		if _, err := f.Service.DeliverOutbox(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		if len(m.got) != want {
			t.Errorf("%d recipients got mail, want %d", len(m.got), want)
		}
		for to, n := range m.got {
			if n != 1 {
				t.Errorf("%s got %d mails, want 1", to, n)
			}
		}
	}
	t.Run("StoreFaults", func(t *testing.T) {
		f.drain(t)
		const want = 23 // three groups
		sendAll(t, want)
		var fails atomic.Int64
		fails.Store(3)
		m := &countingMailer{}
		if n, err := invite.NewService(flakySaves{f.Store, &fails}, cfg).DeliverOutbox(t.Context(), m); n != want || err != nil {
			t.Fatalf("DeliverOutbox: %d, %v; want %d sent and recorded", n, err, want)
		}
		afterLease(t, m, want)
	})
	t.Run("Shutdown", func(t *testing.T) {
		f.drain(t)
		const want = 23
		sendAll(t, want)
		ctx, cancel := context.WithCancel(t.Context())
		m := &countingMailer{deliver: func(int) { cancel() }} // SIGTERM while the first group goes out
		n, err := f.Service.DeliverOutbox(ctx, m)
		if !errors.Is(err, context.Canceled) || n == 0 || n >= want {
			t.Fatalf("DeliverOutbox: %d, %v; want some sent, then context.Canceled", n, err)
		}
		afterLease(t, m, want)
	})
	t.Run("ShutdownGivesBack", func(t *testing.T) {
		// Found from outside: what a shutdown cut short waited for its
		// claim to run out, five minutes. It is given back: another
		// worker sends it at once, and nothing twice.
		f.drain(t)
		const want = 23
		sendAll(t, want)
		f.Clock.Add(time.Minute) // the shutdown comes later than the mail was queued
		ctx, cancel := context.WithCancel(t.Context())
		stalling := &stallingMailer{stalled: make(chan struct{}), release: make(chan struct{})}
		done := make(chan error, 1)
		go func() {
			_, err := f.Service.DeliverOutbox(ctx, stalling)
			done <- err
		}()
		<-stalling.stalled // one accepted, nine in the mail server's hands
		cancel()           // SIGTERM
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("DeliverOutbox: %v; want context.Canceled", err)
		}
		// Found from outside: given back at "now", they waited behind the
		// whole backlog. They are due before what was queued after them.
		msgs, err := f.Store.Messages(t.Context(), invite.MessageQuery{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var back, fresh []time.Time
		for _, m := range msgs {
			if m.State == invite.DeliveryQueued && m.Attempts > 0 {
				back = append(back, m.NextAttemptAt)
			} else if m.State == invite.DeliveryQueued {
				fresh = append(fresh, m.NextAttemptAt)
			}
		}
		if len(back) == 0 || len(fresh) == 0 || slices.MaxFunc(back, time.Time.Compare).After(slices.MinFunc(fresh, time.Time.Compare)) {
			t.Errorf("given back, due %v; queued after them, due %v: want those given back first", back, fresh)
		}
		other := &countingMailer{} // another process, at the same moment
		if _, err := f.Service.DeliverOutbox(t.Context(), other); err != nil {
			t.Fatal(err)
		}
		got := stalling.got.got
		for to, n := range other.got {
			got[to] += n
		}
		if len(got) != want {
			t.Errorf("%d recipients got mail at once, want %d", len(got), want)
		}
		for to, n := range got {
			if n != 1 {
				t.Errorf("%s got %d mails, want 1", to, n)
			}
		}
	})
}

// Found from outside: a process killed in the middle of a group of ten
// had sent some and recorded none, and up to ten went out twice. An
// EachMailer's messages are recorded one by one, each before the next is
// sent: a kill leaves at most one sent and not recorded.
func testRecordedAsAnswered(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	for range 12 {
		f.invite(t, f.A)
	}
	m := &checkingMailer{store: f.Store, t: t}
	if n, err := f.Service.DeliverOutbox(t.Context(), m); n != 12 || err != nil {
		t.Fatalf("DeliverOutbox: %d, %v; want 12 sent", n, err)
	}
	if m.checked != 12 {
		t.Errorf("checked %d messages, want 12", m.checked)
	}
}

// checkingMailer is an EachMailer that, before it sends each message,
// checks that the one it sent before is recorded as sent.
type checkingMailer struct {
	store   invite.Store
	t       *testing.T
	checked int
}

func (c *checkingMailer) Deliver(ctx context.Context, msgs []*invite.Message) []error {
	errs := make([]error, len(msgs))
	c.DeliverEach(ctx, msgs, func(i int, err error) bool { errs[i] = err; return true })
	return errs
}

func (c *checkingMailer) DeliverEach(ctx context.Context, msgs []*invite.Message, done func(int, error) bool) {
	for i, m := range msgs {
		if i > 0 {
			prev := msgs[i-1].ID
			sent, err := c.store.Messages(ctx, invite.MessageQuery{Limit: 1000})
			if err != nil {
				c.t.Fatal(err)
			}
			for _, s := range sent {
				if s.ID == prev && s.State != invite.DeliverySent {
					c.t.Errorf("message %d sent before message %d was recorded (it is %s)", m.ID, prev, s.State)
				}
			}
		}
		c.checked++
		if !done(i, nil) {
			return
		}
	}
}

// Found from outside: nothing was logged through a 48 s SMTP outage or 590
// sendings again. Each failed delivery is told to the Logger with the mail
// server's answer, at Warn when it is tried again and Error when it is
// given up.
func testDeliveryFailuresLogged(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	later, _ := f.invite(t, f.A)
	gone, _ := f.invite(t, f.A)
	var log bytes.Buffer
	none := invite.Rate{Count: -1}
	svc := invite.NewService(f.Store, invite.Config{Now: f.Clock.Now, Limits: invite.Limits{Invitations: none, Mails: none, DailyMails: none},
		Logger: slog.New(slog.NewTextHandler(&log, nil))})
	m := answeringMailer{
		later.Email: errors.New("451 4.3.0 try again later"),
		gone.Email:  invite.Permanent(errors.New("550 5.1.1 no such user")),
	}
	if _, err := svc.DeliverOutbox(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`level=WARN msg="mail not delivered, to be tried again"`, "451 4.3.0 try again later",
		`level=ERROR msg="mail not delivered, for good"`, "550 5.1.1 no such user"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, log.String())
		}
	}
}

// stallingMailer accepts the first message it is handed, then stalls until
// its context ends or release is closed, failing the rest.
type stallingMailer struct {
	got     countingMailer
	stalled chan struct{} // closed once it stalls
	release chan struct{}
}

func (s *stallingMailer) Deliver(ctx context.Context, msgs []*invite.Message) []error {
	errs := s.got.Deliver(ctx, msgs[:1])
	close(s.stalled)
	select {
	case <-ctx.Done():
	case <-s.release:
	}
	for range msgs[1:] {
		errs = append(errs, errors.New("451 4.4.2 timed out"))
	}
	return errs
}

// Found from outside: with two workers, a delivery slower than the claim's
// lease was claimed again by the other and sent twice, and the late record
// dropped. A worker's mailer has half the lease; what it sent by then is
// recorded before the lease lapses, and never sent again. (Real time: the
// lease is the service's clock's, the mailer's deadline the context's.)
func testSlowDeliveryNotSentTwice(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.drain(t)
	for range 3 {
		f.invite(t, f.A)
	}
	const lease = 4 * time.Second
	none := invite.Rate{Count: -1}
	cfg := invite.Config{Now: time.Now, Retry: invite.Retry{Attempts: 10, Base: time.Hour, Max: time.Hour, Lease: lease},
		Limits: invite.Limits{Invitations: none, Mails: none, DailyMails: none}}
	slow := &stallingMailer{stalled: make(chan struct{}), release: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		_, err := invite.NewService(f.Store, cfg).DeliverOutbox(t.Context(), slow)
		done <- err
	}()
	<-slow.stalled
	// The other worker tries until the first one's lease has lapsed.
	other, fast := invite.NewService(f.Store, cfg), &countingMailer{}
	for deadline := time.Now().Add(lease + time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, err := other.DeliverOutbox(t.Context(), fast); err != nil {
			t.Fatal(err)
		}
	}
	close(slow.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for to := range slow.got.got {
		if fast.got[to] > 0 {
			t.Errorf("%s got the mail twice: from the slow worker and the other", to)
		}
	}
	if len(slow.got.got) != 1 {
		t.Errorf("the slow worker delivered to %v, want one", slow.got.got)
	}
}
