package invite

import (
	"context"
	"strings"
	"testing"
)

// The zero LogMailer logs to slog's default logger; a Service without a
// Store fails at once, saying what is missing, when made or first used.
func TestZeroValues(t *testing.T) {
	if errs := (LogMailer{}).Deliver(context.Background(), []*Message{{To: "a@example.com", Subject: "Hi"}}); len(errs) != 1 || errs[0] != nil {
		t.Errorf("LogMailer{}.Deliver: %v", errs)
	}
	panics := func(name, want string, f func()) {
		t.Helper()
		defer func() {
			if msg, _ := recover().(string); !strings.Contains(msg, want) {
				t.Errorf("%s: panicked with %q, want one that says %q", name, msg, want)
			}
		}()
		f()
	}
	panics("NewService(nil)", "NewService needs a Store", func() { NewService(nil, Config{}) })
	var s Service
	panics("Service{}.Invite", "must be made by NewService", func() { _, _, _ = s.Invite(NewContext(context.Background(), &User{ID: 1}), InvitationInput{}) })
	panics("Service{}.ExpireDue", "must be made by NewService", func() { _, _ = s.ExpireDue(context.Background()) })
	panics("Service{}.Login", "must be made by NewService", func() { _, _, _ = s.Login(context.Background(), "a@example.com", "password") })
}

// A BaseURL that is no absolute http or https URL would put it in every
// link sent: NewService refuses it at once.
func TestBadBaseURL(t *testing.T) {
	for _, base := range []string{"javascript:alert(1)//", "invite.example.com", "ftp://invite.example.com", "https://"} {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, "BaseURL") {
					t.Errorf("NewService with BaseURL %q: panicked with %q", base, msg)
				}
			}()
			NewService(nopStore{}, Config{BaseURL: base})
		}()
	}
}

// nopStore is a Store that is never called.
type nopStore struct{ Store }
