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

// Paths that are not plain absolute paths, or that cannot be told apart,
// would send links to nowhere or redact one secret as another: NewService
// refuses them at once, naming the field.
func TestBadPaths(t *testing.T) {
	with := func(change func(*Paths)) Paths {
		p := DefaultPaths()
		change(&p)
		return p
	}
	for _, tt := range []struct {
		paths Paths
		field string
	}{
		{with(func(p *Paths) { p.AcceptInvitation = "join/" }), "AcceptInvitation"},
		{with(func(p *Paths) { p.AcceptInvitation = "/join" }), "AcceptInvitation"},
		{with(func(p *Paths) { p.ResetPassword = "//evil.example.com/" }), "ResetPassword"},
		{with(func(p *Paths) { p.RequestToJoin = "/ask?x=1/" }), "RequestToJoin"},
		{with(func(p *Paths) { p.Users = "https://elsewhere.example.com/users" }), "Users"},
		{with(func(p *Paths) { p.Invitations = "" }), "Invitations"},
		{with(func(p *Paths) { p.ResetPassword = "/join/" }), "ResetPassword"},
		{with(func(p *Paths) { p.RequestToJoin = "/join/x/" }), "RequestToJoin"},
		// Found from outside: accepted, and resolved or cut elsewhere.
		{with(func(p *Paths) { p.AcceptInvitation = "/a/../reset/" }), "AcceptInvitation"},
		{with(func(p *Paths) { p.AcceptInvitation = "/a b/" }), "AcceptInvitation"},
		{with(func(p *Paths) { p.AcceptInvitation = "/\\evil.example/" }), "AcceptInvitation"},
		{with(func(p *Paths) { p.AcceptInvitation = "/a%2fb/" }), "AcceptInvitation"},
		{with(func(p *Paths) { p.Invitations = p.Users }), "Invitations"},
	} {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, "Paths."+tt.field) {
					t.Errorf("NewService with %+v: panicked with %q, want it to name Paths.%s", tt.paths, msg, tt.field)
				}
			}()
			NewService(nopStore{}, Config{Paths: tt.paths})
		}()
	}
	if got := NewService(nopStore{}, Config{}).Paths(); got != DefaultPaths() {
		t.Errorf("zero Paths: got %+v, want DefaultPaths", got)
	}
}

// nopStore is a Store that is never called.
type nopStore struct{ Store }
