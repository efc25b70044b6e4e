package invitetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// day is a day of the fixture's clock, from its start.
func day(n int) time.Time { return start.Add(time.Duration(n) * 24 * time.Hour) }

// An invitation's access window is validated, carried by Input and Resend,
// and copied to the user on Accept.
func testAccessWindowInvitation(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	for _, tt := range []struct {
		name        string
		from, until time.Time
		reason      string // "" for valid
	}{
		{"OK", day(2), day(10), ""},
		{"OKOnlyUntil", time.Time{}, day(1), ""},
		{"OKOnlyFrom", day(3), time.Time{}, ""},
		{"OKFromInPast", day(-3), day(3), ""},
		{"ErrUntilBeforeFrom", day(5), day(4), invite.ReasonUntilNotAfterFrom},
		{"ErrUntilIsFrom", day(5), day(5), invite.ReasonUntilNotAfterFrom},
		{"ErrUntilInPast", time.Time{}, day(-1), invite.ReasonNotInFuture},
		{"ErrUntilNow", time.Time{}, start, invite.ReasonNotInFuture},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := f.Input(f.A)
			in.AccessFrom, in.AccessUntil = tt.from, tt.until
			before := f.invitations(t, nil)
			inv, _, err := f.Service.Invite(f.AdminA, in)
			if tt.reason != "" {
				wantField(t, err, "access_until", tt.reason)
				if got := f.invitations(t, nil); got != before {
					t.Fatalf("a refused invitation was stored: %d invitations, want %d", got, before)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Service.Invitation(f.AdminA, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.AccessFrom.Equal(tt.from) || !got.AccessUntil.Equal(tt.until) {
				t.Fatalf("stored window %v–%v, want %v–%v", got.AccessFrom, got.AccessUntil, tt.from, tt.until)
			}
			if in := got.Input(); !in.AccessFrom.Equal(tt.from) || !in.AccessUntil.Equal(tt.until) {
				t.Fatalf("Input carries %v–%v, want %v–%v", in.AccessFrom, in.AccessUntil, tt.from, tt.until)
			}
		})
	}
	// A window error is told with the other fields' errors at once.
	in := f.Input(f.A)
	in.FirstName, in.AccessUntil = "", day(-1)
	_, _, err := f.Service.Invite(f.AdminA, in)
	wantField(t, err, "first_name", invite.ReasonRequired)
	wantField(t, err, "access_until", invite.ReasonNotInFuture)

	// Resend carries the window, changes it, and refuses an ended one.
	in = f.Input(f.A)
	in.AccessFrom, in.AccessUntil = day(2), day(10)
	inv, _, err := f.Service.Invite(f.AdminA, in)
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err = f.Service.Resend(f.AdminA, inv.ID, nil)
	if err != nil || !inv.AccessUntil.Equal(day(10)) {
		t.Fatalf("plain Resend: window until %v, %v; want %v", inv.AccessUntil, err, day(10))
	}
	ch := inv.Input()
	ch.AccessUntil = day(20)
	inv, _, err = f.Service.Resend(f.AdminA, inv.ID, &ch)
	if err != nil || !inv.AccessUntil.Equal(day(20)) || !inv.AccessFrom.Equal(day(2)) {
		t.Fatalf("Resend with a longer window: %v–%v, %v", inv.AccessFrom, inv.AccessUntil, err)
	}
	f.Clock.Set(day(21))
	_, _, err = f.Service.Resend(f.AdminA, inv.ID, nil)
	wantField(t, err, "access_until", invite.ReasonNotInFuture)
	ch = inv.Input()
	ch.AccessUntil = day(19)
	_, _, err = f.Service.Resend(f.AdminA, inv.ID, &ch)
	wantField(t, err, "access_until", invite.ReasonNotInFuture)
	ch.AccessUntil = day(30)
	_, token, err := f.Service.Resend(f.AdminA, inv.ID, &ch)
	if err != nil {
		t.Fatal(err)
	}
	// Accepted, the user gets the window.
	u, err := f.Service.Accept(t.Context(), acceptInput(token))
	if err != nil {
		t.Fatal(err)
	}
	if !u.AccessFrom.Equal(day(2)) || !u.AccessUntil.Equal(day(30)) {
		t.Fatalf("user's window %v–%v, want %v–%v", u.AccessFrom, u.AccessUntil, day(2), day(30))
	}
	// An invitation accepted after its window ended makes no account.
	in = f.Input(f.A)
	in.AccessUntil = day(22)
	_, token, err = f.Service.Invite(f.AdminA, in)
	if err != nil {
		t.Fatal(err)
	}
	f.Clock.Set(day(22))
	before := f.users(t, nil)
	_, err = f.Service.Accept(t.Context(), acceptInput(token))
	wantErr(t, err, invite.ErrAccessEnded)
	if got := f.users(t, nil); got != before {
		t.Fatalf("got %d users, want %d", got, before)
	}
}

// memberWithWindow makes a user of c whose invitation carried the window.
func (f *fixture) memberWithWindow(t *testing.T, c *invite.Company, level invite.AdminLevel, from, until time.Time) *invite.User {
	t.Helper()
	in := f.Input(c)
	in.AdminLevel, in.AccessFrom, in.AccessUntil = level, from, until
	if level == invite.AdminCompany {
		for i := range in.Grants {
			in.Grants[i].Role = invite.RoleAdministrator
		}
	}
	_, token, err := f.Service.Invite(f.Global, in)
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	u, err := f.Service.Accept(t.Context(), acceptInput(token))
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	return u
}

// Before the window a user may not log in, and is told when they may, in
// their time zone; from its end they may not, their sessions end at once
// (before the job runs), and the job disables them once.
func testAccessWindowLogin(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	u := f.memberWithWindow(t, f.A, invite.AdminNone, day(2), day(10))
	_, _, err := f.Service.Login(t.Context(), u.Email, Password)
	wantErr(t, err, invite.ErrAccessNotStarted)
	var e *invite.Error
	if !errors.As(err, &e) || !e.At.Equal(day(2)) || e.At.Location().String() != "Europe/Berlin" {
		t.Fatalf("ErrAccessNotStarted at %v, want %v in Europe/Berlin", e.At, day(2))
	}
	// A wrong password is told as ever: the window is said only to the owner.
	_, _, err = f.Service.Login(t.Context(), u.Email, "wrong password!")
	wantErr(t, err, invite.ErrBadCredentials)

	f.Clock.Set(day(2))
	ctx, token := f.loginAs(t, u.Email)
	if _, err := f.Service.SessionUser(t.Context(), token); err != nil {
		t.Fatalf("SessionUser within the window: %v", err)
	}
	if _, err := f.Service.MyCompany(ctx); err != nil {
		t.Fatalf("acting within the window: %v", err)
	}
	// A start moved later ends the session too.
	if _, err := f.Service.ChangeUser(f.AdminA, u.ID, invite.UserChange{Access: &invite.AccessWindow{From: day(3), Until: day(10)}}); err != nil {
		t.Fatal(err)
	}
	f.wantLoggedOut(t, token)
	if _, err := f.Service.ChangeUser(f.AdminA, u.ID, invite.UserChange{Access: &invite.AccessWindow{From: day(2), Until: day(10)}}); err != nil {
		t.Fatal(err)
	}
	f.Clock.Set(day(10).Add(-time.Hour))
	_, token = f.loginAs(t, u.Email)
	f.Clock.Set(day(10))
	f.wantLoggedOut(t, token)
	_, _, err = f.Service.Login(t.Context(), u.Email, Password)
	wantErr(t, err, invite.ErrAccessEnded)
	if !errors.As(err, &e) || !e.At.Equal(day(10)) {
		t.Fatalf("ErrAccessEnded at %v, want %v", e.At, day(10))
	}
	if got, _ := f.Service.User(f.AdminA, u.ID); got.Disabled() {
		t.Fatalf("disabled before the job ran")
	}
	n, err := f.Service.DisableEndedAccess(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("DisableEndedAccess: %d, %v; want 1", n, err)
	}
	got, _ := f.Service.User(f.AdminA, u.ID)
	if !got.DisabledAt.Equal(day(10)) || !got.DisabledByWindow() {
		t.Fatalf("disabled at %v, want at the window's end %v", got.DisabledAt, day(10))
	}
	if n, err := f.Service.DisableEndedAccess(t.Context()); err != nil || n != 0 {
		t.Fatalf("second DisableEndedAccess: %d, %v; want 0", n, err)
	}
	// Disabled by the window's end, they are told when it ended, not
	// that they are disabled (found from outside).
	_, _, err = f.Service.Login(t.Context(), u.Email, Password)
	wantErr(t, err, invite.ErrAccessEnded)
	if !errors.As(err, &e) || !e.At.Equal(day(10)) {
		t.Fatalf("ErrAccessEnded at %v, want %v", e.At, day(10))
	}
}

// Editing sets, extends and clears a window; enabling a user whose window
// ended needs it extended, and extending it enables a user it disabled.
func testAccessWindowEdit(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	u := f.Member(t, f.A, invite.AdminNone)
	set := func(w invite.AccessWindow) (*invite.User, error) {
		return f.Service.ChangeUser(f.AdminA, u.ID, invite.UserChange{Access: &w})
	}
	_, err := set(invite.AccessWindow{From: day(5), Until: day(5)})
	wantField(t, err, "access_until", invite.ReasonUntilNotAfterFrom)
	got, err := set(invite.AccessWindow{Until: day(3)})
	if err != nil || !got.AccessUntil.Equal(day(3)) || !got.AccessFrom.IsZero() {
		t.Fatalf("set: %v–%v, %v", got.AccessFrom, got.AccessUntil, err)
	}
	// Other changes keep the window.
	got, err = f.Service.ChangeUser(f.AdminA, u.ID, invite.UserChange{BusinessRoleID: f.A.BusinessRoles[1].ID})
	if err != nil || !got.AccessUntil.Equal(day(3)) {
		t.Fatalf("another change: window until %v, %v", got.AccessUntil, err)
	}
	f.Clock.Set(day(3))
	if n, err := f.Service.DisableEndedAccess(t.Context()); err != nil || n != 1 {
		t.Fatalf("DisableEndedAccess: %d, %v", n, err)
	}
	_, err = f.Service.SetDisabled(f.AdminA, u.ID, false)
	wantErr(t, err, invite.ErrAccessWindowEnded)
	got, err = set(invite.AccessWindow{Until: day(6)})
	if err != nil || got.Disabled() {
		t.Fatalf("extended: disabled %v, %v; want enabled", got.Disabled(), err)
	}
	f.loginAs(t, u.Email)
	// A user disabled by hand stays disabled when the window changes.
	if _, err := f.Service.SetDisabled(f.AdminA, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, _ = set(invite.AccessWindow{Until: day(9)}); !got.Disabled() {
		t.Fatalf("a change of window enabled a user disabled by hand")
	}
	// Cleared, there is no bound.
	got, err = set(invite.AccessWindow{})
	if err != nil || !got.AccessUntil.IsZero() || !got.AccessFrom.IsZero() {
		t.Fatalf("cleared: %v–%v, %v", got.AccessFrom, got.AccessUntil, err)
	}
	if _, err := f.Service.SetDisabled(f.AdminA, u.ID, false); err != nil {
		t.Fatal(err)
	}
	f.Clock.Set(day(400))
	f.loginAs(t, u.Email)
}

// The window is an explicit end: the last Company Administrator of a
// company is disabled at its end too. A window that shuts them out at
// once is refused, as disabling them is.
func testAccessWindowLastAdmin(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	// Company B's only enabled administrator is AdminB's user; give them a
	// window through a Global Administrator.
	admin, _ := invite.FromContext(f.AdminB)
	if _, err := f.Service.ChangeUser(f.Global, admin.ID, invite.UserChange{Access: &invite.AccessWindow{Until: day(1)}}); err != nil {
		t.Fatal(err)
	}
	// A window that shuts them out now is disabling them now: refused
	// for the last one, as disabling is; and nobody shuts themselves out.
	for _, w := range []invite.AccessWindow{{Until: start}, {From: day(1)}} {
		_, err := f.Service.ChangeUser(f.Global, admin.ID, invite.UserChange{Access: &w})
		wantErr(t, err, invite.ErrLastAdmin)
	}
	_, err := f.Service.ChangeUser(f.AdminB, admin.ID, invite.UserChange{Access: &invite.AccessWindow{Until: start}})
	wantErr(t, err, invite.ErrForbidden)
	// Nor does anybody lift or extend their own (found from outside: a
	// Company Administrator cleared the end a Global Administrator set);
	// their window sent back as it is changes nothing and is no refusal.
	for _, w := range []invite.AccessWindow{{}, {Until: day(30)}} {
		_, err := f.Service.ChangeUser(f.AdminB, admin.ID, invite.UserChange{Access: &w})
		wantErr(t, err, invite.ErrForbidden)
	}
	if _, err := f.Service.ChangeUser(f.AdminB, admin.ID, invite.UserChange{Access: &invite.AccessWindow{Until: day(1)}}); err != nil {
		t.Fatalf("ChangeUser with their window as it is: %v", err)
	}
	f.Clock.Set(day(1))
	if n, err := f.Service.DisableEndedAccess(t.Context()); err != nil || n != 1 {
		t.Fatalf("DisableEndedAccess: %d, %v; want 1", n, err)
	}
	if got, _ := f.Service.User(f.Global, admin.ID); !got.Disabled() {
		t.Fatalf("the last Company Administrator was not disabled at the window's end")
	}
}

// Concurrent runs of the job disable each user once: the counts add up
// to the users whose window ended, and no other user is touched.
func testConcurrentDisableEndedAccess(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	const n = 12
	ended := map[int64]bool{}
	for i := range n {
		u := f.memberWithWindow(t, f.A, invite.AdminNone, time.Time{}, day(1+i%2))
		ended[u.ID] = true
	}
	later := f.memberWithWindow(t, f.B, invite.AdminNone, time.Time{}, day(5))
	f.Clock.Set(day(3))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		errs  []error
	)
	for range 8 {
		wg.Go(func() {
			got, err := f.Service.DisableEndedAccess(context.Background())
			mu.Lock()
			defer mu.Unlock()
			total += got
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("DisableEndedAccess: %v", errs)
	}
	if total != n {
		t.Fatalf("disabled %d in all, want %d", total, n)
	}
	for id := range ended {
		if u, _ := f.Service.User(f.Global, id); !u.Disabled() {
			t.Errorf("user %d with an ended window is enabled", id)
		}
	}
	if u, _ := f.Service.User(f.Global, later.ID); u.Disabled() {
		t.Errorf("a user whose window has not ended was disabled")
	}
}
