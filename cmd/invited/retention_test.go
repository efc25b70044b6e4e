package main

import (
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// INVITE_RETENTION reaches the service: a year by default, as set, and 0
// keeps everything.
func TestRetention(t *testing.T) {
	for _, tt := range []struct {
		name   string
		set    time.Duration
		want   time.Duration
		prunes bool
	}{
		{"Default", -1, invite.DefaultRetention, true},
		{"Set", 30 * 24 * time.Hour, 30 * 24 * time.Hour, true},
		{"Forever", 0, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, "")
			if tt.set >= 0 {
				cfg.Retention = tt.set
			}
			m, _ := start(t, cfg)
			if got, prunes := m.svc.Retention(); got != tt.want || prunes != tt.prunes {
				t.Errorf("Retention: got %v, %v, want %v, %v", got, prunes, tt.want, tt.prunes)
			}
			if n, err := m.svc.PruneHistory(t.Context()); n != 0 || err != nil {
				t.Errorf("PruneHistory of a new database: got %d, %v, want 0, nil", n, err)
			}
		})
	}
}
