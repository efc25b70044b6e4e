package store_test

import (
	"context"
	"testing"

	"github.com/invitehq/invite/invite/invitetest"
	"github.com/invitehq/invite/store"
	"github.com/invitehq/invite/store/storetest"
)

// Several processes starting at once migrate one MySQL database together.
func TestConcurrentMigrate(t *testing.T) {
	rawURL := storetest.MySQLURL(t)
	ctx := context.Background()
	errs := invitetest.Parallel(4, func(int) error {
		db, err := store.Open(ctx, rawURL)
		if err != nil {
			return err
		}
		defer db.Close()
		return db.Migrate(ctx)
	})
	if got := invitetest.Tally(errs); got[""] != 4 {
		t.Fatalf("got outcomes %v, want 4 successes", got)
	}
}
