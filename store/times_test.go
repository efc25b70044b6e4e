package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/invitetest"
	"github.com/invitehq/invite/store"
	"github.com/invitehq/invite/store/storetest"
)

// Found from outside: on MySQL a time of another zone was stored as its
// wall clock, so a program calling the Store with time.Now() in India
// expired invitations five and a half hours early. Every time is an
// instant, whatever its zone.
func TestTimesInAnyZone(t *testing.T) {
	india := time.FixedZone("IST", 5*3600+1800)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := invitetest.NewWorld(t, db)
		inv, _, err := w.Service.Invite(w.Global, w.Input(w.A))
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Invitation(ctx, inv.ID)
		if err != nil || !got.ExpiresAt.Equal(inv.ExpiresAt) {
			t.Fatalf("ExpiresAt: got %v, %v; want %v", got.ExpiresAt, err, inv.ExpiresAt)
		}
		early := inv.ExpiresAt.Add(-time.Hour).In(india)
		if marked, err := db.ExpireInvitations(ctx, early, 10); err != nil || len(marked) != 0 {
			t.Fatalf("ExpireInvitations an hour early, in IST: %d, %v; want 0", len(marked), err)
		}
		if marked, err := db.ExpireInvitations(ctx, inv.ExpiresAt.In(india), 10); err != nil || len(marked) != 1 {
			t.Fatalf("ExpireInvitations at expiry, in IST: %d, %v; want 1", len(marked), err)
		}
		r := &invite.PasswordReset{Email: "a@example.com", Language: "en", State: invite.ResetRequested, CreatedAt: inv.CreatedAt.In(india)}
		if err := db.CreatePasswordReset(ctx, r); err != nil {
			t.Fatal(err)
		}
		claimed, err := db.ClaimPasswordResets(ctx, inv.CreatedAt, inv.CreatedAt.Add(time.Minute), 1)
		if err != nil || len(claimed) != 1 || !claimed[0].CreatedAt.Equal(inv.CreatedAt) {
			t.Fatalf("ClaimPasswordResets: %+v, %v; want the reset created at %v", claimed, err, inv.CreatedAt)
		}
	})
}
