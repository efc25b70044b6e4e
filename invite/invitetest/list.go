package invitetest

import (
	"slices"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

func ids(invs []*invite.Invitation) []int64 {
	out := make([]int64, len(invs))
	for i, inv := range invs {
		out[i] = inv.ID
	}
	return out
}

func testInvitations(t *testing.T, open Opener) {
	f := newFixture(t, open(t))
	// Seven invitations into A: three share one instant, so the order
	// falls back to the ID; then one of each status.
	var all []*invite.Invitation // newest first
	for i := range 7 {
		if i > 2 {
			f.Clock.Add(time.Second)
		}
		inv, _ := f.invite(t, f.A)
		all = append([]*invite.Invitation{inv}, all...)
	}
	f.invite(t, f.B)
	// Newest first: all[0] stays pending, all[1] is canceled, all[2] is
	// past its expiry unmarked, all[3:] are marked expired by the job.
	canceled, expiredByTime, expiredByJob := all[1], all[2], all[3]
	_, token := f.invite(t, f.A) // accepted below, listed first
	if _, err := f.Service.Cancel(f.AdminA, canceled.ID); err != nil {
		t.Fatal(err)
	}
	f.Clock.Set(expiredByJob.ExpiresAt)
	if _, err := f.Service.ExpireDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	f.Clock.Set(start)
	inv, err := f.Service.InvitationByToken(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Service.Accept(t.Context(), acceptInput(token)); err != nil {
		t.Fatal(err)
	}
	acceptedInv := inv
	// expiredByTime is past its expiry at `now`, but no job marked it.
	now := expiredByTime.ExpiresAt
	f.Clock.Set(now)

	t.Run("Status", func(t *testing.T) {
		tests := []struct {
			status invite.Status
			want   []int64
		}{
			{invite.StatusAccepted, []int64{acceptedInv.ID}},
			{invite.StatusCanceled, []int64{canceled.ID}},
			{invite.StatusExpired, []int64{expiredByTime.ID, expiredByJob.ID, all[4].ID, all[5].ID, all[6].ID}},
			{invite.StatusPending, []int64{all[0].ID}},
		}
		for _, tt := range tests {
			page, err := f.Service.Invitations(f.AdminA, invite.InvitationFilter{Status: tt.status})
			if err != nil {
				t.Fatal(err)
			}
			got := ids(page.Invitations)
			// Leave out the fixture's own invitations (its administrators').
			got = slices.DeleteFunc(got, func(id int64) bool {
				return !slices.Contains(append(ids(all), acceptedInv.ID), id)
			})
			if !slices.Equal(got, tt.want) {
				t.Errorf("status %s: got %v, want %v", tt.status, got, tt.want)
			}
			for _, inv := range page.Invitations {
				if inv.Status != tt.status {
					t.Errorf("status %s: listed %d as %s", tt.status, inv.ID, inv.Status)
				}
			}
		}
		_, err := f.Service.Invitations(f.AdminA, invite.InvitationFilter{Status: "lost"})
		wantField(t, err, "status", invite.ReasonInvalidStatus)
	})
	t.Run("Email", func(t *testing.T) {
		page, err := f.Service.Invitations(f.AdminA, invite.InvitationFilter{Email: " " + "PERSON1" + " "})
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range page.Invitations {
			if inv.Email[:7] != "person1" {
				t.Errorf("search PERSON1 found %s", inv.Email)
			}
		}
		if len(page.Invitations) == 0 {
			t.Errorf("search PERSON1 found nothing")
		}
		for _, wildcard := range []string{"%", "_", "!"} {
			page, err := f.Service.Invitations(f.AdminA, invite.InvitationFilter{Email: wildcard})
			if err != nil || len(page.Invitations) != 0 {
				t.Errorf("search %q: got %d, %v; want none (wildcards are literal)", wildcard, len(page.Invitations), err)
			}
		}
	})
	t.Run("Pages", func(t *testing.T) {
		want, err := f.Service.Invitations(f.Global, invite.InvitationFilter{Limit: invite.MaxPageSize})
		if err != nil || want.Next != "" {
			t.Fatalf("one page of all: %v, next %q", err, want.Next)
		}
		for i := 1; i < len(want.Invitations); i++ {
			a, b := want.Invitations[i-1], want.Invitations[i]
			if a.CreatedAt.Before(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID) {
				t.Fatalf("not newest first: %d (%v) before %d (%v)", a.ID, a.CreatedAt, b.ID, b.CreatedAt)
			}
		}
		var got []int64
		filter := invite.InvitationFilter{Limit: 3}
		for pages := 0; ; pages++ {
			page, err := f.Service.Invitations(f.Global, filter)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Invitations) > 3 || pages > len(want.Invitations) {
				t.Fatalf("page %d has %d invitations", pages, len(page.Invitations))
			}
			got = append(got, ids(page.Invitations)...)
			if page.Next == "" {
				break
			}
			filter.After = page.Next
			// An invitation made meanwhile does not shift the pages.
			if pages == 0 {
				f.invite(t, f.A)
			}
		}
		if !slices.Equal(got, ids(want.Invitations)) {
			t.Errorf("paged: got %v, want %v", got, ids(want.Invitations))
		}
	})
	t.Run("ErrInvalidCursor", func(t *testing.T) {
		for _, cursor := range []string{"x", "%%%", "MTIzNA", "YWJjLmRlZg"} {
			_, err := f.Service.Invitations(f.Global, invite.InvitationFilter{After: cursor})
			wantErr(t, err, invite.ErrInvalidCursor)
		}
	})
}
