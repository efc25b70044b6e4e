package store_test

import (
	"context"
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
	t.Run("KillANodeUnderLoad", testKillANode)
}

// A server on each node, each given every node (its own first), invites
// without pause; node 3 is killed and started again. Nothing that was
// acknowledged is lost, every server carries on (node 3's on another
// node), node 3 rejoins, and the longest time a server could not invite
// is printed.
func testKillANode(t *testing.T) {
	ctx := context.Background()
	urls := storetest.GaleraURLs(t)
	var dbs []*store.DB
	for i := range urls {
		u, err := url.Parse(urls[i])
		if err != nil {
			t.Fatal(err)
		}
		var hosts []string
		for j := range urls {
			v, _ := url.Parse(urls[(i+j)%len(urls)])
			hosts = append(hosts, v.Host)
		}
		u.Host = strings.Join(hosts, ",")
		dbs = append(dbs, mustOpen(t, u.String()))
	}
	if err := dbs[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := invitetest.NewWorld(t, dbs[0])
	none := invite.Rate{Count: -1}
	var (
		mu    sync.Mutex
		acked []string              // addresses whose invitation succeeded
		last  = map[int]time.Time{} // server: its last success
		gap   = map[int]time.Duration{}
		fails = map[string]int{} // error code: count
		odd   []string           // the texts of the first failures other than unavailable
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var stopOnce sync.Once
	halt := func() { stopOnce.Do(func() { close(stop) }); wg.Wait() }
	defer halt()         // also when the test fails early
	base := w.Input(w.A) // World is not safe for concurrent use
	for i, db := range dbs {
		svc := invite.NewService(db, invite.Config{Limits: invite.Limits{Invitations: none, Mails: none, DailyMails: none}})
		for c := range 3 {
			wg.Go(func() {
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					in := base
					in.Email = fmt.Sprintf("s%d-c%d-n%d@example.com", i, c, n)
					_, _, err := svc.Invite(w.Global, in)
					now := time.Now()
					mu.Lock()
					if err == nil {
						acked = append(acked, in.Email)
						if l, ok := last[i]; ok {
							gap[i] = max(gap[i], now.Sub(l))
						}
						last[i] = now
					} else {
						fails[string(invite.ErrorCode(err))]++
						if invite.ErrorCode(err) != invite.CodeUnavailable && len(odd) < 5 {
							odd = append(odd, err.Error())
						}
					}
					mu.Unlock()
				}
			})
		}
	}
	// acknowledged waits until every server has had n more successes.
	progress := func(what string, n int) {
		t.Helper()
		mu.Lock()
		start := len(acked)
		mu.Unlock()
		deadline := time.Now().Add(2 * time.Minute)
		for {
			mu.Lock()
			done := len(acked) >= start+n
			mu.Unlock()
			if done {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: fewer than %d invitations in two minutes", what, n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	progress("before the kill", 60)
	galera(t, "kill", "3")
	progress("with node 3 killed", 60)
	galera(t, "start", "3")
	progress("after node 3 came back", 60)
	halt()

	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d invitations acknowledged; failures by code %v; longest time without an invitation, by server: %v", len(acked), fails, gap)
	for code := range fails {
		if code != string(invite.CodeUnavailable) {
			t.Errorf("a failure other than unavailable: %v; the first: %q", fails, odd)
		}
	}
	for i, db := range dbs { // on every node, node 3 included
		invs, err := db.Invitations(ctx, invite.InvitationQuery{CompanyID: w.A.ID, Now: time.Now(), Limit: len(acked) + 100})
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, inv := range invs {
			have[inv.Email] = true
		}
		lost := 0
		for _, a := range acked {
			if !have[a] {
				lost++
			}
		}
		if lost > 0 {
			t.Errorf("through server %d: %d of %d acknowledged invitations lost", i+1, lost, len(acked))
		}
	}
}

// galera runs scripts/galera.sh with args, for the cluster the tests use.
func galera(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join("..", "scripts", "galera.sh")}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("galera.sh %v: %v\n%s", args, err, out)
	}
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
	// Seats taken on three nodes at once: never more than there are, as a
	// write on the held subscriptions is certified across the cluster.
	t.Run("SeatsAcrossNodes", func(t *testing.T) {
		c, err := node(0).RegisterCompany(w.Global, invite.CompanyInput{Name: "Seated", Subscriptions: []string{"App Designer", "Data Stream Designer"}, BusinessRoles: []string{"Operator"}})
		if err != nil {
			t.Fatal(err)
		}
		app := c.Subscriptions[0].ID
		tokens := make([]string, 18)
		for i := range tokens {
			if _, tokens[i], err = node(i).Invite(w.Global, w.Input(c)); err != nil {
				t.Fatal(err)
			}
		}
		if err := node(1).SetSeats(w.Global, c.ID, app, 5); err != nil {
			t.Fatal(err)
		}
		errs := invitetest.Parallel(len(tokens), func(i int) error {
			_, err := node(i).Accept(ctx, invite.AcceptInput{Token: tokens[i], Password: invitetest.Password, FirstName: "Grace", LastName: "Hopper", AcceptTerms: true})
			return err
		})
		if got := invitetest.Tally(errs); got[""] != 5 || got[invite.ReasonNoSeats] != 13 {
			t.Errorf("accepts: got outcomes %v, want 5 successes and 13 %s", got, invite.ReasonNoSeats)
		}
		if err := node(2).SetSeats(w.Global, c.ID, app, 5+13+3); err != nil { // 3 free once the 13 are pending
			t.Fatal(err)
		}
		ins := make([]invite.InvitationInput, 12)
		for i := range ins {
			ins[i] = w.Input(c)
		}
		errs = invitetest.Parallel(len(ins), func(i int) error {
			_, _, err := node(i).Invite(w.Global, ins[i])
			return err
		})
		if got := invitetest.Tally(errs); got[""] != 3 || got[invite.ReasonNoSeats] != 9 {
			t.Errorf("invites: got outcomes %v, want 3 successes and 9 %s", got, invite.ReasonNoSeats)
		}
		for i, db := range dbs {
			uses, err := db.SeatUse(ctx, c.ID, w.Clock.Now())
			if err != nil || len(uses) != 2 || uses[0].Used != 5 || uses[0].Pending != 16 {
				t.Errorf("node %d: seats %+v, %v; want 5 used and 16 pending", i+1, uses, err)
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

// Invitations a second through servers on one node of the cluster, and
// through a server on each of its three nodes. Every write is certified by
// all three nodes either way; three nodes spread the reading and the
// statements' work. go test -run '^$' -bench Galera ./store
func BenchmarkGalera(b *testing.B) {
	urls := storetest.GaleraURLs(b)
	dbs := make([]*store.DB, len(urls))
	for i, u := range urls {
		db, err := store.Open(context.Background(), u)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	if err := dbs[0].Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	w := invitetest.NewWorld(b, dbs[0])
	none := invite.Rate{Count: -1}
	base := w.Input(w.A)
	var next atomic.Int64 // across the benchmark's runs: each address once
	for _, bc := range []struct {
		name  string
		nodes []*store.DB
	}{{"OneNode", dbs[:1]}, {"ThreeNodes", dbs}} {
		b.Run(bc.name, func(b *testing.B) {
			var services []*invite.Service
			for _, db := range bc.nodes {
				services = append(services, invite.NewService(db, invite.Config{Limits: invite.Limits{Invitations: none, Mails: none, DailyMails: none}}))
			}
			b.SetParallelism(8)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := next.Add(1)
					in := base
					in.Email = fmt.Sprintf("%s-%d@example.com", bc.name, n)
					if _, _, err := services[int(n)%len(services)].Invite(w.Global, in); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "invitations/s")
		})
	}
}
