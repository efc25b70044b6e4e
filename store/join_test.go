package store_test

import (
	"context"
	"testing"

	"github.com/invitehq/invite/invite/invitetest"
	"github.com/invitehq/invite/store"
	"github.com/invitehq/invite/store/storetest"
)

// A database of an earlier version kept join keys in plain text: Migrate
// keeps only their hashes, and the pages stay at their addresses.
func TestMigrateHashesJoinKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := invitetest.NewWorld(t, db)
		ctx := context.Background()
		legacy := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		if _, err := db.Bun().NewUpdate().Table("companies").Set("join_key = ?", legacy).Set("join_key_hash = NULL").Set("join_requests = ?", true).
			Where("id = ?", w.A.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := db.Bun().NewSelect().Table("companies").Where("join_key IS NOT NULL").Count(ctx); err != nil || n != 0 {
			t.Fatalf("%d plain keys left (%v)", n, err)
		}
		if page, err := w.Service.JoinPage(ctx, legacy); err != nil || page.ID != w.A.ID {
			t.Fatalf("the old address after Migrate: %v, %v", page, err)
		}
	})
}
