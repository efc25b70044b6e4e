package store_test

import (
	"context"
	"testing"

	"github.com/invitehq/invite/store"
	"github.com/invitehq/invite/store/storetest"
)

// A database of an earlier version kept join keys in plain text: Migrate
// keeps only their hashes, and the pages stay at their addresses.
func TestMigrateHashesJoinKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		legacy := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		if _, err := db.Bun().NewUpdate().Table("companies").Set("join_key = ?", legacy).Set("join_key_hash = NULL").Set("join_requests = ?", true).
			Where("id = ?", f.a.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, "companies", "join_key IS NOT NULL"); n != 0 {
			t.Fatalf("%d plain keys left", n)
		}
		if page, err := f.svc.JoinPage(ctx, legacy); err != nil || page.ID != f.a.ID {
			t.Fatalf("the old address after Migrate: %v, %v", page, err)
		}
	})
}
