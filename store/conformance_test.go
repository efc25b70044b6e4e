package store_test

import (
	"testing"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/invitetest"
	"github.com/invitehq/invite/store/storetest"
)

// The store keeps the contract of invite.Store on every database.
func TestConformance(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		invitetest.Run(t, func(t *testing.T) invite.Store { return storetest.SQLite(t) })
	})
	t.Run("mysql", func(t *testing.T) {
		invitetest.Run(t, func(t *testing.T) invite.Store { return storetest.MySQL(t) })
	})
	t.Run("galera", func(t *testing.T) { // one node of the cluster
		invitetest.Run(t, func(t *testing.T) invite.Store { return storetest.Galera(t) })
	})
}
