package memstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/invitetest"
	"github.com/invitehq/invite/invite/memstore"
)

// The store keeps the contract of invite.Store that the service relies on.
func TestConformance(t *testing.T) {
	invitetest.Run(t, func(*testing.T) invite.Store { return memstore.New() })
}

// start is where every test's clock begins.
var start = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

const password = "correct horse battery staple"

// recorder is a Mailer that accepts every message and keeps it.
type recorder struct {
	mu   sync.Mutex
	sent []*invite.Message
}

func (r *recorder) Deliver(_ context.Context, msgs []*invite.Message) []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, msgs...)
	return make([]error, len(msgs))
}

// last returns the message delivered last.
func (r *recorder) last(t testing.TB) *invite.Message {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.sent) == 0 {
		t.Fatal("no message was delivered")
	}
	return r.sent[len(r.sent)-1]
}

var invitationLink = regexp.MustCompile(regexp.QuoteMeta(invite.DefaultPaths().AcceptInvitation) + `([A-Za-z0-9_-]{43})`)

// tokenIn returns the token of the invitation link in a message, as its
// recipient would follow it.
func tokenIn(t testing.TB, m *invite.Message) string {
	t.Helper()
	match := invitationLink.FindStringSubmatch(m.Text)
	if match == nil {
		t.Fatalf("no invitation link in %q", m.Text)
	}
	return match[1]
}

// service is a service over st with a clock of its own; unlimited turns
// off the bounds on mail to one address, for tests that send a lot.
func service(st invite.Store, unlimited bool) (*invite.Service, *invitetest.Clock) {
	clk := invitetest.NewClock(start)
	cfg := invite.Config{Now: clk.Now}
	if unlimited {
		none := invite.Rate{Count: -1}
		cfg.Limits = invite.Limits{Invitations: none, Mails: none, DailyMails: none}
	}
	return invite.NewService(st, cfg), clk
}

// bootstrap makes the Global Administrator and a company, and returns a
// context acting as the administrator.
func bootstrap(t testing.TB, svc *invite.Service) (context.Context, *invite.Company) {
	t.Helper()
	ctx := context.Background()
	root, created, err := svc.Bootstrap(ctx, "root@example.com", password)
	if err != nil || !created {
		t.Fatalf("Bootstrap: created %v, err %v", created, err)
	}
	global := invite.NewContext(ctx, root)
	c, err := svc.RegisterCompany(global, invite.CompanyInput{
		Name:          "Acme",
		Subscriptions: []string{"App Designer", "Data Stream Designer"},
		BusinessRoles: []string{"Plant Operator"},
	})
	if err != nil {
		t.Fatalf("RegisterCompany: %v", err)
	}
	return global, c
}

// invitationInput invites email into c as a viewer of its first
// subscription.
func invitationInput(c *invite.Company, email string) invite.InvitationInput {
	return invite.InvitationInput{
		CompanyID:      c.ID,
		Email:          email,
		FirstName:      "Grace",
		LastName:       "Hopper",
		BusinessRoleID: c.BusinessRoles[0].ID,
		Grants:         []invite.Grant{{SubscriptionID: c.Subscriptions[0].ID, Role: invite.RoleViewer}},
	}
}

func acceptInput(token string) invite.AcceptInput {
	return invite.AcceptInput{Token: token, Password: password, FirstName: "Grace", LastName: "Hopper", AcceptTerms: true}
}

// wantErr fails the test unless err is want (by code and reason).
func wantErr(t testing.TB, err error, want *invite.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v (code %q), want %s (%s)", err, invite.ErrorCode(err), want.Reason, want.Code)
	}
}

// The whole lifecycle of an invitation, through the service: invite, mail,
// resend, accept, log in, and cancel another.
func TestLifecycle(t *testing.T) {
	svc, clk := service(memstore.New(), false)
	global, c := bootstrap(t, svc)
	ctx := context.Background()
	mailer := new(recorder)

	inv, token, err := svc.Invite(global, invitationInput(c, "Grace@Example.com"))
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	if inv.Email != "grace@example.com" || inv.Status != invite.StatusPending || inv.Delivery == nil || inv.Delivery.State != invite.DeliveryQueued {
		t.Fatalf("Invite: got %+v, want a pending invitation to grace@example.com whose mail is queued", inv)
	}
	if n, err := svc.DeliverOutbox(ctx, mailer); n != 1 || err != nil {
		t.Fatalf("DeliverOutbox: got %d, %v; want 1, nil", n, err)
	}
	if got := tokenIn(t, mailer.last(t)); got != token {
		t.Fatalf("the mailed token is %q, want %q", got, token)
	}
	got, err := svc.Invitation(global, inv.ID)
	if err != nil || got.Delivery == nil || got.Delivery.State != invite.DeliverySent || got.Delivery.Attempts != 1 {
		t.Fatalf("Invitation: got %+v, %v; want its mail sent at the first attempt", got, err)
	}

	clk.Add(time.Hour)
	if _, _, err := svc.Resend(global, inv.ID, nil); err != nil {
		t.Fatalf("Resend: %v", err)
	}
	if n, err := svc.DeliverOutbox(ctx, mailer); n != 1 || err != nil {
		t.Fatalf("DeliverOutbox after Resend: got %d, %v; want 1, nil", n, err)
	}
	_, err = svc.Accept(ctx, acceptInput(token))
	wantErr(t, err, invite.ErrInvitationNotFound) // the first link is superseded

	u, err := svc.Accept(ctx, acceptInput(tokenIn(t, mailer.last(t))))
	if err != nil {
		t.Fatalf("Accept: %v", err)
	}
	if u.CompanyID != c.ID || u.Email != "grace@example.com" || len(u.Grants) != 1 || u.Grants[0].Role != invite.RoleViewer {
		t.Errorf("Accept: got user %+v, want the invitation's details", u)
	}
	_, err = svc.Accept(ctx, acceptInput(tokenIn(t, mailer.last(t))))
	wantErr(t, err, invite.ErrInvitationAccepted)

	in, session, err := svc.Login(ctx, "grace@example.com", password)
	if err != nil || in.ID != u.ID {
		t.Fatalf("Login: got %+v, %v; want user %d", in, err, u.ID)
	}
	if su, err := svc.SessionUser(ctx, session); err != nil || su.ID != u.ID || su.PasswordHash != "" {
		t.Fatalf("SessionUser: got %+v, %v; want user %d without password hash", su, err, u.ID)
	}
	clk.Add(invite.SessionTTL)
	_, err = svc.SessionUser(ctx, session)
	wantErr(t, err, invite.ErrUnauthorized)

	other, otherToken, err := svc.Invite(global, invitationInput(c, "alan@example.com"))
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	if canceled, err := svc.Cancel(global, other.ID); err != nil || canceled.Status != invite.StatusCanceled {
		t.Fatalf("Cancel: got %+v, %v; want it canceled", canceled, err)
	}
	_, err = svc.Accept(ctx, acceptInput(otherToken))
	wantErr(t, err, invite.ErrInvitationCanceled)
}

// Many goroutines doing one thing at once leave what one would.
func TestConcurrency(t *testing.T) {
	t.Run("Invite", func(t *testing.T) {
		svc, _ := service(memstore.New(), true)
		global, c := bootstrap(t, svc)
		errs := invitetest.Parallel(50, func(int) error {
			_, _, err := svc.Invite(global, invitationInput(c, "grace@example.com"))
			return err
		})
		if got := invitetest.Tally(errs); got[""] != 1 || got[invite.ErrInvitationPending.Reason] != 49 {
			t.Fatalf("got outcomes %v, want 1 success and 49 %s", got, invite.ErrInvitationPending.Reason)
		}
	})
	t.Run("Accept", func(t *testing.T) {
		st := memstore.New()
		svc, _ := service(st, true)
		global, c := bootstrap(t, svc)
		_, token, err := svc.Invite(global, invitationInput(c, "grace@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		errs := invitetest.Parallel(20, func(int) error {
			_, err := svc.Accept(context.Background(), acceptInput(token))
			return err
		})
		if got := invitetest.Tally(errs); got[""] != 1 || got[invite.ErrInvitationAccepted.Reason] != 19 {
			t.Errorf("got outcomes %v, want 1 success and 19 %s", got, invite.ErrInvitationAccepted.Reason)
		}
		users, err := st.Users(context.Background(), invite.UserQuery{Search: "grace@example.com"})
		if err != nil || len(users) != 1 {
			t.Errorf("got users %v, %v; want one", users, err)
		}
	})
	t.Run("ClaimMessages", func(t *testing.T) {
		st := memstore.New()
		const n = 100
		msgs := make([]*invite.Message, n)
		for i := range msgs {
			msgs[i] = message(fmt.Sprint(i), start)
		}
		mustDo(t, st.Enqueue(context.Background(), msgs))
		claimed := make([][]*invite.Message, 30)
		invitetest.Parallel(len(claimed), func(i int) error {
			var err error
			claimed[i], err = st.ClaimMessages(context.Background(), start, start.Add(time.Minute), 4)
			return err
		})
		seen := map[int64]int{}
		for _, ms := range claimed {
			for _, m := range ms {
				seen[m.ID]++
			}
		}
		for id, times := range seen {
			if times != 1 {
				t.Errorf("message %d was claimed %d times", id, times)
			}
		}
		if len(seen) != n {
			t.Errorf("got %d messages claimed, want %d", len(seen), n)
		}
	})
	t.Run("UpdateLimits", func(t *testing.T) {
		st := memstore.New()
		key := [][]byte{hashOf(1)}
		invitetest.Parallel(100, func(int) error {
			return st.UpdateLimits(context.Background(), key, func(tats []time.Time) ([]time.Time, error) {
				return []time.Time{tats[0].Add(time.Second)}, nil
			})
		})
		var got time.Time
		mustDo(t, st.UpdateLimits(context.Background(), key, func(tats []time.Time) ([]time.Time, error) {
			got = tats[0]
			return tats, nil
		}))
		if want := (time.Time{}).Add(100 * time.Second); !got.Equal(want) {
			t.Errorf("got %v, want %v: updates were lost", got, want)
		}
	})
}

var errTest = errors.New("test error")

func TestInTx(t *testing.T) {
	ctx := context.Background()
	t.Run("Commit", func(t *testing.T) {
		st, w := newWorld(t)
		err := st.InTx(ctx, func(tx invite.Store) error {
			if err := tx.CreateUser(ctx, w.user("a@example.com")); err != nil {
				return err
			}
			// The transaction reads what it wrote.
			_, err := tx.UserByEmail(ctx, "a@example.com")
			return err
		})
		mustDo(t, err)
		if _, err := st.UserByEmail(ctx, "a@example.com"); err != nil {
			t.Errorf("after commit: %v", err)
		}
	})
	t.Run("Rollback", func(t *testing.T) {
		st, w := newWorld(t)
		before := snapshot(t, st)
		err := st.InTx(ctx, func(tx invite.Store) error {
			mustDo(t, tx.CreateUser(ctx, w.user("a@example.com")))
			mustDo(t, tx.CreateInvitation(ctx, w.invitation("b@example.com", 1), message("m", start)))
			mustDo(t, tx.SetJoinKey(ctx, w.c.ID, hashOf(9)))
			return errTest
		})
		if err != errTest {
			t.Fatalf("got %v, want fn's error as it is", err)
		}
		if after := snapshot(t, st); !reflect.DeepEqual(before, after) {
			t.Errorf("a rolled back transaction changed the store:\n%+v\n->\n%+v", before, after)
		}
		// IDs given in a rolled back transaction are given again.
		u := w.user("c@example.com")
		mustDo(t, st.CreateUser(ctx, u))
		if u.ID != w.admin.ID+1 {
			t.Errorf("got user ID %d, want %d", u.ID, w.admin.ID+1)
		}
	})
	t.Run("Panic", func(t *testing.T) {
		st, w := newWorld(t)
		before := snapshot(t, st)
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("the panic did not reach InTx's caller")
				}
			}()
			_ = st.InTx(ctx, func(tx invite.Store) error {
				mustDo(t, tx.CreateUser(ctx, w.user("a@example.com")))
				panic("test panic")
			})
		}()
		if after := snapshot(t, st); !reflect.DeepEqual(before, after) {
			t.Errorf("a transaction that panicked changed the store")
		}
		if _, err := st.HasUsers(ctx); err != nil { // and let go of it
			t.Fatal(err)
		}
	})
	t.Run("Nested", func(t *testing.T) {
		st, w := newWorld(t)
		err := st.InTx(ctx, func(tx invite.Store) error {
			mustDo(t, tx.InTx(ctx, func(inner invite.Store) error {
				return inner.CreateUser(ctx, w.user("inner@example.com"))
			}))
			// The inner transaction is the outer one: its change is seen,
			// and goes with the outer rollback.
			if _, err := tx.UserByEmail(ctx, "inner@example.com"); err != nil {
				t.Errorf("the outer transaction does not see the inner one's change: %v", err)
			}
			err := tx.InTx(ctx, func(inner invite.Store) error {
				mustDo(t, inner.CreateUser(ctx, w.user("kept@example.com")))
				return errTest
			})
			if err != errTest {
				t.Errorf("inner InTx: got %v, want fn's error", err)
			}
			// As in package store, what a failed inner function did stays
			// in the transaction until the outer one ends.
			if _, err := tx.UserByEmail(ctx, "kept@example.com"); err != nil {
				t.Errorf("the failed inner function's change is gone: %v", err)
			}
			return errTest
		})
		if err != errTest {
			t.Fatalf("got %v, want fn's error", err)
		}
		for _, email := range []string{"inner@example.com", "kept@example.com"} {
			_, err := st.UserByEmail(ctx, email)
			wantErr(t, err, invite.ErrUserNotFound)
		}
	})
	t.Run("MethodsStayAtomic", func(t *testing.T) {
		// A method that fails within a transaction undoes its own
		// changes; the transaction goes on.
		st, w := newWorld(t)
		mustDo(t, st.InTx(ctx, func(tx invite.Store) error {
			mustDo(t, tx.CreateUser(ctx, w.user("a@example.com")))
			msgs := []*invite.Message{message("new", start), message("new", start)} // one Message-ID twice
			if err := tx.Enqueue(ctx, msgs); invite.ErrorCode(err) != invite.CodeInternal {
				t.Errorf("Enqueue: got %v, want an internal error", err)
			}
			got, err := tx.Messages(ctx, invite.MessageQuery{})
			if err != nil || len(got) != 0 {
				t.Errorf("the failed Enqueue left %d messages, %v", len(got), err)
			}
			return nil
		}))
		if _, err := st.UserByEmail(ctx, "a@example.com"); err != nil {
			t.Errorf("the transaction's own change is gone: %v", err)
		}
	})
	t.Run("CallbackError", func(t *testing.T) {
		st, w := newWorld(t)
		before := snapshot(t, st)
		err := st.InTx(ctx, func(tx invite.Store) error {
			mustDo(t, tx.CreateUser(ctx, w.user("a@example.com")))
			_, err := tx.UpdateUser(ctx, w.admin.ID, func(u *invite.User, _ int) error {
				u.FirstName = "Changed"
				return errTest
			})
			return err
		})
		if err != errTest {
			t.Fatalf("got %v, want the callback's error as it is", err)
		}
		if after := snapshot(t, st); !reflect.DeepEqual(before, after) {
			t.Errorf("the callback's error did not roll the transaction back")
		}
	})
	t.Run("CallbackUsesTransaction", func(t *testing.T) {
		st, w := newWorld(t)
		mustDo(t, st.InTx(ctx, func(tx invite.Store) error {
			_, err := tx.UpdateUser(ctx, w.admin.ID, func(u *invite.User, _ int) error {
				c, err := tx.Company(ctx, u.CompanyID)
				if err != nil {
					return err
				}
				u.Department = c.Name
				return nil
			})
			return err
		}))
		if u, err := st.User(ctx, w.admin.ID); err != nil || u.Department != w.c.Name {
			t.Errorf("got %+v, %v; want department %q", u, err, w.c.Name)
		}
	})
	t.Run("HoldsTheStore", func(t *testing.T) {
		st, w := newWorld(t)
		mustDo(t, st.InTx(ctx, func(tx invite.Store) error {
			mustDo(t, tx.CreateUser(ctx, w.user("a@example.com")))
			// Another caller waits for the transaction: it sees nothing
			// of it, and gives up when its context ends.
			waiting, cancel := context.WithCancel(ctx)
			done := make(chan error)
			go func() {
				_, err := st.UserByEmail(waiting, "a@example.com")
				done <- err
			}()
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("a call outside the transaction: got %v, want context.Canceled", err)
			}
			return nil
		}))
	})
	t.Run("EndsWithInTx", func(t *testing.T) {
		st, _ := newWorld(t)
		var kept invite.Store
		mustDo(t, st.InTx(ctx, func(tx invite.Store) error {
			kept = tx
			return nil
		}))
		if _, err := kept.HasUsers(ctx); invite.ErrorCode(err) != invite.CodeInternal {
			t.Errorf("a transaction's Store used after InTx: got %v, want an internal error", err)
		}
	})
}

// A context that is done stops every method before it starts.
func TestContextDone(t *testing.T) {
	st, w := newWorld(t)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]func(ctx context.Context, st invite.Store) error{
		"InTx": func(ctx context.Context, st invite.Store) error {
			return st.InTx(ctx, func(invite.Store) error { return nil })
		},
		"CreateUser": func(ctx context.Context, st invite.Store) error {
			return st.CreateUser(ctx, w.user("a@example.com"))
		},
		"User": func(ctx context.Context, st invite.Store) error {
			_, err := st.User(ctx, w.admin.ID)
			return err
		},
		"UpdateUser": func(ctx context.Context, st invite.Store) error {
			_, err := st.UpdateUser(ctx, w.admin.ID, func(*invite.User, int) error { return nil })
			return err
		},
		"CreateInvitation": func(ctx context.Context, st invite.Store) error {
			return st.CreateInvitation(ctx, w.invitation("a@example.com", 1), nil)
		},
		"ClaimMessages": func(ctx context.Context, st invite.Store) error {
			_, err := st.ClaimMessages(ctx, start, start, 1)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			if err := call(done, st); !errors.Is(err, context.Canceled) {
				t.Errorf("got %v, want context.Canceled", err)
			}
			err := st.InTx(context.Background(), func(tx invite.Store) error { return call(done, tx) })
			if !errors.Is(err, context.Canceled) {
				t.Errorf("within InTx: got %v, want context.Canceled", err)
			}
		})
	}
	if _, err := st.UserByEmail(context.Background(), "a@example.com"); !errors.Is(err, invite.ErrUserNotFound) {
		t.Errorf("a call with a done context changed the store: %v", err)
	}
}

// What goes in is copied, and what comes out is a copy: changing either
// afterwards changes nothing kept.
func TestNoAliasing(t *testing.T) {
	ctx := context.Background()
	st, w := newWorld(t)
	inv := w.invitation("a@example.com", 1)
	mustDo(t, st.CreateInvitation(ctx, inv, message("m", start)))
	mustDo(t, st.CreateSession(ctx, &invite.Session{TokenHash: hashOf(2), UserID: w.admin.ID, ExpiresAt: start.Add(time.Hour)}))
	mustDo(t, st.SetMailTemplate(ctx, w.c.ID, "en", invite.Template{Subject: "S", Body: "B"}, start))

	// Each case changes a value that went in or came out.
	tests := map[string]func(t *testing.T){
		"CreateCompany": func(*testing.T) {
			w.c.Subscriptions[0].Name, w.c.BusinessRoles[0].Name = "Changed", "Changed"
		},
		"CreateUser": func(*testing.T) { w.admin.Grants[0].Role = invite.RoleViewer },
		"CreateInvitation": func(*testing.T) {
			inv.Grants[0].Role = invite.RoleAdministrator
			inv.TokenHash[0]++
			inv.Delivery.State = invite.DeliveryFailed
		},
		"Company": func(t *testing.T) {
			c, err := st.Company(ctx, w.c.ID)
			mustDo(t, err)
			c.Subscriptions[0].Name, c.BusinessRoles[0].Name = "Changed", "Changed"
		},
		"Companies": func(t *testing.T) {
			cs, err := st.Companies(ctx)
			mustDo(t, err)
			cs[0].Subscriptions[0].Name = "Changed"
		},
		"User": func(t *testing.T) {
			u, err := st.User(ctx, w.admin.ID)
			mustDo(t, err)
			u.Grants[0].Role = invite.RoleViewer
		},
		"Users": func(t *testing.T) {
			us, err := st.Users(ctx, invite.UserQuery{})
			mustDo(t, err)
			us[0].Grants[0].Role = invite.RoleViewer
		},
		"SessionUser": func(t *testing.T) {
			u, err := st.SessionUser(ctx, hashOf(2), start)
			mustDo(t, err)
			u.Grants[0].Role = invite.RoleViewer
		},
		"Invitation": func(t *testing.T) {
			got, err := st.Invitation(ctx, inv.ID)
			mustDo(t, err)
			got.Grants[0].Role, got.TokenHash[0], got.Delivery.State = invite.RoleAdministrator, 0, invite.DeliveryFailed
		},
		"Invitations": func(t *testing.T) {
			got, err := st.Invitations(ctx, invite.InvitationQuery{Now: start})
			mustDo(t, err)
			got[0].Grants[0].Role, got[0].TokenHash[0] = invite.RoleAdministrator, 0
		},
		"UpdateUser": func(t *testing.T) {
			var given *invite.User
			got, err := st.UpdateUser(ctx, w.admin.ID, func(u *invite.User, _ int) error {
				given = u
				return nil
			})
			mustDo(t, err)
			given.Grants[0].Role, got.FirstName = invite.RoleViewer, "Changed"
		},
		"UpdateInvitation": func(t *testing.T) {
			var given *invite.Invitation
			got, err := st.UpdateInvitation(ctx, inv.ID, func(inv *invite.Invitation) (*invite.Message, error) {
				given = inv
				return nil, nil
			})
			mustDo(t, err)
			given.Grants[0].Role, given.TokenHash[0], got.Email = invite.RoleAdministrator, 0, "changed@example.com"
		},
		"MailTemplates": func(t *testing.T) {
			ts, err := st.MailTemplates(ctx, w.c.ID)
			mustDo(t, err)
			ts["en"] = invite.Template{Subject: "Changed", Body: "Changed"}
			ts["fr"] = invite.Template{Subject: "Added", Body: "Added"}
		},
		"Messages": func(t *testing.T) {
			ms, err := st.Messages(ctx, invite.MessageQuery{})
			mustDo(t, err)
			ms[0].Subject = "Changed"
		},
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			before := snapshot(t, st)
			change(t)
			if after := snapshot(t, st); !reflect.DeepEqual(before, after) {
				t.Errorf("changing a value changed the store:\n%+v\n->\n%+v", before, after)
			}
		})
	}
}

// state is what a Store keeps, as its methods read it.
type state struct {
	Companies   []*invite.Company
	Users       []*invite.User
	Invitations []*invite.Invitation
	Messages    []*invite.Message
	Templates   map[string]invite.Template
	JoinKey     bool
	Session     bool
}

// snapshot reads everything the tests of this file write.
func snapshot(t testing.TB, st invite.Store) state {
	t.Helper()
	ctx := context.Background()
	var s state
	var err error
	if s.Companies, err = st.Companies(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Users, err = st.Users(ctx, invite.UserQuery{}); err != nil {
		t.Fatal(err)
	}
	if s.Invitations, err = st.Invitations(ctx, invite.InvitationQuery{Now: start}); err != nil {
		t.Fatal(err)
	}
	if s.Messages, err = st.Messages(ctx, invite.MessageQuery{}); err != nil {
		t.Fatal(err)
	}
	if len(s.Companies) > 0 {
		if s.Templates, err = st.MailTemplates(ctx, s.Companies[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	_, err = st.CompanyByJoinKey(ctx, hashOf(9))
	s.JoinKey = err == nil
	_, err = st.SessionUser(ctx, hashOf(2), start)
	s.Session = err == nil
	return s
}

// world is a store with one company, Acme, with two subscriptions and two
// business roles, and its Company Administrator, made through the Store
// alone.
type world struct {
	c     *invite.Company
	admin *invite.User
}

func newWorld(t testing.TB) (*memstore.Store, *world) {
	t.Helper()
	st := memstore.New()
	w := &world{c: &invite.Company{
		Name:            "Acme",
		DefaultLanguage: "en",
		TimeZone:        "UTC",
		CreatedAt:       start,
		Subscriptions:   []invite.Subscription{{Name: "App Designer"}, {Name: "Data Stream Designer"}},
		BusinessRoles:   []invite.BusinessRole{{Name: "Plant Operator"}, {Name: "Maintenance Engineer"}},
	}}
	mustDo(t, st.CreateCompany(context.Background(), w.c))
	w.admin = w.user("admin@example.com")
	w.admin.AdminLevel = invite.AdminCompany
	w.admin.Grants = []invite.Grant{{SubscriptionID: w.c.Subscriptions[0].ID, Role: invite.RoleAdministrator}}
	mustDo(t, st.CreateUser(context.Background(), w.admin))
	return st, w
}

// user returns a new user of the company, not yet stored.
func (w *world) user(email string) *invite.User {
	return &invite.User{
		CompanyID: w.c.ID, Email: email, FirstName: "Grace", LastName: "Hopper",
		BusinessRoleID: w.c.BusinessRoles[0].ID, Language: "en", TimeZone: "UTC",
		AdminLevel: invite.AdminNone, PasswordHash: "hash", CreatedAt: start,
	}
}

// invitation returns a new pending invitation of the company to email,
// sent by the administrator at start, whose token hash is made of token.
func (w *world) invitation(email string, token byte) *invite.Invitation {
	return &invite.Invitation{
		CompanyID: w.c.ID, Email: email, FirstName: "Grace", LastName: "Hopper",
		BusinessRoleID: w.c.BusinessRoles[0].ID, Language: "en", TimeZone: "UTC", AdminLevel: invite.AdminNone,
		Grants:    []invite.Grant{{SubscriptionID: w.c.Subscriptions[0].ID, Role: invite.RoleViewer}},
		InvitedBy: w.admin.ID, LastSentBy: w.admin.ID, TokenHash: hashOf(token), Status: invite.StatusPending,
		CreatedAt: start, ExpiresAt: start.Add(invite.DefaultTTL), TimesSent: 1, LastSentAt: start,
	}
}

// message returns a queued message with the given Message-ID, due at due.
func message(id string, due time.Time) *invite.Message {
	return &invite.Message{
		Kind: invite.KindInvitation, MessageID: "<" + id + "@example.com>", To: "someone@example.com",
		Subject: "Subject", Text: "Text", State: invite.DeliveryQueued, NextAttemptAt: due, CreatedAt: due,
	}
}

// hashOf returns a SHA-256-sized hash made of b.
func hashOf(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func mustDo(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
