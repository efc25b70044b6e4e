package smtp_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/invitetest"
	"github.com/invitehq/invite/invite/memstore"
	"github.com/invitehq/invite/invite/smtp"
	"github.com/invitehq/invite/invite/smtp/smtptest"
)

// The outbox through a real SMTP server that fails as servers do: 421 and
// 450 once, 550 always, the connection dropped in the middle of the data,
// a 30 s stall. What fails for a while is tried again with backoff and
// delivered once; a refusal is failed at once, with the server's answer
// kept for the administrators; the stall is cut off by the configured
// timeout and holds up nothing for good.
func TestOutboxThroughFaults(t *testing.T) {
	w := invitetest.NewWorld(t, memstore.New())
	srv := smtptest.Start(t, smtptest.Options{})
	var (
		mu    sync.Mutex
		tries = map[string]int{} // recipient: RCPT TO seen
	)
	srv.Reject(func(rcpt string) error {
		mu.Lock()
		tries[rcpt]++
		first := tries[rcpt] == 1
		mu.Unlock()
		switch {
		case strings.HasPrefix(rcpt, "busy@") && first:
			return &gosmtp.SMTPError{Code: 421, EnhancedCode: gosmtp.EnhancedCode{4, 3, 2}, Message: "Service not available"}
		case strings.HasPrefix(rcpt, "full@") && first:
			return &gosmtp.SMTPError{Code: 450, EnhancedCode: gosmtp.EnhancedCode{4, 2, 1}, Message: "Mailbox busy"}
		case strings.HasPrefix(rcpt, "gone@"):
			return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
		case strings.HasPrefix(rcpt, "slow@") && first:
			select { // stalls longer than the mailer waits
			case <-time.After(30 * time.Second):
			case <-t.Context().Done():
			}
			return errors.New("too late")
		}
		return nil
	})
	cut := map[string]bool{}
	srv.CutData(func(rcpts []string) bool {
		mu.Lock()
		defer mu.Unlock()
		if len(rcpts) == 1 && strings.HasPrefix(rcpts[0], "cut@") && !cut[rcpts[0]] {
			cut[rcpts[0]] = true
			return true
		}
		return false
	})
	mailer, err := smtp.New(srv.URL()+"&timeout=1s", "no-reply@invite.example.com")
	if err != nil {
		t.Fatal(err)
	}

	// Each fault between two messages that are fine.
	addrs := []string{"fine1@example.com", "busy@example.com", "full@example.com", "gone@example.com",
		"cut@example.com", "slow@example.com", "fine2@example.com"}
	invitations := map[string]int64{}
	for _, a := range addrs {
		in := w.Input(w.A)
		in.Email = a
		inv, _, err := w.Service.Invite(w.Global, in)
		if err != nil {
			t.Fatal(err)
		}
		invitations[a] = inv.ID
	}
	// Rounds of the scheduled job, an hour apart (more than any backoff
	// so far), until nothing is left to try.
	for round := 0; round < 10; round++ {
		if _, err := w.Service.DeliverOutbox(t.Context(), mailer); err != nil {
			t.Fatal(err)
		}
		w.Clock.Add(time.Hour)
	}

	got := map[string]int{} // recipient: messages accepted
	ids := map[string]int{} // Message-ID: times accepted
	for _, r := range srv.Received() {
		m, err := r.Parse()
		if err != nil {
			t.Fatal(err)
		}
		ids[m.Header.Get("Message-Id")]++
		for _, to := range r.To {
			got[to]++
		}
	}
	for _, a := range addrs {
		want := 1
		if strings.HasPrefix(a, "gone@") {
			want = 0
		}
		if got[a] != want {
			t.Errorf("%s got %d mails, want %d", a, got[a], want)
		}
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("message %s accepted %d times", id, n)
		}
	}
	mu.Lock()
	t.Logf("RCPT tries per recipient: %v", tries)
	mu.Unlock()
	if tries["gone@example.com"] != 1 {
		t.Errorf("a refused recipient was tried %d times, want once", tries["gone@example.com"])
	}
	inv, err := w.Service.Invitation(w.Global, invitations["gone@example.com"])
	if err != nil {
		t.Fatal(err)
	}
	if d := inv.Delivery; d == nil || d.State != invite.DeliveryFailed || !strings.Contains(d.Error, "550") || !strings.Contains(d.Error, "No such user here") {
		t.Errorf("the refused invitation's delivery: %+v; want failed with the server's answer", d)
	}
	for _, a := range addrs {
		if strings.HasPrefix(a, "gone@") {
			continue
		}
		inv, err := w.Service.Invitation(w.Global, invitations[a])
		if err != nil {
			t.Fatal(err)
		}
		if d := inv.Delivery; d == nil || d.State != invite.DeliverySent {
			t.Errorf("%s: delivery %+v, want sent", a, d)
		}
	}
}

// Found from outside: a shutdown (SIGTERM) closed the connection while the
// server was answering a message whose data it had taken; the message was
// counted as not sent, given back, and sent again by another worker. The
// message in progress gets its answer; the shutdown stops before the
// next, and what it did not send goes out once, from the next worker.
func TestShutdownLetsTheMessageFinish(t *testing.T) {
	w := invitetest.NewWorld(t, memstore.New())
	for range 3 {
		if _, _, err := w.Service.Invite(w.Global, w.Input(w.A)); err != nil {
			t.Fatal(err)
		}
	}
	srv := smtptest.Start(t, smtptest.Options{})
	ctx, shutdown := context.WithCancel(t.Context())
	var once sync.Once
	srv.BeforeAccepting(func([]string) {
		once.Do(func() {
			shutdown() // SIGTERM, between the data and the server's answer
			// A while for a shutdown that would close the connection to
			// close it: the answer then finds it closed.
			time.Sleep(200 * time.Millisecond)
		})
	})
	mailer, err := smtp.New(srv.URL(), "no-reply@invite.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Service.DeliverOutbox(ctx, mailer); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("DeliverOutbox during the shutdown: %v", err)
	}
	if _, err := w.Service.DeliverOutbox(t.Context(), mailer); err != nil { // the next worker, at once
		t.Fatal(err)
	}
	ids := map[string]int{}
	for _, r := range srv.Received() {
		m, err := r.Parse()
		if err != nil {
			t.Fatal(err)
		}
		ids[m.Header.Get("Message-Id")]++
	}
	msgs, err := w.Store.Messages(t.Context(), invite.MessageQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(msgs) {
		t.Errorf("%d messages received, want all %d", len(ids), len(msgs))
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("message %s received %d times, want once", id, n)
		}
	}
}
