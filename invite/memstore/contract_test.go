package memstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/memstore"
)

// The tests of this file check the Store contract method by method, where
// invitetest, which drives the service, does not reach.

func TestCompanies(t *testing.T) {
	ctx := context.Background()
	st, w := newWorld(t)
	t.Run("IDs", func(t *testing.T) {
		if w.c.ID != 1 || w.c.Subscriptions[1].ID != 2 || w.c.BusinessRoles[0].ID != 1 || w.c.BusinessRoles[1].CompanyID != 1 {
			t.Errorf("got company %+v, want IDs from 1 in each table", w.c)
		}
	})
	t.Run("ErrCompanyExists", func(t *testing.T) {
		err := st.CreateCompany(ctx, &invite.Company{Name: "ACME", CreatedAt: start})
		wantErr(t, err, invite.ErrCompanyExists)
	})
	t.Run("OrderedByName", func(t *testing.T) {
		for _, name := range []string{"bolt", "Zeta", "Beta"} {
			mustDo(t, st.CreateCompany(ctx, &invite.Company{Name: name, CreatedAt: start}))
		}
		cs, err := st.Companies(ctx)
		mustDo(t, err)
		var names []string
		for _, c := range cs {
			names = append(names, c.Name)
		}
		if want := []string{"Acme", "Beta", "bolt", "Zeta"}; !slices.Equal(names, want) {
			t.Errorf("got %v, want %v", names, want)
		}
	})
	t.Run("ErrCompanyNotFound", func(t *testing.T) {
		_, err := st.Company(ctx, 99)
		wantErr(t, err, invite.ErrCompanyNotFound)
		wantErr(t, st.SetJoinKey(ctx, 99, hashOf(1)), invite.ErrCompanyNotFound)
	})
	t.Run("JoinKey", func(t *testing.T) {
		_, err := st.CompanyByJoinKey(ctx, hashOf(1))
		wantErr(t, err, invite.ErrCompanyNotFound)
		mustDo(t, st.SetJoinKey(ctx, w.c.ID, hashOf(1)))
		c, err := st.CompanyByJoinKey(ctx, hashOf(1))
		if err != nil || c.ID != w.c.ID || !c.JoinRequests {
			t.Fatalf("got %+v, %v; want the company with its join page open", c, err)
		}
		mustDo(t, st.SetJoinKey(ctx, w.c.ID, hashOf(2))) // a new key: the old one stops working
		_, err = st.CompanyByJoinKey(ctx, hashOf(1))
		wantErr(t, err, invite.ErrCompanyNotFound)
		mustDo(t, st.SetJoinKey(ctx, w.c.ID, nil))
		_, err = st.CompanyByJoinKey(ctx, hashOf(2))
		wantErr(t, err, invite.ErrCompanyNotFound)
		if c, _ := st.Company(ctx, w.c.ID); c.JoinRequests {
			t.Errorf("a forgotten key left the join page open")
		}
	})
}

func TestUsers(t *testing.T) {
	ctx := context.Background()
	st, w := newWorld(t)
	t.Run("ErrUserExists", func(t *testing.T) {
		wantErr(t, st.CreateUser(ctx, w.user("admin@example.com")), invite.ErrUserExists)
		u := w.user("other@example.com")
		mustDo(t, st.CreateUser(ctx, u))
		_, err := st.UpdateUser(ctx, u.ID, func(u *invite.User, _ int) error {
			u.Email = "admin@example.com"
			return nil
		})
		wantErr(t, err, invite.ErrUserExists)
	})
	t.Run("UnknownCompany", func(t *testing.T) {
		u := w.user("nowhere@example.com")
		u.CompanyID = 99
		if err := st.CreateUser(ctx, u); invite.ErrorCode(err) != invite.CodeInternal {
			t.Errorf("got %v, want an internal error, as a foreign key makes in package store", err)
		}
	})
	t.Run("Search", func(t *testing.T) {
		for _, u := range []*invite.User{
			{Email: "ada@lovelace.example", FirstName: "Ada", LastName: "Lovelace"},
			{Email: "alan@turing.example", FirstName: "Alan", LastName: "Turing"},
		} {
			u.CompanyID, u.BusinessRoleID, u.AdminLevel, u.CreatedAt = w.c.ID, w.c.BusinessRoles[0].ID, invite.AdminNone, start
			mustDo(t, st.CreateUser(ctx, u))
		}
		tests := []struct {
			search string
			after  int64
			limit  int
			want   []string
		}{
			{"lovelace", 0, 0, []string{"ada@lovelace.example"}}, // e-mail and last name
			{"alan", 0, 0, []string{"alan@turing.example"}},      // first name, in lower case
			{"a", 0, 1, []string{"admin@example.com"}},           // by ID, at most limit
			{".example", 3, 0, []string{"alan@turing.example"}},  // only after Ada, user 3
			{"grace hopper", 0, 0, nil},                          // one part, not the full name
		}
		for _, tt := range tests {
			us, err := st.Users(ctx, invite.UserQuery{CompanyID: w.c.ID, Search: tt.search, After: tt.after, Limit: tt.limit})
			mustDo(t, err)
			var got []string
			for _, u := range us {
				got = append(got, u.Email)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Search %q after %d: got %v, want %v", tt.search, tt.after, got, tt.want)
			}
		}
	})
	t.Run("UpdateUserCountsAdmins", func(t *testing.T) {
		second := w.user("second-admin@example.com")
		second.AdminLevel = invite.AdminCompany
		second.DisabledAt = start // a disabled administrator administers nothing
		mustDo(t, st.CreateUser(ctx, second))
		_, err := st.UpdateUser(ctx, w.admin.ID, func(_ *invite.User, admins int) error {
			if admins != 1 {
				t.Errorf("got %d admins, want 1", admins)
			}
			return nil
		})
		mustDo(t, err)
		admins, err := st.CompanyAdmins(ctx, w.c.ID)
		if err != nil || len(admins) != 2 {
			t.Errorf("CompanyAdmins: got %d, %v; want both, disabled or not", len(admins), err)
		}
	})
	t.Run("TimesInUTC", func(t *testing.T) {
		u := w.user("zoned@example.com")
		u.CreatedAt = start.In(time.FixedZone("CET", 3600))
		mustDo(t, st.CreateUser(ctx, u))
		got, err := st.User(ctx, u.ID)
		mustDo(t, err)
		if got.CreatedAt != start {
			t.Errorf("got %v, want %v", got.CreatedAt, start)
		}
	})
}

func TestDeleteUser(t *testing.T) {
	ctx := context.Background()
	st, w := newWorld(t)
	other := w.user("other@example.com")
	mustDo(t, st.CreateUser(ctx, other))
	made := w.invitation("made@example.com", 1)
	mustDo(t, st.CreateInvitation(ctx, made, nil))
	mustDo(t, st.CreateSession(ctx, &invite.Session{TokenHash: hashOf(7), UserID: w.admin.ID, ExpiresAt: start.Add(time.Hour)}))

	err := st.DeleteUser(ctx, w.admin.ID, func(*invite.User, int) error { return errTest })
	if err != errTest {
		t.Fatalf("got %v, want check's error", err)
	}
	if _, err := st.User(ctx, w.admin.ID); err != nil {
		t.Fatalf("a refused delete deleted: %v", err)
	}
	mustDo(t, st.DeleteUser(ctx, w.admin.ID, func(*invite.User, int) error { return nil }))
	_, err = st.User(ctx, w.admin.ID)
	wantErr(t, err, invite.ErrUserNotFound)
	_, err = st.SessionUser(ctx, hashOf(7), start)
	wantErr(t, err, invite.ErrUserNotFound)
	// What they made stays as it was, naming them: the service, not the
	// store, decides what becomes of it.
	got, err := st.Invitation(ctx, made.ID)
	mustDo(t, err)
	if got.Status != invite.StatusPending || got.InvitedBy != w.admin.ID {
		t.Errorf("the deleted user's invitation: %s by %d, want pending by %d", got.Status, got.InvitedBy, w.admin.ID)
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	st, w := newWorld(t)
	wantErr(t, st.CreateSession(ctx, &invite.Session{TokenHash: hashOf(1), UserID: 99, ExpiresAt: start}), invite.ErrUserNotFound)
	for i, expires := range []time.Time{start, start.Add(time.Hour), start.Add(2 * time.Hour)} {
		mustDo(t, st.CreateSession(ctx, &invite.Session{TokenHash: hashOf(byte(i + 1)), UserID: w.admin.ID, CreatedAt: start, ExpiresAt: expires}))
	}
	tests := []struct {
		hash []byte
		now  time.Time
		ok   bool
	}{
		{hashOf(1), start.Add(-time.Microsecond), true},
		{hashOf(1), start, false}, // expired at ExpiresAt
		{hashOf(2), start, true},
		{hashOf(9), start, false},
		{nil, start, false},
	}
	for _, tt := range tests {
		u, err := st.SessionUser(ctx, tt.hash, tt.now)
		if tt.ok && (err != nil || u.ID != w.admin.ID) {
			t.Errorf("SessionUser(%x, %v): got %v, %v; want the administrator", tt.hash, tt.now, u, err)
		}
		if !tt.ok {
			wantErr(t, err, invite.ErrUserNotFound)
		}
	}
	if n, err := st.PruneSessions(ctx, start); n != 0 || err != nil {
		t.Errorf("PruneSessions at the first expiry: got %d, %v; want 0: it expires before now", n, err)
	}
	if n, err := st.PruneSessions(ctx, start.Add(time.Microsecond)); n != 1 || err != nil {
		t.Errorf("PruneSessions: got %d, %v; want 1", n, err)
	}
	mustDo(t, st.DeleteUserSessions(ctx, w.admin.ID, hashOf(3)))
	if _, err := st.SessionUser(ctx, hashOf(3), start); err != nil {
		t.Errorf("DeleteUserSessions ended the session it was to keep: %v", err)
	}
	_, err := st.SessionUser(ctx, hashOf(2), start)
	wantErr(t, err, invite.ErrUserNotFound)
}

func TestCreateInvitation(t *testing.T) {
	ctx := context.Background()
	t.Run("SetsIDsAndDelivery", func(t *testing.T) {
		st, w := newWorld(t)
		inv, msg := w.invitation("a@example.com", 1), message("m", start)
		mustDo(t, st.CreateInvitation(ctx, inv, msg))
		want := &invite.Delivery{MessageID: 1, Kind: invite.KindInvitation, State: invite.DeliveryQueued}
		if inv.ID != 1 || msg.ID != 1 || msg.InvitationID != 1 || *inv.Delivery != *want {
			t.Errorf("got invitation %d, message %d of invitation %d, delivery %+v; want 1, 1, 1, %+v",
				inv.ID, msg.ID, msg.InvitationID, inv.Delivery, want)
		}
	})
	// One pending invitation per company and address, as stored: making
	// way for a new one when the old is past its expiry is the Service's.
	tests := []struct {
		name    string
		holder  func(*invite.Invitation) // changes the first invitation
		err     *invite.Error            // of the second
		holding invite.Status            // the first's status after
	}{
		{"ErrInvitationPending", func(*invite.Invitation) {}, invite.ErrInvitationPending, invite.StatusPending},
		{"PastExpiry", func(inv *invite.Invitation) { inv.ExpiresAt = start }, invite.ErrInvitationPending, invite.StatusPending},
		{"Expired", func(inv *invite.Invitation) { inv.Status = invite.StatusExpired }, nil, invite.StatusExpired},
		{"Accepted", func(inv *invite.Invitation) { inv.Status = invite.StatusAccepted }, nil, invite.StatusAccepted},
		{"Canceled", func(inv *invite.Invitation) { inv.Status = invite.StatusCanceled }, nil, invite.StatusCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, w := newWorld(t)
			first := w.invitation("a@example.com", 1)
			first.RemindAt = start.Add(time.Hour)
			tt.holder(first)
			mustDo(t, st.CreateInvitation(ctx, first, nil))
			err := st.CreateInvitation(ctx, w.invitation("a@example.com", 2), message("m", start))
			if tt.err != nil {
				wantErr(t, err, tt.err)
				if ms, _ := st.Messages(ctx, invite.MessageQuery{}); len(ms) != 0 {
					t.Errorf("a refused invitation wrote its message")
				}
			} else {
				mustDo(t, err)
			}
			got, err := st.Invitation(ctx, first.ID)
			mustDo(t, err)
			if got.Status != tt.holding {
				t.Errorf("the first invitation: got %s, want %s", got.Status, tt.holding)
			}
		})
	}
	t.Run("OtherCompany", func(t *testing.T) {
		st, w := newWorld(t)
		mustDo(t, st.CreateInvitation(ctx, w.invitation("a@example.com", 1), nil))
		b := &invite.Company{Name: "Bolt", CreatedAt: start, BusinessRoles: []invite.BusinessRole{{Name: "R"}}}
		mustDo(t, st.CreateCompany(ctx, b))
		inv := w.invitation("a@example.com", 2)
		inv.CompanyID, inv.BusinessRoleID, inv.Grants = b.ID, b.BusinessRoles[0].ID, nil
		mustDo(t, st.CreateInvitation(ctx, inv, nil))
	})
}

func TestUpdateInvitation(t *testing.T) {
	ctx := context.Background()
	st, w := newWorld(t)
	first, second := w.invitation("a@example.com", 1), w.invitation("b@example.com", 2)
	mustDo(t, st.CreateInvitation(ctx, first, message("1", start)))
	mustDo(t, st.CreateInvitation(ctx, second, nil))
	t.Run("ErrInvitationNotFound", func(t *testing.T) {
		_, err := st.UpdateInvitation(ctx, 99, func(*invite.Invitation) (*invite.Message, error) { return nil, nil })
		wantErr(t, err, invite.ErrInvitationNotFound)
	})
	t.Run("PendingRule", func(t *testing.T) {
		_, err := st.UpdateInvitation(ctx, second.ID, func(inv *invite.Invitation) (*invite.Message, error) {
			inv.Email = first.Email
			return message("2", start), nil
		})
		wantErr(t, err, invite.ErrInvitationPending)
		got, _ := st.Invitation(ctx, second.ID)
		if got.Email != second.Email || got.Delivery != nil {
			t.Errorf("a refused update was saved: %+v", got)
		}
	})
	t.Run("SavesWithMessage", func(t *testing.T) {
		msg := message("3", start)
		got, err := st.UpdateInvitation(ctx, first.ID, func(inv *invite.Invitation) (*invite.Message, error) {
			if inv.Delivery == nil || inv.Delivery.MessageID != 1 {
				t.Errorf("update got delivery %+v, want that of message 1", inv.Delivery)
			}
			inv.FirstName, inv.TimesSent = "Ada", 2
			inv.Grants = append(inv.Grants, invite.Grant{SubscriptionID: w.c.Subscriptions[1].ID, Role: invite.RoleContributor})
			return msg, nil
		})
		mustDo(t, err)
		if got.Delivery == nil || got.Delivery.MessageID != msg.ID || msg.InvitationID != first.ID {
			t.Errorf("got delivery %+v and message of invitation %d, want message %d of %d", got.Delivery, msg.InvitationID, msg.ID, first.ID)
		}
		stored, err := st.Invitation(ctx, first.ID)
		mustDo(t, err)
		if stored.FirstName != "Ada" || stored.TimesSent != 2 || len(stored.Grants) != 2 || stored.Delivery.MessageID != msg.ID {
			t.Errorf("got %+v, want the update saved", stored)
		}
	})
}

func TestAcceptInvitation(t *testing.T) {
	ctx := context.Background()
	st, w := newWorld(t)
	inv := w.invitation("a@example.com", 1)
	mustDo(t, st.CreateInvitation(ctx, inv, nil))
	t.Run("ErrInvitationNotFound", func(t *testing.T) {
		_, _, err := st.AcceptInvitation(ctx, hashOf(9), func(*invite.Invitation) (*invite.User, error) { return nil, nil })
		wantErr(t, err, invite.ErrInvitationNotFound)
	})
	t.Run("ErrUserExists", func(t *testing.T) {
		_, _, err := st.AcceptInvitation(ctx, hashOf(1), func(inv *invite.Invitation) (*invite.User, error) {
			inv.Status = invite.StatusAccepted
			return w.user("admin@example.com"), nil
		})
		wantErr(t, err, invite.ErrUserExists)
		if got, _ := st.Invitation(ctx, inv.ID); got.Status != invite.StatusPending {
			t.Errorf("a failed accept saved the invitation")
		}
	})
	t.Run("OnlyTheInvitation", func(t *testing.T) {
		got, u, err := st.AcceptInvitation(ctx, hashOf(1), func(inv *invite.Invitation) (*invite.User, error) {
			inv.Department = "Saved"
			return nil, nil
		})
		if err != nil || u != nil || got.Department != "Saved" {
			t.Fatalf("got %+v, %v, %v; want the invitation saved and no user", got, u, err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		got, u, err := st.AcceptInvitation(ctx, hashOf(1), func(inv *invite.Invitation) (*invite.User, error) {
			inv.Status, inv.AcceptedAt = invite.StatusAccepted, start
			return w.user(inv.Email), nil
		})
		mustDo(t, err)
		if u.ID == 0 || got.AcceptedBy != u.ID {
			t.Errorf("got user %d, AcceptedBy %d; want them set and equal", u.ID, got.AcceptedBy)
		}
		stored, _ := st.Invitation(ctx, inv.ID)
		if stored.Status != invite.StatusAccepted || stored.AcceptedBy != u.ID {
			t.Errorf("got %+v, want it accepted by %d", stored, u.ID)
		}
	})
}

func TestInvitations(t *testing.T) {
	ctx := context.Background()
	st, w := newWorld(t)
	other := w.user("other@example.com")
	mustDo(t, st.CreateUser(ctx, other))
	// Four invitations, a minute apart, the last two at the same time.
	invs := []*invite.Invitation{
		w.invitation("ada@example.com", 1),
		w.invitation("alan@example.com", 2),
		w.invitation("grace@example.com", 3),
		w.invitation("edsger@example.com", 4),
	}
	invs[0].ExpiresAt = start.Add(time.Hour)
	invs[1].Status = invite.StatusCanceled
	invs[2].LastSentBy = other.ID
	for i, inv := range invs {
		inv.CreatedAt = start.Add(time.Duration(min(i, 2)) * time.Minute)
		mustDo(t, st.CreateInvitation(ctx, inv, nil))
	}
	now := start.Add(time.Hour) // the first is past its expiry, not marked
	ids := func(ns ...int) []int64 {
		var out []int64
		for _, n := range ns {
			out = append(out, invs[n].ID)
		}
		return out
	}
	tests := []struct {
		name string
		q    invite.InvitationQuery
		want []int64
	}{
		{"All", invite.InvitationQuery{}, ids(3, 2, 1, 0)},
		{"Limit", invite.InvitationQuery{Limit: 2}, ids(3, 2)},
		{"AfterSameTime", invite.InvitationQuery{After: &invite.Cursor{CreatedAt: invs[3].CreatedAt, ID: invs[3].ID}}, ids(2, 1, 0)},
		{"After", invite.InvitationQuery{After: &invite.Cursor{CreatedAt: invs[2].CreatedAt, ID: invs[2].ID}}, ids(1, 0)},
		{"Pending", invite.InvitationQuery{Status: invite.StatusPending}, ids(3, 2)},
		{"ExpiredAtNow", invite.InvitationQuery{Status: invite.StatusExpired}, ids(0)},
		{"Canceled", invite.InvitationQuery{Status: invite.StatusCanceled}, ids(1)},
		{"Email", invite.InvitationQuery{Email: "al"}, ids(1)},
		{"PendingEmailAsStored", invite.InvitationQuery{PendingEmail: "ada@example.com"}, ids(0)},
		{"PendingEmailNotCanceled", invite.InvitationQuery{PendingEmail: "alan@example.com"}, nil},
		{"PendingEmailExactly", invite.InvitationQuery{PendingEmail: "example.com"}, nil},
		{"SentBy", invite.InvitationQuery{SentBy: other.ID}, ids(2)},
		{"OtherCompany", invite.InvitationQuery{CompanyID: 99}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Now = now
			got, err := st.Invitations(ctx, tt.q)
			mustDo(t, err)
			var gotIDs []int64
			for _, inv := range got {
				gotIDs = append(gotIDs, inv.ID)
			}
			if !slices.Equal(gotIDs, tt.want) {
				t.Errorf("got %v, want %v", gotIDs, tt.want)
			}
		})
	}
}

func TestExpiryAndReminders(t *testing.T) {
	ctx := context.Background()
	st, w := newWorld(t)
	var invs []*invite.Invitation
	for i := range 3 {
		inv := w.invitation(string(rune('a'+i))+"@example.com", byte(i+1))
		inv.ExpiresAt = start.Add(time.Duration(3-i) * time.Hour) // the last expires first
		inv.RemindAt = start.Add(time.Duration(i) * time.Minute)
		mustDo(t, st.CreateInvitation(ctx, inv, nil))
		invs = append(invs, inv)
	}
	due, err := st.DueReminders(ctx, start.Add(time.Minute), 0)
	mustDo(t, err)
	if len(due) != 2 || due[0].ID != invs[0].ID || due[1].ID != invs[1].ID {
		t.Errorf("DueReminders: got %d, want the first two, soonest first", len(due))
	}
	if marked, err := st.ExpireInvitations(ctx, start.Add(2*time.Hour), 1); len(marked) != 1 || err != nil {
		t.Fatalf("ExpireInvitations: got %d, %v; want 1", len(marked), err)
	}
	got, _ := st.Invitation(ctx, invs[2].ID)
	if got.Status != invite.StatusExpired || !got.RemindAt.IsZero() {
		t.Errorf("got %s, remind at %v; want the one that expired first marked, without reminder", got.Status, got.RemindAt)
	}
	if marked, err := st.ExpireInvitations(ctx, start.Add(2*time.Hour), 10); len(marked) != 1 || err != nil {
		t.Errorf("ExpireInvitations again: got %d, %v; want only the other one due", len(marked), err)
	}
	due, _ = st.DueReminders(ctx, start.Add(time.Hour), 0)
	if len(due) != 1 || due[0].ID != invs[0].ID {
		t.Errorf("DueReminders: got %d, want only the one still pending", len(due))
	}
}

func TestOutbox(t *testing.T) {
	ctx := context.Background()
	st, w := newWorld(t)
	inv := w.invitation("a@example.com", 1)
	mustDo(t, st.CreateInvitation(ctx, inv, message("0", start)))
	later := message("1", start.Add(time.Minute))
	later.CompanyID = w.c.ID
	sooner := message("2", start)
	mustDo(t, st.Enqueue(ctx, []*invite.Message{later, sooner}))
	if later.ID != 2 || sooner.ID != 3 {
		t.Fatalf("got IDs %d, %d; want 2, 3", later.ID, sooner.ID)
	}

	claimed, err := st.ClaimMessages(ctx, start.Add(time.Minute), start.Add(time.Hour), 2)
	mustDo(t, err)
	if len(claimed) != 2 || claimed[0].ID != 1 || claimed[1].ID != 3 {
		t.Fatalf("got %d claimed, want messages 1 and 3: the oldest due first", len(claimed))
	}
	if m := claimed[0]; m.State != invite.DeliverySending || m.Attempts != 1 || !m.NextAttemptAt.Equal(start.Add(time.Hour)) {
		t.Errorf("got %+v, want it sending, attempt 1, until the lease ends", m)
	}
	if got, _ := st.Invitation(ctx, inv.ID); got.Delivery.State != invite.DeliverySending || got.Delivery.Attempts != 1 {
		t.Errorf("got delivery %+v, want the message's state", got.Delivery)
	}

	// The lease of message 3 lapses, and another worker claims it.
	again, err := st.ClaimMessages(ctx, start.Add(time.Hour), start.Add(2*time.Hour), 0)
	mustDo(t, err)
	if len(again) != 3 || again[2].ID != 3 || again[2].Attempts != 2 {
		t.Fatalf("got %d claimed again, want every message, 3 at its second attempt", len(again))
	}
	stale := claimed[1]
	stale.State, stale.SentAt, stale.Text = invite.DeliverySent, start, "redacted"
	mustDo(t, st.SaveDelivery(ctx, stale))
	if m, _ := st.Message(ctx, 3); m.State != invite.DeliverySending {
		t.Errorf("the first worker's outcome was saved over the second's claim")
	}
	current := again[2]
	current.State, current.SentAt, current.Text, current.Subject = invite.DeliverySent, start, "redacted", "not saved"
	mustDo(t, st.SaveDelivery(ctx, current))
	if m, _ := st.Message(ctx, 3); m.State != invite.DeliverySent || m.Text != "redacted" || m.Subject != "Subject" || !m.SentAt.Equal(start) {
		t.Errorf("got %+v, want the outcome saved, but for the subject", m)
	}

	for _, tt := range []struct {
		q    invite.MessageQuery
		want []int64
	}{
		{invite.MessageQuery{}, []int64{3, 2, 1}},
		{invite.MessageQuery{Before: 3, Limit: 1}, []int64{2}},
		{invite.MessageQuery{CompanyID: w.c.ID}, []int64{2}},
	} {
		ms, err := st.Messages(ctx, tt.q)
		mustDo(t, err)
		var got []int64
		for _, m := range ms {
			got = append(got, m.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Messages(%+v): got %v, want %v", tt.q, got, tt.want)
		}
	}
	_, err = st.Message(ctx, 99)
	wantErr(t, err, invite.ErrMessageNotFound)
}

func TestMailTemplates(t *testing.T) {
	ctx := context.Background()
	st, w := newWorld(t)
	en := invite.Template{Subject: "Hello", Body: "Join {CompanyName}"}
	mustDo(t, st.SetMailTemplate(ctx, w.c.ID, "en", en, start))
	mustDo(t, st.SetMailTemplate(ctx, w.c.ID, "de", invite.Template{Subject: "Hallo", Body: "Hallo"}, start))
	mustDo(t, st.SetMailTemplate(ctx, w.c.ID, "de", invite.Template{}, start))
	ts, err := st.MailTemplates(ctx, w.c.ID)
	mustDo(t, err)
	if len(ts) != 1 || ts["en"] != en {
		t.Errorf("got %v, want only en: a zero template deletes", ts)
	}
}

func TestPasswordResets(t *testing.T) {
	ctx := context.Background()
	st, w := newWorld(t)
	request := func(at time.Time) *invite.PasswordReset {
		t.Helper()
		r := &invite.PasswordReset{Email: w.admin.Email, Language: "en", State: invite.ResetRequested, CreatedAt: at}
		mustDo(t, st.CreatePasswordReset(ctx, r))
		return r
	}
	issue := func(r *invite.PasswordReset, token byte) error {
		r.State, r.UserID, r.TokenHash, r.ExpiresAt = invite.ResetIssued, w.admin.ID, hashOf(token), r.CreatedAt.Add(invite.ResetTTL)
		return st.SavePasswordReset(ctx, r)
	}
	first, discarded, late := request(start), request(start.Add(time.Second)), request(start.Add(invite.ResetInterval+time.Second))

	claimed, err := st.ClaimPasswordResets(ctx, start, start.Add(time.Minute), 2)
	mustDo(t, err)
	if len(claimed) != 2 || claimed[0].ID != first.ID || claimed[0].State != invite.ResetProcessing {
		t.Fatalf("got %d claimed, want the two oldest, processing", len(claimed))
	}
	mustDo(t, issue(first, 1))
	discarded.State = invite.ResetDiscarded
	mustDo(t, st.SavePasswordReset(ctx, discarded))
	orphan := &invite.PasswordReset{ID: late.ID, State: invite.ResetIssued, UserID: 99, TokenHash: hashOf(4)}
	wantErr(t, st.SavePasswordReset(ctx, orphan), invite.ErrUserNotFound)
	mustDo(t, st.SupersedePasswordResets(ctx, w.admin.ID))
	mustDo(t, issue(late, 3))
	if r, _ := st.PasswordReset(ctx, hashOf(1)); r.State != invite.ResetSuperseded {
		t.Errorf("the first link: got %s, want superseded", r.State)
	}
	if r, _ := st.PasswordReset(ctx, hashOf(3)); r.State != invite.ResetIssued {
		t.Errorf("the later link: got %s, want issued", r.State)
	}

	mustDo(t, st.CreateSession(ctx, &invite.Session{TokenHash: hashOf(8), UserID: w.admin.ID, ExpiresAt: start.Add(time.Hour)}))
	_, err = st.UsePasswordReset(ctx, hashOf(3), start, func(*invite.PasswordReset) (string, error) { return "", errTest })
	if err != errTest {
		t.Fatalf("got %v, want use's error", err)
	}
	u, err := st.UsePasswordReset(ctx, hashOf(3), start, func(r *invite.PasswordReset) (string, error) {
		if r.ID != late.ID {
			t.Errorf("use got reset %d, want %d", r.ID, late.ID)
		}
		return "new hash", nil
	})
	if err != nil || u.PasswordHash != "new hash" {
		t.Fatalf("got %+v, %v; want the user with the new hash", u, err)
	}
	if r, _ := st.PasswordReset(ctx, hashOf(3)); r.State != invite.ResetUsed {
		t.Errorf("got %s, want used", r.State)
	}
	_, err = st.SessionUser(ctx, hashOf(8), start)
	wantErr(t, err, invite.ErrUserNotFound)
	_, err = st.PasswordReset(ctx, hashOf(9))
	wantErr(t, err, invite.ErrResetNotFound)
	if n, err := st.PrunePasswordResets(ctx, start.Add(time.Second)); n != 1 || err != nil {
		t.Errorf("PrunePasswordResets: got %d, %v; want 1", n, err)
	}
}

func TestJoinRequests(t *testing.T) {
	ctx := context.Background()
	st, w := newWorld(t)
	ask := func() *invite.JoinRequest {
		t.Helper()
		r := &invite.JoinRequest{CompanyID: w.c.ID, Email: "asks@example.com", Status: invite.JoinRequested, CreatedAt: start}
		mustDo(t, st.CreateJoinRequest(ctx, r))
		return r
	}
	first, second := ask(), ask()
	claimed, err := st.ClaimJoinRequests(ctx, start, start.Add(time.Minute), 0)
	if err != nil || len(claimed) != 2 || claimed[1].Status != invite.JoinProcessing {
		t.Fatalf("got %v, %v; want both, processing", claimed, err)
	}
	if again, _ := st.ClaimJoinRequests(ctx, start, start.Add(time.Minute), 0); len(again) != 0 {
		t.Errorf("claimed %d twice", len(again))
	}
	first.Status = invite.JoinPending
	mustDo(t, st.SaveJoinRequest(ctx, first, []*invite.Message{message("notice", start)}))
	second.Status = invite.JoinPending
	wantErr(t, st.SaveJoinRequest(ctx, second, []*invite.Message{message("second notice", start)}), invite.ErrJoinRequestPending)
	if ms, _ := st.Messages(ctx, invite.MessageQuery{}); len(ms) != 1 {
		t.Errorf("got %d messages, want only the first request's", len(ms))
	}
	pending, err := st.JoinRequests(ctx, w.c.ID, 0)
	if err != nil || len(pending) != 1 || pending[0].ID != first.ID {
		t.Fatalf("JoinRequests: got %v, %v; want the first", pending, err)
	}
	mustDo(t, st.DecideJoinRequest(ctx, first.ID, invite.JoinApproved, w.admin.ID, 7, start))
	wantErr(t, st.DecideJoinRequest(ctx, first.ID, invite.JoinDeclined, w.admin.ID, 0, start), invite.ErrJoinRequestDecided)
	got, err := st.JoinRequest(ctx, first.ID)
	if err != nil || got.Status != invite.JoinApproved || got.InvitationID != 7 || got.DecidedBy != w.admin.ID {
		t.Errorf("got %+v, %v; want it approved with invitation 7", got, err)
	}
	_, err = st.JoinRequest(ctx, 99)
	wantErr(t, err, invite.ErrJoinRequestNotFound)
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	keys := [][]byte{hashOf(1), hashOf(2)}
	err := st.UpdateLimits(ctx, keys, func(tats []time.Time) ([]time.Time, error) {
		if !tats[0].IsZero() || !tats[1].IsZero() {
			t.Errorf("got %v, want the zero time for limits not kept yet", tats)
		}
		return []time.Time{start, start.Add(time.Hour)}, nil
	})
	mustDo(t, err)
	err = st.UpdateLimits(ctx, keys, func(tats []time.Time) ([]time.Time, error) {
		return []time.Time{start.Add(time.Minute), start.Add(time.Minute)}, errTest
	})
	if err != errTest {
		t.Fatalf("got %v, want update's error", err)
	}
	err = st.UpdateLimits(ctx, [][]byte{hashOf(2), hashOf(1)}, func(tats []time.Time) ([]time.Time, error) {
		if !tats[0].Equal(start.Add(time.Hour)) || !tats[1].Equal(start) {
			t.Errorf("got %v, want the saved times in the order of the keys", tats)
		}
		return tats, nil
	})
	mustDo(t, err)
	if n, err := st.PruneLimits(ctx, start); n != 1 || err != nil {
		t.Errorf("PruneLimits: got %d, %v; want 1, the one whose time is not after now", n, err)
	}
}
