package invite

import (
	"testing"
	"time"
)

func TestCanTransition(t *testing.T) {
	allowed := map[[2]Status]bool{
		{StatusPending, StatusAccepted}: true,
		{StatusPending, StatusCanceled}: true,
		{StatusPending, StatusExpired}:  true,
		{StatusPending, StatusPending}:  true, // resend
		{StatusExpired, StatusPending}:  true, // resend
	}
	for _, from := range Statuses() {
		for _, to := range Statuses() {
			if got, want := CanTransition(from, to), allowed[[2]Status{from, to}]; got != want {
				t.Errorf("CanTransition(%s, %s): got %v, want %v", from, to, got, want)
			}
		}
		if CanTransition(from, "lost") {
			t.Errorf("CanTransition(%s, lost) allowed an unknown status", from)
		}
	}
}

func TestStatusAt(t *testing.T) {
	exp := time.Date(2026, 1, 8, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		stored Status
		now    time.Time
		want   Status
	}{
		{"PendingBefore", StatusPending, exp.Add(-time.Microsecond), StatusPending},
		{"PendingAt", StatusPending, exp, StatusExpired},
		{"PendingAfter", StatusPending, exp.Add(time.Hour), StatusExpired},
		{"AcceptedAfter", StatusAccepted, exp.Add(time.Hour), StatusAccepted},
		{"CanceledAfter", StatusCanceled, exp.Add(time.Hour), StatusCanceled},
		{"ExpiredBefore", StatusExpired, exp.Add(-time.Hour), StatusExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &Invitation{Status: tt.stored, ExpiresAt: exp}
			if got := inv.StatusAt(tt.now); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestInvitationAccept(t *testing.T) {
	exp := time.Date(2026, 1, 8, 0, 0, 0, 0, time.UTC)
	hash := []byte("current-hash-of-thirty-two-bytes")
	tests := []struct {
		name       string
		status     Status
		hash       []byte
		now        time.Time
		err        *Error
		wantStatus Status
	}{
		{"OK", StatusPending, hash, exp.Add(-time.Microsecond), nil, StatusAccepted},
		{"ErrInvitationNotFound", StatusPending, []byte("an-old-hash-of-thirty-two-bytes!"), exp.Add(-time.Hour), ErrInvitationNotFound, StatusPending},
		{"ErrInvitationExpired", StatusPending, hash, exp, ErrInvitationExpired, StatusExpired},
		{"ErrInvitationAccepted", StatusAccepted, hash, exp.Add(-time.Hour), ErrInvitationAccepted, StatusAccepted},
		{"ErrInvitationCanceled", StatusCanceled, hash, exp.Add(-time.Hour), ErrInvitationCanceled, StatusCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &Invitation{Status: tt.status, ExpiresAt: exp, TokenHash: hash}
			err := inv.accept(tt.hash, tt.now)
			if tt.err == nil && err != nil || tt.err != nil && err != tt.err {
				t.Fatalf("got error %v, want %v", err, tt.err)
			}
			if inv.Status != tt.wantStatus {
				t.Errorf("status: got %s, want %s", inv.Status, tt.wantStatus)
			}
			if (tt.err == nil) != !inv.AcceptedAt.IsZero() {
				t.Errorf("AcceptedAt: got %v", inv.AcceptedAt)
			}
		})
	}
}
