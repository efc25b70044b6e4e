package invitetest

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// The state machine, through the service, on each database: every allowed
// transition and every forbidden one.
func testTransitions(t *testing.T, open Opener) {
	f := newFixture(t, open(t))

	// Each setup leaves one invitation in a status and returns its token.
	setups := map[invite.Status]func(t *testing.T) (*invite.Invitation, string){
		invite.StatusPending: func(t *testing.T) (*invite.Invitation, string) {
			return f.invite(t, f.A)
		},
		invite.StatusAccepted: func(t *testing.T) (*invite.Invitation, string) {
			inv, token := f.invite(t, f.A)
			if _, err := f.Service.Accept(context.Background(), acceptInput(token)); err != nil {
				t.Fatalf("Accept: %v", err)
			}
			return inv, token
		},
		invite.StatusCanceled: func(t *testing.T) (*invite.Invitation, string) {
			inv, token := f.invite(t, f.A)
			if _, err := f.Service.Cancel(f.AdminA, inv.ID); err != nil {
				t.Fatalf("Cancel: %v", err)
			}
			return inv, token
		},
		invite.StatusExpired: func(t *testing.T) (*invite.Invitation, string) {
			inv, token := f.invite(t, f.A)
			f.Clock.Add(f.Service.TTL())
			defer f.Clock.Add(-f.Service.TTL())
			if n, err := f.Service.ExpireDue(context.Background()); err != nil || n < 1 {
				t.Fatalf("ExpireDue: %d, %v; want at least 1", n, err)
			}
			if f.invitations(t, invitationIn(inv.ID, invite.StatusExpired)) != 1 {
				t.Fatalf("ExpireDue left the invitation unexpired")
			}
			return inv, token
		},
	}
	// Each action tries one transition and returns its error.
	actions := map[string]func(inv *invite.Invitation, token string) error{
		"Accept": func(_ *invite.Invitation, token string) error {
			_, err := f.Service.Accept(context.Background(), acceptInput(token))
			return err
		},
		"Cancel": func(inv *invite.Invitation, _ string) error {
			_, err := f.Service.Cancel(f.AdminA, inv.ID)
			return err
		},
		"Resend": func(inv *invite.Invitation, _ string) error {
			_, _, err := f.Service.Resend(f.AdminA, inv.ID, nil)
			return err
		},
	}
	tests := []struct {
		from   invite.Status
		action string
		err    *invite.Error // nil when the transition is allowed
		to     invite.Status
	}{
		{invite.StatusPending, "Accept", nil, invite.StatusAccepted},
		{invite.StatusPending, "Cancel", nil, invite.StatusCanceled},
		{invite.StatusPending, "Resend", nil, invite.StatusPending},
		{invite.StatusExpired, "Resend", nil, invite.StatusPending},
		{invite.StatusExpired, "Accept", invite.ErrInvitationExpired, invite.StatusExpired},
		{invite.StatusExpired, "Cancel", invite.ErrInvitationExpired, invite.StatusExpired},
		{invite.StatusAccepted, "Accept", invite.ErrInvitationAccepted, invite.StatusAccepted},
		{invite.StatusAccepted, "Cancel", invite.ErrInvitationAccepted, invite.StatusAccepted},
		{invite.StatusAccepted, "Resend", invite.ErrInvitationAccepted, invite.StatusAccepted},
		{invite.StatusCanceled, "Accept", invite.ErrInvitationCanceled, invite.StatusCanceled},
		{invite.StatusCanceled, "Cancel", invite.ErrInvitationCanceled, invite.StatusCanceled},
		{invite.StatusCanceled, "Resend", invite.ErrInvitationCanceled, invite.StatusCanceled},
	}
	for _, tt := range tests {
		name := string(tt.from) + "/" + tt.action
		t.Run(name, func(t *testing.T) {
			inv, token := setups[tt.from](t)
			before, err := f.Service.Invitation(f.Global, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			err = actions[tt.action](inv, token)
			if tt.err == nil && err != nil {
				t.Fatalf("%s: got error %v, want none", name, err)
			}
			if tt.err != nil {
				wantErr(t, err, tt.err)
			}
			after, err := f.Service.Invitation(f.Global, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Status != tt.to {
				t.Errorf("status: got %s, want %s", after.Status, tt.to)
			}
			if tt.err != nil && (after.TimesSent != before.TimesSent || !after.ExpiresAt.Equal(before.ExpiresAt)) {
				t.Errorf("a refused %s changed the invitation: %+v -> %+v", tt.action, before, after)
			}
		})
	}
}

func testResend(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	t.Run("OK", func(t *testing.T) {
		inv, oldToken := f.invite(t, f.A)
		f.Clock.Add(24 * time.Hour)
		in := f.Input(f.A)
		in.FirstName, in.Language, in.TimeZone = "Margaret", "fr", "America/New_York"
		in.Grants = []invite.Grant{{SubscriptionID: f.A.Subscriptions[1].ID, Role: invite.RoleAdministrator}}
		got, newToken, err := f.Service.Resend(f.AdminA, inv.ID, &in)
		if err != nil {
			t.Fatalf("Resend: %v", err)
		}
		if newToken == oldToken || newToken == "" {
			t.Fatalf("Resend returned token %q, want a new one", newToken)
		}
		if want := f.Clock.Now().Add(f.Service.TTL()); !got.ExpiresAt.Equal(want) {
			t.Errorf("ExpiresAt: got %v, want %v", got.ExpiresAt, want)
		}
		stored, err := f.Service.Invitation(f.AdminA, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.TimesSent != 2 || !stored.LastSentAt.Equal(f.Clock.Now()) || !stored.CreatedAt.Equal(start) {
			t.Errorf("got TimesSent %d, LastSentAt %v, CreatedAt %v; want 2, %v, %v",
				stored.TimesSent, stored.LastSentAt, stored.CreatedAt, f.Clock.Now(), start)
		}
		if stored.Email != strings.ToLower(in.Email) {
			t.Errorf("email: got %s, want %s", stored.Email, strings.ToLower(in.Email))
		}
		if stored.FirstName != "Margaret" || stored.Language != "fr" || stored.TimeZone != "America/New_York" ||
			len(stored.Grants) != 1 || stored.Grants[0].Role != invite.RoleAdministrator {
			t.Errorf("details not updated: %+v", stored)
		}
		_, err = f.Service.Accept(context.Background(), acceptInput(oldToken))
		wantErr(t, err, invite.ErrInvitationNotFound)
		u, err := f.Service.Accept(context.Background(), acceptInput(newToken))
		if err != nil {
			t.Fatalf("Accept with the new token: %v", err)
		}
		if u.Language != "fr" || len(u.Grants) != 1 || u.Grants[0].SubscriptionID != f.A.Subscriptions[1].ID {
			t.Errorf("user: got %+v, want the resent details", u)
		}
	})
	t.Run("ErrInvitationPending", func(t *testing.T) {
		first, _ := f.invite(t, f.A)
		second, _ := f.invite(t, f.A)
		in := f.Input(f.A)
		in.Email = first.Email
		_, _, err := f.Service.Resend(f.AdminA, second.ID, &in)
		wantErr(t, err, invite.ErrInvitationPending)
		wantField(t, err, "email", "invitation_pending")
		stored, _ := f.Service.Invitation(f.AdminA, second.ID)
		if stored.TimesSent != 1 || stored.Email == first.Email {
			t.Errorf("a refused resend changed the invitation: %+v", stored)
		}
	})
	t.Run("ErrUserExists", func(t *testing.T) {
		inv, _ := f.invite(t, f.A)
		in := f.Input(f.A)
		in.Email = f.Member(t, f.A, invite.AdminNone).Email
		_, _, err := f.Service.Resend(f.AdminA, inv.ID, &in)
		wantErr(t, err, invite.ErrUserExists)
	})
	t.Run("ErrInvalidInput", func(t *testing.T) {
		inv, token := f.invite(t, f.A)
		in := f.Input(f.A)
		in.Email = "not an address"
		_, _, err := f.Service.Resend(f.AdminA, inv.ID, &in)
		wantField(t, err, "email", invite.ReasonInvalidEmail)
		in = f.Input(f.A)
		in.CompanyID = f.B.ID
		_, _, err = f.Service.Resend(f.Global, inv.ID, &in)
		wantField(t, err, "company", invite.ReasonImmutable)
		if _, err := f.Service.Accept(context.Background(), acceptInput(token)); err != nil {
			t.Errorf("the old token stopped working after refused resends: %v", err)
		}
	})
}

// Expiry at the exact boundary, with an injected clock: an invitation is
// valid up to the microsecond before ExpiresAt and expired at ExpiresAt.
func testExpiryBoundary(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	t.Run("AcceptJustBefore", func(t *testing.T) {
		inv, token := f.invite(t, f.A)
		f.Clock.Set(inv.ExpiresAt.Add(-time.Microsecond))
		defer f.Clock.Set(start)
		if _, err := f.Service.Accept(context.Background(), acceptInput(token)); err != nil {
			t.Fatalf("Accept a microsecond before expiry: %v", err)
		}
	})
	t.Run("AcceptAtExpiry", func(t *testing.T) {
		inv, token := f.invite(t, f.A)
		f.Clock.Set(inv.ExpiresAt)
		defer f.Clock.Set(start)
		_, err := f.Service.Accept(context.Background(), acceptInput(token))
		wantErr(t, err, invite.ErrInvitationExpired)
		// Found past its expiry, it is marked expired at once.
		if n := f.invitations(t, invitationIn(inv.ID, invite.StatusExpired)); n != 1 {
			t.Errorf("stored status is not expired after a late accept")
		}
		if n := f.users(t, byEmail(inv.Email)); n != 0 {
			t.Errorf("got %d users, want 0", n)
		}
	})
	t.Run("ReadPastExpiry", func(t *testing.T) {
		inv, token := f.invite(t, f.A)
		f.Clock.Set(inv.ExpiresAt)
		defer f.Clock.Set(start)
		// No job has run: expiry does not depend on it.
		for _, got := range []func() (*invite.Invitation, error){
			func() (*invite.Invitation, error) { return f.Service.Invitation(f.AdminA, inv.ID) },
			func() (*invite.Invitation, error) { return f.Service.InvitationByToken(context.Background(), token) },
		} {
			g, err := got()
			if err != nil || g.Status != invite.StatusExpired {
				t.Errorf("got %v, %v; want expired", g, err)
			}
		}
	})
}

// The expiry job marks an invitation at its ExpiresAt, not a microsecond
// before, and never twice.
func testExpireDue(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	inv, _ := f.invite(t, f.A)
	later, _ := func() (*invite.Invitation, string) {
		f.Clock.Add(time.Microsecond)
		defer f.Clock.Add(-time.Microsecond)
		return f.invite(t, f.A)
	}()
	for _, step := range []struct {
		at   time.Time
		want int
	}{
		{inv.ExpiresAt.Add(-time.Microsecond), 0},
		{inv.ExpiresAt, 1},
		{inv.ExpiresAt, 0}, // idempotent
		{later.ExpiresAt, 1},
	} {
		f.Clock.Set(step.at)
		n, err := f.Service.ExpireDue(context.Background())
		if err != nil || n != step.want {
			t.Fatalf("ExpireDue at %v: got %d, %v; want %d", step.at, n, err, step.want)
		}
	}
	f.Clock.Set(start)
	got, _ := f.Service.Invitation(f.Global, inv.ID)
	if got.Status != invite.StatusExpired {
		t.Errorf("status after expiry, read before it: got %s, want expired (expired is final for time)", got.Status)
	}

}

// Inviting again an e-mail address whose pending invitation is past its
// expiry works, and marks the old one expired.
func testInviteAfterExpiry(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	in := f.Input(f.A)
	old, _, err := f.Service.Invite(f.AdminA, in)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.Service.Invite(f.AdminA, in)
	wantErr(t, err, invite.ErrInvitationPending)
	wantField(t, err, "email", "invitation_pending")

	f.Clock.Set(old.ExpiresAt)
	if _, _, err := f.Service.Invite(f.AdminA, in); err != nil {
		t.Fatalf("Invite after expiry: %v", err)
	}
	if n := f.invitations(t, invitationIn(old.ID, invite.StatusExpired)); n != 1 {
		t.Errorf("the expired invitation was not marked expired")
	}
	// The same address in another company is another invitation.
	in.CompanyID = f.B.ID
	in.BusinessRoleID = f.B.BusinessRoles[0].ID
	in.Grants = []invite.Grant{{SubscriptionID: f.B.Subscriptions[0].ID, Role: invite.RoleViewer}}
	if _, _, err := f.Service.Invite(f.AdminB, in); err != nil {
		t.Fatalf("Invite into another company: %v", err)
	}

	// Resending an expired invitation takes the place of a pending one to
	// the same address only once that one is past its expiry too.
	t.Run("ResendExpired", func(t *testing.T) {
		in := f.Input(f.A)
		old, _, err := f.Service.Invite(f.AdminA, in)
		if err != nil {
			t.Fatal(err)
		}
		f.Clock.Set(old.ExpiresAt)
		if _, err := f.Service.ExpireDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		newer, _, err := f.Service.Invite(f.AdminA, in)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = f.Service.Resend(f.AdminA, old.ID, nil)
		wantField(t, err, "email", "invitation_pending")
		if n := f.invitations(t, invitationIn(old.ID, invite.StatusExpired)); n != 1 {
			t.Errorf("a refused resend changed the expired invitation")
		}
		f.Clock.Set(newer.ExpiresAt) // no job has run since
		if _, _, err := f.Service.Resend(f.AdminA, old.ID, nil); err != nil {
			t.Fatalf("Resend once the pending one is past its expiry: %v", err)
		}
		if n := f.invitations(t, invitationIn(newer.ID, invite.StatusExpired)); n != 1 {
			t.Errorf("the invitation past its expiry was not marked expired")
		}
		if n := f.invitations(t, invitationIn(old.ID, invite.StatusPending)); n != 1 {
			t.Errorf("the resent invitation is not pending")
		}
	})
}

func testAccept(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	t.Run("OK", func(t *testing.T) {
		inv, token := f.invite(t, f.A)
		in := acceptInput(token)
		in.FirstName, in.Phone, in.TimeZone = " Amazing Grace ", "+44 20 7946 0958", "Europe/London"
		u, err := f.Service.Accept(context.Background(), in)
		if err != nil {
			t.Fatalf("Accept: %v", err)
		}
		want := invite.User{
			ID: u.ID, CompanyID: f.A.ID, Email: inv.Email, FirstName: "Amazing Grace", LastName: "Hopper",
			BusinessRoleID: inv.BusinessRoleID, Department: "Quality", Phone: "+442079460958",
			Language: "de", TimeZone: "Europe/London", AdminLevel: invite.AdminNone,
		}
		got := *u
		got.Grants, got.PasswordHash, got.CreatedAt = nil, "", time.Time{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got user\n%+v\nwant\n%+v", got, want)
		}
		stored, err := f.Store.User(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored.Grants) != 2 || stored.Grants[0] != inv.Grants[0] || stored.Grants[1] != inv.Grants[1] {
			t.Errorf("grants: got %+v, want %+v", stored.Grants, inv.Grants)
		}
		if got, err := f.Service.Authenticate(context.Background(), " "+strings.ToUpper(inv.Email)+" ", Password); err != nil || got.ID != u.ID {
			t.Errorf("Authenticate: got %v, %v; want user %d", got, err, u.ID)
		}
		_, err = f.Service.Authenticate(context.Background(), inv.Email, Password+"!")
		wantErr(t, err, invite.ErrBadCredentials)
		_, err = f.Service.Authenticate(context.Background(), "nobody@example.com", Password)
		wantErr(t, err, invite.ErrBadCredentials)
		accepted, _ := f.Service.Invitation(f.AdminA, inv.ID)
		if accepted.AcceptedBy != u.ID || !accepted.AcceptedAt.Equal(start) {
			t.Errorf("invitation: got accepted by %d at %v, want %d at %v", accepted.AcceptedBy, accepted.AcceptedAt, u.ID, start)
		}
		pending, err := f.Store.Invitations(context.Background(), invite.InvitationQuery{CompanyID: inv.CompanyID, PendingEmail: inv.Email, Now: f.Clock.Now(), Limit: 1})
		if err != nil || len(pending) != 0 {
			t.Errorf("an accepted invitation still holds the pending place: %v, %v", pending, err)
		}
	})
	t.Run("ErrInvalidInput", func(t *testing.T) {
		inv, token := f.invite(t, f.A)
		local, _, _ := strings.Cut(inv.Email, "@")
		tests := []struct {
			name   string
			change func(*invite.AcceptInput)
			field  string
			reason string
		}{
			{"ShortPassword", func(in *invite.AcceptInput) { in.Password = "short" }, "password", invite.ReasonPasswordTooShort},
			{"LongPassword", func(in *invite.AcceptInput) { in.Password = strings.Repeat("x", 129) }, "password", invite.ReasonPasswordTooLong},
			{"PasswordWithEmail", func(in *invite.AcceptInput) { in.Password = "my name is " + strings.ToUpper(local) + "!" }, "password", invite.ReasonPasswordHasEmail},
			{"PasswordNotUTF8", func(in *invite.AcceptInput) { in.Password = "long enough \xff\xfe password" }, "password", invite.ReasonInvalidUTF8},
			{"NoTerms", func(in *invite.AcceptInput) { in.AcceptTerms = false }, "accept_terms", invite.ReasonTermsRequired},
			{"NoFirstName", func(in *invite.AcceptInput) { in.FirstName = " " }, "first_name", invite.ReasonRequired},
			{"BadPhone", func(in *invite.AcceptInput) { in.Phone = "+1 555" }, "phone", invite.ReasonInvalidPhone},
			{"BadLanguage", func(in *invite.AcceptInput) { in.Language = "xx" }, "language", invite.ReasonUnsupportedLanguage},
			{"BadTimeZone", func(in *invite.AcceptInput) { in.TimeZone = "Mars/Olympus" }, "time_zone", invite.ReasonUnknownTimeZone},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := acceptInput(token)
				tt.change(&in)
				_, err := f.Service.Accept(context.Background(), in)
				wantField(t, err, tt.field, tt.reason)
			})
		}
		inv, err := f.Service.InvitationByToken(context.Background(), token)
		if err != nil || inv.Status != invite.StatusPending {
			t.Fatalf("after refused accepts: got %v, %v; want pending", inv, err)
		}
		if n := f.users(t, byEmail(inv.Email)); n != 0 {
			t.Errorf("got %d users, want 0", n)
		}
	})
	t.Run("ErrInvitationNotFound", func(t *testing.T) {
		for _, token := range []string{"", "short", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"} {
			_, err := f.Service.Accept(context.Background(), acceptInput(token))
			wantErr(t, err, invite.ErrInvitationNotFound)
			_, err = f.Service.InvitationByToken(context.Background(), token)
			wantErr(t, err, invite.ErrInvitationNotFound)
		}
	})
	t.Run("ErrUserExists", func(t *testing.T) {
		// One address invited by two companies: the first accept makes
		// the user, the second is refused and stays pending.
		inA, tokenA := f.invite(t, f.A)
		in := f.Input(f.B)
		in.Email = inA.Email
		inB, tokenB, err := f.Service.Invite(f.AdminB, in)
		if err != nil {
			t.Fatalf("Invite of an address pending in another company: %v", err)
		}
		if _, err := f.Service.Accept(context.Background(), acceptInput(tokenA)); err != nil {
			t.Fatalf("Accept: %v", err)
		}
		_, err = f.Service.Accept(context.Background(), acceptInput(tokenB))
		wantErr(t, err, invite.ErrUserExists)
		got, _ := f.Service.Invitation(f.AdminB, inB.ID)
		if got.Status != invite.StatusPending {
			t.Errorf("status: got %s, want pending", got.Status)
		}
		if n := f.users(t, byEmail(inA.Email)); n != 1 {
			t.Errorf("got %d users, want 1", n)
		}
		_, _, err = f.Service.Invite(f.AdminA, f.Input(f.A))
		if err != nil {
			t.Fatal(err)
		}
		in = f.Input(f.A)
		in.Email = strings.ToUpper(inA.Email)
		_, _, err = f.Service.Invite(f.AdminA, in)
		wantErr(t, err, invite.ErrUserExists)
		wantField(t, err, "email", "user_exists")
	})
}

// An invitation's mail is signed by whoever sends it: its preview and the
// mail sent say the same name, and an administrator with no name yet (or
// a deleted one) is named by the company.
func testMailSignedBySender(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	in := f.Input(f.A)
	in.Language = "en"
	inv, _, err := f.Service.Invite(f.Global, in) // the seeded administrator has no name
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.latestMail(t).Subject, "Acme invited you to Acme"; got != want {
		t.Errorf("sent by the unnamed administrator: %q, want %q", got, want)
	}
	adminA, _ := invite.FromContext(f.AdminA)
	want := adminA.Name() + " invited you to Acme"
	preview, err := f.Service.PreviewMail(f.AdminA, in)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := f.Service.Resend(f.AdminA, inv.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.latestMail(t).Subject; got != want || preview.Subject != want {
		t.Errorf("resent by %s: previewed %q, sent %q, want %q", adminA.Email, preview.Subject, got, want)
	}
	v, err := f.Service.Invitee(context.Background(), token)
	if err != nil || v.InviterName != adminA.Name() {
		t.Errorf("the invitation's page names %q (%v), want %q", v.InviterName, err, adminA.Name())
	}
}
