package invitetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// batchRows returns n valid inputs into c.
func (f *fixture) batchRows(c *invite.Company, n int) []invite.InvitationInput {
	rows := make([]invite.InvitationInput, n)
	for i := range rows {
		rows[i] = f.Input(c)
	}
	return rows
}

// wantRows fails unless each result's error is the reason in want ("" for
// none), by row.
func wantRows(t *testing.T, res []invite.RowResult, want []string) {
	t.Helper()
	if len(res) != len(want) {
		t.Fatalf("got %d results, want %d", len(res), len(want))
	}
	for i, r := range res {
		if r.Index != i {
			t.Fatalf("result %d: got Index %d", i, r.Index)
		}
		got := ""
		if e, ok := errors.AsType[*invite.Error](r.Err); ok {
			got = e.Reason
			if len(e.Fields) > 0 {
				got = e.Fields[0].Field + ":" + e.Fields[0].Reason
			}
		} else if r.Err != nil {
			got = r.Err.Error()
		}
		if got != want[i] {
			t.Errorf("row %d: got %q, want %q", i, got, want[i])
		}
	}
}

// A dry run checks each row as Invite would, and the rows against each
// other, and writes nothing; sending then makes the valid rows.
func testBatchDryRun(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	pending, _ := f.invite(t, f.A)
	member := f.Member(t, f.A, invite.AdminNone)
	rows := f.batchRows(f.A, 9)
	rows[1].Email = "not an address"
	rows[2].Email = strings.ToUpper(rows[0].Email) // the same as row 0's
	rows[3].Email = pending.Email
	rows[4].Email = member.Email
	rows[5].FirstName = "=HYPERLINK(\"http://evil\")"
	rows[6].Preset = "Nope"
	rows[7].Grants = []invite.Grant{{SubscriptionID: 999999, Role: invite.RoleViewer}}
	rows[8].BusinessRoleID = f.B.BusinessRoles[0].ID
	want := []string{"", "email:invalid_email", "email:" + invite.ReasonDuplicateInBatch, "email:invitation_pending",
		"email:user_exists", "first_name:" + invite.ReasonFormula, "preset:" + invite.ReasonUnknownPreset,
		"grants[0].subscription:unknown_subscription", "business_role:unknown_business_role"}
	invs, msgs := f.invitations(t, nil), f.messages(t, nil)
	res, err := f.Service.InviteMany(f.AdminA, rows, true, invite.SourceLines([]int{2, 3, 4, 5, 6, 7, 8, 9, 10}))
	if err != nil {
		t.Fatal(err)
	}
	wantRowsLoose(t, res, want)
	if fe, _ := res[2].Err.(*invite.Error).Field("email"); fe.Args["Line"] != 2 {
		t.Errorf("duplicate: got Args %v, want the line of row 0, 2", fe.Args)
	}
	if res[0].Invitation == nil || res[0].Invitation.Email != strings.ToLower(rows[0].Email) || res[0].Token != "" {
		t.Errorf("dry run row 0: got %+v, want the invitation to make, without token", res[0])
	}
	if n, m := f.invitations(t, nil), f.messages(t, nil); n != invs || m != msgs {
		t.Fatalf("dry run wrote: %d invitations and %d messages, want %d and %d", n, m, invs, msgs)
	}
	// Valid rows only: row 0 is sent, the others keep their reasons.
	res, err = f.Service.InviteMany(f.AdminA, rows, false)
	if err != nil {
		t.Fatal(err)
	}
	wantRowsLoose(t, res, want)
	if res[0].Invitation == nil || res[0].Invitation.ID == 0 || res[0].Token == "" {
		t.Fatalf("row 0: got %+v, want an invitation with its token", res[0])
	}
	if n, m := f.invitations(t, nil)-invs, f.messages(t, nil)-msgs; n != 1 || m != 1 {
		t.Fatalf("sent %d invitations and %d messages, want 1 and 1", n, m)
	}
	if _, err := f.Service.Accept(context.Background(), acceptInput(res[0].Token)); err != nil {
		t.Fatalf("accepting a row's invitation: %v", err)
	}
	// The whole call's errors.
	_, err = f.Service.InviteMany(f.AdminA, nil, true)
	wantErr(t, err, invite.ErrBatchEmpty)
	_, err = f.Service.InviteMany(f.AdminA, make([]invite.InvitationInput, invite.MaxBatchRows+1), true)
	wantErr(t, err, invite.ErrBatchTooLarge)
	_, err = f.Service.InviteMany(f.AdminA, f.batchRows(f.B, 1), true)
	wantErr(t, err, invite.ErrCompanyNotFound)
	mixed := append(f.batchRows(f.A, 1), f.batchRows(f.B, 1)...)
	_, err = f.Service.InviteMany(f.Global, mixed, true)
	wantField(t, err, "company", invite.ReasonOtherCompany)
}

// wantRowsLoose is wantRows, but for a row whose field error is deeper
// than the field (grants[0].subscription): its first field error's
// field and reason.
func wantRowsLoose(t *testing.T, res []invite.RowResult, want []string) {
	t.Helper()
	wantRows(t, res, want)
}

// All or none sends nothing while a row is invalid, and says which rows
// would have been sent.
func testBatchAllOrNone(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	rows := f.batchRows(f.A, 3)
	rows[1].LastName = ""
	invs := f.invitations(t, nil)
	res, err := f.Service.InviteMany(f.AdminA, rows, false, invite.AllOrNone())
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, res, []string{invite.ErrBatchNotSent.Reason, "last_name:required", invite.ErrBatchNotSent.Reason})
	if n := f.invitations(t, nil) - invs; n != 0 {
		t.Fatalf("all or none with an invalid row sent %d", n)
	}
	rows[1].LastName = "Lovelace"
	res, err = f.Service.InviteMany(f.AdminA, rows, false, invite.AllOrNone())
	if err != nil {
		t.Fatal(err)
	}
	wantRows(t, res, []string{"", "", ""})
	if n := f.invitations(t, nil) - invs; n != 3 {
		t.Fatalf("all or none, all valid: sent %d, want 3", n)
	}
}

// A second call with the same key sends nothing again and returns the
// first one's outcome; another administrator's key is theirs.
func testBatchKey(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	rows := f.batchRows(f.A, 5)
	first, err := f.Service.InviteMany(f.AdminA, rows, false, invite.BatchKey("upload-1"))
	if err != nil {
		t.Fatal(err)
	}
	invs, msgs := f.invitations(t, nil), f.messages(t, nil)
	again, err := f.Service.InviteMany(f.AdminA, rows, false, invite.BatchKey("upload-1"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range first {
		if again[i].Err != nil || again[i].Invitation == nil || again[i].Invitation.ID != first[i].Invitation.ID || again[i].Token != "" {
			t.Fatalf("row %d again: got %+v, want the first call's invitation %d without token", i, again[i], first[i].Invitation.ID)
		}
	}
	if n, m := f.invitations(t, nil), f.messages(t, nil); n != invs || m != msgs {
		t.Fatalf("the same key again wrote %d invitations and %d messages", n-invs, m-msgs)
	}
	// Many at once with one key: one batch, each row sent once.
	rows = f.batchRows(f.A, 20)
	errs := Parallel(8, func(int) error {
		_, err := f.Service.InviteMany(f.AdminA, rows, false, invite.BatchKey("upload-2"))
		return err
	})
	if got := Tally(errs); got[""] != 8 {
		t.Fatalf("8 calls with one key: got %v, want 8 answered", got)
	}
	if n := f.invitations(t, nil) - invs; n != 20 {
		t.Fatalf("8 calls with one key of 20 rows made %d invitations, want 20", n)
	}
}

// A batch confirmed many times at once, with many workers, sends each row
// once; a page that confirms again lands on the same batch.
func testBatchConcurrentConfirm(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	rows := f.batchRows(f.A, 250)
	base, baseMsgs := f.invitations(t, nil), f.messages(t, nil)
	b, err := f.Service.PrepareBatch(f.AdminA, rows)
	if err != nil {
		t.Fatal(err)
	}
	if b.State != invite.BatchChecked || len(b.Outcomes) != 250 {
		t.Fatalf("prepared: got state %s with %d outcomes", b.State, len(b.Outcomes))
	}
	if n := f.invitations(t, nil); n != base {
		t.Fatalf("a prepared batch wrote invitations: %d", n)
	}
	other := invite.NewService(f.Store, invite.Config{Now: f.Clock.Now})
	errs := Parallel(16, func(i int) error {
		svc := f.Service
		if i%2 == 1 {
			svc = other
		}
		if i%4 < 2 {
			_, err := svc.ConfirmBatch(f.AdminA, b.ID, false)
			return err
		}
		_, err := svc.RunBatches(context.Background())
		return err
	})
	if got := Tally(errs); got[""] != 16 {
		t.Fatalf("confirms and workers at once: got %v", got)
	}
	if _, err := f.Service.RunBatches(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err = f.Service.Batch(f.AdminA, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, invalid, sent := b.Counts(); b.State != invite.BatchDone || sent != 250 || invalid != 0 {
		t.Fatalf("got state %s, %d sent, %d refused; want done, 250, 0", b.State, sent, invalid)
	}
	if n := f.invitations(t, nil) - base; n != 250 {
		t.Fatalf("made %d invitations, want 250", n)
	}
	if n := f.messages(t, nil) - baseMsgs; n != 250 {
		t.Fatalf("outbox got %d messages, want 250", n)
	}
	// Confirming again changes nothing; another company's administrator
	// does not see it.
	if b2, err := f.Service.ConfirmBatch(f.AdminA, b.ID, true); err != nil || b2.State != invite.BatchDone || b2.AllOrNone {
		t.Fatalf("confirm again: got %+v, %v", b2, err)
	}
	_, err = f.Service.Batch(f.AdminB, b.ID)
	wantErr(t, err, invite.ErrBatchNotFound)
	_, err = f.Service.ConfirmBatch(f.AdminB, b.ID, false)
	wantErr(t, err, invite.ErrBatchNotFound)
	// It is listed, newest first, to A's administrators, and not to B's.
	ofB, err := f.Service.PrepareBatch(f.Global, f.batchRows(f.B, 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want []int64
	}{{"A", f.AdminA, []int64{b.ID}}, {"B", f.AdminB, []int64{ofB.ID}}, {"Global", f.Global, []int64{ofB.ID, b.ID}}} {
		bs, err := f.Service.Batches(tc.ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, x := range bs {
			got = append(got, x.ID)
			if len(x.Rows) != 0 || len(x.Outcomes) == 0 {
				t.Errorf("%s: batch %d listed with %d rows and %d outcomes, want none and its outcomes", tc.name, x.ID, len(x.Rows), len(x.Outcomes))
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: Batches got %v, want %v", tc.name, got, tc.want)
		}
	}
	_, err = f.Service.Batches(f.AdminA, f.B.ID, 0)
	wantErr(t, err, invite.ErrCompanyNotFound)
}

// A send stopped after its first chunk (the process died) is finished by
// the next claim once its claim lapses: every row once, no mail twice.
func testBatchResume(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	rows := f.batchRows(f.A, 250)
	base, baseMsgs := f.invitations(t, nil), f.messages(t, nil)
	ctx, cancel := context.WithCancel(f.AdminA)
	defer cancel()
	var seen []int
	_, err := f.Service.InviteMany(ctx, rows, false, invite.OnProgress(func(done, total int) {
		seen = append(seen, done)
		if total != 250 {
			t.Errorf("progress total: got %d, want 250", total)
		}
		cancel()
	}))
	if err == nil {
		t.Fatal("a send whose context ended: got no error")
	}
	if len(seen) != 1 || seen[0] != 100 {
		t.Fatalf("progress: got %v, want [100]", seen)
	}
	if n := f.invitations(t, nil) - base; n != 100 {
		t.Fatalf("after the first chunk: %d invitations, want 100", n)
	}
	// Its claim holds: no other worker takes it yet.
	if n, err := f.Service.RunBatches(context.Background()); err != nil || n != 0 {
		t.Fatalf("RunBatches while claimed: %d, %v", n, err)
	}
	f.Clock.Add(3 * time.Minute)
	if n, err := f.Service.RunBatches(context.Background()); err != nil || n != 1 {
		t.Fatalf("RunBatches once the claim lapsed: %d, %v; want 1 finished", n, err)
	}
	if n := f.invitations(t, nil) - base; n != 250 {
		t.Fatalf("resumed: %d invitations, want 250", n)
	}
	if n := f.messages(t, nil) - baseMsgs; n != 250 {
		t.Fatalf("resumed: %d messages, want 250", n)
	}
	per := map[string]int{}
	invs, err := f.Store.Invitations(context.Background(), invite.InvitationQuery{CompanyID: f.A.ID, Limit: all})
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range invs {
		if per[inv.Email]++; per[inv.Email] > 1 {
			t.Fatalf("%s invited twice", inv.Email)
		}
	}
}

// The rows sent in bulk are bounded per administrator, a batch all at
// once, in place of the bound on single invitations; each row keeps its
// address's bound.
func testBatchRowsLimit(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	f.Service = invite.NewService(f.Store, invite.Config{Now: f.Clock.Now, Limits: invite.Limits{
		Invitations: invite.Rate{Count: 2, Per: time.Hour},
		BatchRows:   invite.Rate{Count: 10, Per: 24 * time.Hour},
	}})
	if _, err := f.Service.InviteMany(f.AdminA, f.batchRows(f.A, 6), false); err != nil {
		t.Fatalf("6 rows, past the bound on single invitations: %v", err)
	}
	_, err := f.Service.InviteMany(f.AdminA, f.batchRows(f.A, 5), false)
	wantErr(t, err, invite.ErrTooManyBatchRows)
	if fe, _ := err.(*invite.Error).Field("rows"); fmt.Sprint(fe.Args["Rows"], fe.Args["Left"]) != "5 4" {
		t.Fatalf("got Args %v, want 5 rows and 4 left", fe.Args)
	}
	// Refused rows take nothing: 4 valid and 2 refused fit the 4 left.
	rows := f.batchRows(f.A, 6)
	rows[0].Email, rows[1].LastName = "nobody", ""
	if _, err := f.Service.InviteMany(f.AdminA, rows, false); err != nil {
		t.Fatalf("the 4 left: %v", err)
	}
	_, err = f.Service.InviteMany(f.AdminA, f.batchRows(f.A, 1), false)
	wantErr(t, err, invite.ErrTooManyBatchRows)
	// The same address twice in a minute, in two batches: the second is
	// refused at its row.
	f.Clock.Add(24 * time.Hour)
	row := f.Input(f.A)
	if _, err := f.Service.InviteMany(f.AdminA, []invite.InvitationInput{row}, false); err != nil {
		t.Fatal(err)
	}
	invs, _ := f.Store.Invitations(context.Background(), invite.InvitationQuery{CompanyID: f.A.ID, PendingEmail: strings.ToLower(row.Email), Limit: 1})
	if _, err := f.Service.Cancel(f.AdminA, invs[0].ID); err != nil {
		t.Fatal(err)
	}
	res, err := f.Service.InviteMany(f.AdminA, []invite.InvitationInput{row}, false)
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, res[0].Err, invite.ErrTooManyMails)
}
