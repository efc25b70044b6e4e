package invitetest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// An administrator makes, lists and revokes API tokens; the secret is
// shown once and kept only as its hash; a revoked token fails at once.
func testAPITokens(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	secret, tok, err := f.Service.CreateAPIToken(f.AdminA, "  CI pipeline ")
	if err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	if tok.Name != "CI pipeline" || !strings.HasPrefix(secret, invite.APITokenPrefix) || !strings.HasPrefix(secret, tok.Prefix) || len(tok.Prefix) >= len(secret)/2 {
		t.Errorf("got token %+v with secret %q", tok, secret)
	}
	if tok.Hash != nil {
		t.Errorf("CreateAPIToken returned the hash")
	}
	stored, err := f.Store.APITokens(ctx, tok.UserID)
	if err != nil || len(stored) != 1 || bytes.Contains(stored[0].Hash, []byte(secret)) || len(stored[0].Hash) != 32 {
		t.Fatalf("stored tokens: %+v, %v", stored, err)
	}
	list, err := f.Service.APITokens(f.AdminA)
	if err != nil || len(list) != 1 || list[0].ID != tok.ID || list[0].Hash != nil || list[0].Prefix != tok.Prefix {
		t.Fatalf("APITokens: %+v, %v", list, err)
	}
	if others, err := f.Service.APITokens(f.AdminB); err != nil || len(others) != 0 {
		t.Errorf("another administrator's tokens: %+v, %v", others, err)
	}
	u, err := f.Service.AuthenticateToken(ctx, secret)
	if err != nil || u.ID != tok.UserID || u.PasswordHash != "" {
		t.Fatalf("AuthenticateToken: %+v, %v", u, err)
	}
	for _, bad := range []string{"", "invk_", secret[:len(secret)-1], strings.TrimPrefix(secret, invite.APITokenPrefix), secret + "A", "Bearer " + secret} {
		if _, err := f.Service.AuthenticateToken(ctx, bad); err == nil {
			t.Errorf("AuthenticateToken(%q) let in", bad)
		} else {
			wantErr(t, err, invite.ErrUnauthorized)
		}
	}
	// Nobody revokes another's token.
	wantErr(t, f.Service.RevokeAPIToken(f.AdminB, tok.ID), invite.ErrAPITokenNotFound)
	wantErr(t, f.Service.RevokeAPIToken(f.Global, tok.ID), invite.ErrAPITokenNotFound)
	if err := f.Service.RevokeAPIToken(f.AdminA, tok.ID); err != nil {
		t.Fatalf("RevokeAPIToken: %v", err)
	}
	_, err = f.Service.AuthenticateToken(ctx, secret)
	wantErr(t, err, invite.ErrUnauthorized)
	wantErr(t, f.Service.RevokeAPIToken(f.AdminA, tok.ID), invite.ErrAPITokenNotFound)

	t.Run("OnlyAdministrators", func(t *testing.T) {
		member := invite.NewContext(ctx, f.Member(t, f.A, invite.AdminNone))
		_, _, err := f.Service.CreateAPIToken(member, "mine")
		wantErr(t, err, invite.ErrForbidden)
		_, _, err = f.Service.CreateAPIToken(ctx, "nobody's")
		wantErr(t, err, invite.ErrUnauthorized)
	})
	t.Run("InvalidName", func(t *testing.T) {
		for name, reason := range map[string]string{"": invite.ReasonRequired, strings.Repeat("x", invite.MaxNameLen+1): invite.ReasonTooLong, "a\x00b": invite.ReasonInvalidCharacters} {
			_, _, err := f.Service.CreateAPIToken(f.AdminA, name)
			wantField(t, err, "name", reason)
		}
	})
	t.Run("Bounded", func(t *testing.T) {
		for i := range invite.MaxAPITokens {
			if _, _, err := f.Service.CreateAPIToken(f.Global, fmt.Sprint("token ", i)); err != nil {
				t.Fatalf("token %d: %v", i, err)
			}
		}
		_, _, err := f.Service.CreateAPIToken(f.Global, "one too many")
		wantErr(t, err, invite.ErrTooManyAPITokens)
	})
	t.Run("BoundedConcurrently", func(t *testing.T) {
		adminB := f.AdminB
		errs := Parallel(invite.MaxAPITokens+10, func(i int) error {
			_, _, err := f.Service.CreateAPIToken(adminB, fmt.Sprint("token ", i))
			return err
		})
		if got := Tally(errs); got[""] != invite.MaxAPITokens || got["too_many_api_tokens"] != 10 {
			t.Errorf("got outcomes %v, want %d made and 10 too_many_api_tokens", got, invite.MaxAPITokens)
		}
	})
}

// A token acts with its creator's rights as they are at each request:
// demoted, disabled, out of their window or deleted, the creator's token
// loses what they lost, at once.
func testAPITokenScope(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	admin := f.Member(t, f.A, invite.AdminCompany)
	secret, _, err := f.Service.CreateAPIToken(invite.NewContext(ctx, admin), "sync")
	if err != nil {
		t.Fatal(err)
	}
	as := func(t *testing.T) (context.Context, error) {
		t.Helper()
		c, _, err := f.Service.TokenContext(ctx, secret)
		return c, err
	}
	c, err := as(t)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Service.Invite(c, f.Input(f.A)); err != nil {
		t.Fatalf("Invite with the token: %v", err)
	}
	// Never past the creator: another company is not theirs.
	_, _, err = f.Service.Invite(c, f.Input(f.B))
	wantErr(t, err, invite.ErrCompanyNotFound)

	// Demoted: the token authenticates, and may no longer invite.
	if _, err := f.Service.ChangeUser(f.Global, admin.ID, invite.UserChange{AdminLevel: invite.AdminNone}); err != nil {
		t.Fatal(err)
	}
	c, err = as(t)
	if err != nil {
		t.Fatalf("TokenContext after demotion: %v", err)
	}
	_, _, err = f.Service.Invite(c, f.Input(f.A))
	wantErr(t, err, invite.ErrForbidden)
	_, err = f.Service.Invitations(c, invite.InvitationFilter{})
	wantErr(t, err, invite.ErrForbidden)
	// A context made before the demotion and kept is not what a request
	// uses: each request makes its own (TokenContext).
	if _, err := f.Service.ChangeUser(f.Global, admin.ID, invite.UserChange{AdminLevel: invite.AdminCompany}); err != nil {
		t.Fatal(err)
	}
	if c, err = as(t); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.Invitations(c, invite.InvitationFilter{}); err != nil {
		t.Fatalf("promoted again: %v", err)
	}

	// Disabled: the token fails; enabled, it works again.
	if _, err := f.Service.SetDisabled(f.Global, admin.ID, true); err != nil {
		t.Fatal(err)
	}
	_, err = as(t)
	wantErr(t, err, invite.ErrUnauthorized)
	if _, err := f.Service.SetDisabled(f.Global, admin.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := as(t); err != nil {
		t.Fatalf("enabled again: %v", err)
	}

	// Past the end of their access window, whether or not the job has
	// disabled them yet.
	until := f.Clock.Now().Add(time.Hour)
	if _, err := f.Service.ChangeUser(f.Global, admin.ID, invite.UserChange{Access: &invite.AccessWindow{Until: until}}); err != nil {
		t.Fatal(err)
	}
	if _, err := as(t); err != nil {
		t.Fatalf("inside the window: %v", err)
	}
	f.Clock.Set(until)
	_, err = as(t)
	wantErr(t, err, invite.ErrUnauthorized)
	if _, err := f.Service.ChangeUser(f.Global, admin.ID, invite.UserChange{Access: &invite.AccessWindow{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := as(t); err != nil {
		t.Fatalf("window lifted: %v", err)
	}

	// Deleted: the token fails, and is gone with them.
	if err := f.Service.DeleteUser(f.Global, admin.ID); err != nil {
		t.Fatal(err)
	}
	_, err = as(t)
	wantErr(t, err, invite.ErrUnauthorized)
	if ts, err := f.Store.APITokens(ctx, admin.ID); err != nil || len(ts) != 0 {
		t.Errorf("tokens of a deleted user: %+v, %v", ts, err)
	}
}

// A token's last use is written at most once a minute.
func testAPITokenLastUsed(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	secret, tok, err := f.Service.CreateAPIToken(f.AdminA, "reader")
	if err != nil {
		t.Fatal(err)
	}
	lastUsed := func() time.Time {
		t.Helper()
		ts, err := f.Store.APITokens(ctx, tok.UserID)
		if err != nil || len(ts) != 1 {
			t.Fatalf("APITokens: %v, %v", ts, err)
		}
		return ts[0].LastUsedAt
	}
	if !lastUsed().IsZero() {
		t.Errorf("a new token has been used")
	}
	first := f.Clock.Now().UTC()
	use := func() {
		t.Helper()
		if _, err := f.Service.AuthenticateToken(ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	use()
	if got := lastUsed(); !got.Equal(first) {
		t.Errorf("last used %v, want %v", got, first)
	}
	f.Clock.Add(30 * time.Second)
	use()
	if got := lastUsed(); !got.Equal(first) {
		t.Errorf("used again within a minute: last used %v, want %v kept", got, first)
	}
	f.Clock.Add(31 * time.Second)
	use()
	if got, want := lastUsed(), f.Clock.Now().UTC(); !got.Equal(want) {
		t.Errorf("a minute later: last used %v, want %v", got, want)
	}
}

// InviteOnce makes one invitation and one mail per key, however often and
// however concurrently it is called; the same key with another request is
// refused, and each user's keys are their own.
func testInviteOnce(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	in := f.Input(f.A)
	respond := func(inv *invite.Invitation) ([]byte, error) { return fmt.Appendf(nil, `{"id":%d}`, inv.ID), nil }
	once := invite.Once{Key: "key-1", Fingerprint: []byte("body 1"), Response: respond}
	first, err := f.Service.InviteOnce(f.AdminA, once, in)
	if err != nil || first.Replayed || first.Invitation == nil || first.Token == "" {
		t.Fatalf("InviteOnce: %+v, %v", first, err)
	}
	want := fmt.Sprintf(`{"id":%d}`, first.Invitation.ID)
	if string(first.Response) != want {
		t.Errorf("response %q, want %q", first.Response, want)
	}
	again, err := f.Service.InviteOnce(f.AdminA, once, in)
	if err != nil || !again.Replayed || string(again.Response) != want || again.InvitationID != first.Invitation.ID || again.Invitation != nil {
		t.Fatalf("again: %+v, %v", again, err)
	}
	other := in
	other.Email = "someone.else@example.com"
	_, err = f.Service.InviteOnce(f.AdminA, invite.Once{Key: "key-1", Fingerprint: []byte("body 2"), Response: respond}, other)
	wantErr(t, err, invite.ErrIdempotencyKeyReused)
	if n := f.invitations(t, invitationTo(strings.ToLower(in.Email))); n != 1 {
		t.Errorf("got %d invitations, want 1", n)
	}
	if n := f.invitations(t, invitationTo(other.Email)); n != 0 {
		t.Errorf("a reused key made an invitation")
	}
	if n := f.messages(t, func(m *invite.Message) bool { return m.InvitationID == first.Invitation.ID }); n != 1 {
		t.Errorf("got %d messages, want 1", n)
	}
	// Another administrator's key of the same name is theirs.
	if r, err := f.Service.InviteOnce(f.Global, invite.Once{Key: "key-1", Fingerprint: []byte("body 2")}, other); err != nil || r.Replayed {
		t.Errorf("another's key: %+v, %v", r, err)
	}
	// A call that failed keeps no key.
	bad := f.Input(f.A)
	bad.FirstName = ""
	_, err = f.Service.InviteOnce(f.AdminA, invite.Once{Key: "key-2", Fingerprint: []byte("bad")}, bad)
	wantField(t, err, "first_name", invite.ReasonRequired)
	if _, err := f.Store.IdempotencyKey(ctx, first.Invitation.InvitedBy, "key-2"); err == nil {
		t.Errorf("a failed call kept its key")
	}
	for _, key := range []string{"", strings.Repeat("k", invite.MaxIdempotencyKeyLen+1), "tab\there", "é"} {
		_, err := f.Service.InviteOnce(f.AdminA, invite.Once{Key: key}, f.Input(f.A))
		wantField(t, err, "idempotency_key", invite.ReasonInvalidIdempotencyKey)
	}
	// Not an administrator: refused before anything.
	_, err = f.Service.InviteOnce(ctx, invite.Once{Key: "k"}, f.Input(f.A))
	wantErr(t, err, invite.ErrUnauthorized)

	t.Run("Pruned", func(t *testing.T) {
		f.Clock.Add(invite.IdempotencyKeyTTL - time.Second)
		if n, err := f.Service.PruneIdempotencyKeys(ctx); err != nil || n != 0 {
			t.Fatalf("pruned %d, %v before their time", n, err)
		}
		f.Clock.Add(2 * time.Second)
		if n, err := f.Service.PruneIdempotencyKeys(ctx); err != nil || n != 2 {
			t.Fatalf("pruned %d, %v; want 2", n, err)
		}
	})
}

// Many goroutines send one key at once: one invitation, one mail, and
// every caller gets the same answer.
func testConcurrentInviteOnce(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	for _, name := range []string{"SameAddress", "Bounded"} {
		t.Run(name, func(t *testing.T) {
			svc := f.Service
			if name == "Bounded" {
				svc = invite.NewService(f.Store, invite.Config{Now: f.Clock.Now})
			}
			in := f.Input(f.A)
			once := invite.Once{Key: "concurrent-" + name, Fingerprint: []byte(in.Email), Response: func(inv *invite.Invitation) ([]byte, error) {
				return fmt.Appendf(nil, "%d", inv.ID), nil
			}}
			const n = 20
			results := make([]*invite.OnceResult, n)
			errs := Parallel(n, func(i int) error {
				var err error
				results[i], err = svc.InviteOnce(f.AdminA, once, in)
				return err
			})
			if got := Tally(errs); got[""] != n {
				t.Fatalf("got outcomes %v, want %d successes", got, n)
			}
			made := 0
			for _, r := range results {
				if !r.Replayed {
					made++
				}
				if string(r.Response) != fmt.Sprint(results[0].InvitationID) || r.InvitationID != results[0].InvitationID {
					t.Errorf("got response %q for %d, want %d", r.Response, r.InvitationID, results[0].InvitationID)
				}
			}
			if made != 1 {
				t.Errorf("%d calls made an invitation, want 1", made)
			}
			if got := f.invitations(t, invitationTo(strings.ToLower(in.Email))); got != 1 {
				t.Errorf("got %d invitations, want 1", got)
			}
			if got := f.messages(t, func(m *invite.Message) bool { return m.InvitationID == results[0].InvitationID }); got != 1 {
				t.Errorf("got %d messages, want 1", got)
			}
		})
	}
	// One key, different addresses at once: still one invitation; the
	// others are told the key was used with another request.
	t.Run("DifferentRequests", func(t *testing.T) {
		const n = 12
		inputs := make([]invite.InvitationInput, n)
		for i := range inputs {
			inputs[i] = f.Input(f.A)
		}
		errs := Parallel(n, func(i int) error {
			_, err := f.Service.InviteOnce(f.AdminA, invite.Once{Key: "shared", Fingerprint: []byte(inputs[i].Email)}, inputs[i])
			return err
		})
		if got := Tally(errs); got[""] != 1 || got["idempotency_key_reused"] != n-1 {
			t.Errorf("got outcomes %v, want 1 success and %d idempotency_key_reused", got, n-1)
		}
		made := 0
		for _, in := range inputs {
			made += f.invitations(t, invitationTo(strings.ToLower(in.Email)))
		}
		if made != 1 {
			t.Errorf("got %d invitations, want 1", made)
		}
	})
}

// keyFails is a store whose idempotency keys cannot be written, as if the
// process died between writing the invitation and its key.
type keyFails struct{ invite.Store }

func (k keyFails) InTx(ctx context.Context, fn func(tx invite.Store) error) error {
	return k.Store.InTx(ctx, func(tx invite.Store) error { return fn(keyFails{tx}) })
}

func (keyFails) CreateIdempotencyKey(context.Context, *invite.IdempotencyKey) error {
	return errKeyLost
}

var errKeyLost = &invite.Error{Code: invite.CodeUnavailable, Reason: "unavailable", Message: "the key was lost"}

// The key commits with the invitation and its mail, or none of them does:
// an invitation whose key was not written was not made, and its retry
// makes it once.
func testInviteOnceAtomic(t *testing.T, open Opener) {
	st := open(t)
	f := newFixture(t, st)
	in := f.Input(f.A)
	once := invite.Once{Key: "atomic", Fingerprint: []byte("body")}
	broken := invite.NewService(keyFails{st}, invite.Config{Now: f.Clock.Now, Limits: invite.Limits{Invitations: invite.Rate{Count: -1}, Mails: invite.Rate{Count: -1}, DailyMails: invite.Rate{Count: -1}}})
	_, err := broken.InviteOnce(f.AdminA, once, in)
	wantErr(t, err, errKeyLost)
	if n := f.invitations(t, invitationTo(strings.ToLower(in.Email))); n != 0 {
		t.Fatalf("the key was lost, yet %d invitations were kept", n)
	}
	if n := f.messages(t, func(m *invite.Message) bool { return m.To == strings.ToLower(in.Email) }); n != 0 {
		t.Fatalf("the key was lost, yet %d mails were queued", n)
	}
	r, err := f.Service.InviteOnce(f.AdminA, once, in)
	if err != nil || r.Replayed {
		t.Fatalf("the retry: %+v, %v", r, err)
	}
	if n := f.invitations(t, invitationTo(strings.ToLower(in.Email))); n != 1 {
		t.Errorf("after the retry: %d invitations, want 1", n)
	}
}
