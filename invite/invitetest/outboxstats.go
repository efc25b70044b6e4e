package invitetest

import (
	"context"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// OutboxStats counts what is still to be sent across companies, and names
// when the longest due of it became due: a message claimed and not yet
// lapsed is not due, one sent or failed for good is not counted.
func testOutboxStats(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	ctx := context.Background()
	f.drain(t) // what making the world queued
	stats := func(now time.Time) invite.OutboxStats {
		t.Helper()
		st, err := f.Store.OutboxStats(ctx, now)
		if err != nil {
			t.Fatalf("OutboxStats: %v", err)
		}
		return st
	}
	check := func(what string, now time.Time, depth int, oldest time.Time) {
		t.Helper()
		if got := stats(now); got.Depth != depth || !got.OldestDue.Equal(oldest) {
			t.Errorf("%s: got depth %d, oldest due %v; want %d, %v", what, got.Depth, got.OldestDue, depth, oldest)
		}
	}
	check("Empty", f.Clock.Now(), 0, time.Time{})

	first, _ := f.invite(t, f.A)
	f.Clock.Add(time.Minute)
	f.invite(t, f.B)
	msgs, err := f.Store.Messages(ctx, invite.MessageQuery{Limit: 2})
	if err != nil || len(msgs) != 2 {
		t.Fatalf("Messages: %d, %v", len(msgs), err)
	}
	older, newer := msgs[1], msgs[0]
	if older.InvitationID != first.ID {
		t.Fatalf("the older message is of invitation %d, want %d", older.InvitationID, first.ID)
	}
	check("BothDue", f.Clock.Now(), 2, older.NextAttemptAt)
	check("NoneDueYet", older.NextAttemptAt.Add(-time.Second), 2, time.Time{})
	check("OneDue", newer.NextAttemptAt.Add(-time.Microsecond), 2, older.NextAttemptAt)

	// The older one claimed: still to be sent, no longer due until its
	// claim lapses.
	lease := f.Clock.Now().Add(time.Minute)
	claimed, err := f.Store.ClaimMessages(ctx, f.Clock.Now(), lease, 1)
	if err != nil || len(claimed) != 1 || claimed[0].ID != older.ID {
		t.Fatalf("ClaimMessages: %v, %v; want the older message", claimed, err)
	}
	check("OneClaimed", f.Clock.Now(), 2, newer.NextAttemptAt)
	// Both claimed, the newer a minute longer: once the first claim
	// lapses, its message is due again, since the lease's end.
	later := lease.Add(time.Minute)
	if again, err := f.Store.ClaimMessages(ctx, f.Clock.Now(), later, 1); err != nil || len(again) != 1 || again[0].ID != newer.ID {
		t.Fatalf("ClaimMessages: %v, %v; want the newer message", again, err)
	}
	check("BothClaimed", f.Clock.Now(), 2, time.Time{})
	check("ClaimLapsed", lease.Add(time.Second), 2, lease)

	// Failed for good, and sent: neither counts.
	claimed[0].State, claimed[0].LastError = invite.DeliveryFailed, "550 no such user"
	if err := f.Store.SaveDelivery(ctx, claimed[0]); err != nil {
		t.Fatalf("SaveDelivery: %v", err)
	}
	check("OneFailed", lease.Add(time.Second), 1, time.Time{})
	f.Clock.Set(later.Add(time.Second))
	f.drain(t)
	check("AllSent", lease.Add(time.Hour), 0, time.Time{})
}
