package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/invitetest"
	"github.com/invitehq/invite/store"
	"github.com/invitehq/invite/store/storetest"
)

// On a Galera cluster (INVITE_TEST_GALERA), with a server on each node.
func TestGalera(t *testing.T) {
	t.Run("MigrateOnThreeNodesAtOnce", func(t *testing.T) {
		// Found from outside: two servers starting at once on two nodes
		// of a fresh database left one dead (Error 1060, duplicate
		// column): GET_LOCK holds on one node only.
		urls := storetest.GaleraURLs(t)
		errs := invitetest.Parallel(2*len(urls), func(i int) error {
			db, err := store.Open(t.Context(), urls[i%len(urls)])
			if err != nil {
				return err
			}
			defer db.Close()
			return db.Migrate(t.Context())
		})
		if got := invitetest.Tally(errs); got[""] != len(errs) {
			t.Fatalf("got outcomes %v, want %d successes", got, len(errs))
		}
	})
	t.Run("AcrossNodes", testAcrossNodes)
}

// A server on each node, racing: one user per link, one pending
// invitation per address, each mail delivered once, and no certification
// conflict (1213) ever shown.
func testAcrossNodes(t *testing.T) {
	ctx := context.Background()
	urls := storetest.GaleraURLs(t)
	dbs := make([]*store.DB, len(urls))
	for i, u := range urls {
		dbs[i] = mustOpen(t, u)
		if err := dbs[i].Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	w := invitetest.NewWorld(t, dbs[0])
	none := invite.Rate{Count: -1}
	services := make([]*invite.Service, len(dbs))
	for i, db := range dbs {
		services[i] = invite.NewService(db, invite.Config{Now: w.Clock.Now, Limits: invite.Limits{Invitations: none, Mails: none, DailyMails: none}})
	}
	node := func(i int) *invite.Service { return services[i%len(services)] }

	t.Run("OneUserPerLink", func(t *testing.T) {
		inv, token, err := node(1).Invite(w.Global, w.Input(w.A)) // mailed through one node, followed through the others
		if err != nil {
			t.Fatal(err)
		}
		errs := invitetest.Parallel(12, func(i int) error {
			_, err := node(i).Accept(ctx, invite.AcceptInput{Token: token, Password: invitetest.Password, FirstName: "Grace", LastName: "Hopper", AcceptTerms: true})
			return err
		})
		if got := invitetest.Tally(errs); got[""] != 1 || got["invitation_accepted"] != 11 {
			t.Errorf("got outcomes %v, want 1 success and 11 invitation_accepted", got)
		}
		for i, db := range dbs {
			users, err := db.Users(ctx, invite.UserQuery{Search: inv.Email, Limit: 10})
			if err != nil || len(users) != 1 {
				t.Errorf("node %d: %d users with the address, %v; want 1", i+1, len(users), err)
			}
		}
	})
	t.Run("OnePendingPerAddress", func(t *testing.T) {
		in := w.Input(w.A)
		errs := invitetest.Parallel(12, func(i int) error {
			_, _, err := node(i).Invite(w.Global, in)
			return err
		})
		if got := invitetest.Tally(errs); got[""] != 1 || got["invitation_pending"] != 11 {
			t.Errorf("got outcomes %v, want 1 success and 11 invitation_pending", got)
		}
	})
	t.Run("EachMailOnce", func(t *testing.T) {
		for i := range 40 {
			if _, _, err := node(i).Invite(w.Global, w.Input(w.B)); err != nil {
				t.Fatal(err)
			}
		}
		m := &tally{got: map[string]int{}}
		var want int
		for _, db := range dbs[:1] {
			msgs, err := db.Messages(ctx, invite.MessageQuery{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			for _, msg := range msgs {
				if msg.State == invite.DeliveryQueued {
					want++
				}
			}
		}
		errs := invitetest.Parallel(6, func(i int) error {
			_, err := node(i).DeliverOutbox(ctx, m)
			return err
		})
		if got := invitetest.Tally(errs); got[""] != len(errs) {
			t.Errorf("DeliverOutbox: outcomes %v, want only successes", got)
		}
		if len(m.got) != want {
			t.Errorf("%d recipients got mail, want %d", len(m.got), want)
		}
		for to, n := range m.got {
			if n != 1 {
				t.Errorf("%s got %d mails, want 1", to, n)
			}
		}
	})
}

// tally is a Mailer that counts what it is handed, by recipient.
type tally struct {
	mu  sync.Mutex
	got map[string]int
}

func (m *tally) Deliver(_ context.Context, msgs []*invite.Message) []error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, msg := range msgs {
		m.got[fmt.Sprintf("%s %d", msg.To, msg.ID)]++
	}
	return make([]error, len(msgs))
}
