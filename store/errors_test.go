package store

import (
	"errors"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/invitehq/invite/invite"
)

// What the databases answer, as the store tells it: a conflict, a try
// again, or internal.
func TestTranslate(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		retryable bool
		code      invite.Code
	}{
		{"Deadlock", &mysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock; try restarting transaction"}, true, invite.CodeUnavailable},
		{"CertificationConflict", &mysql.MySQLError{Number: 1213, Message: "WSREP detected deadlock/conflict and aborted the transaction. Try restarting the transaction"}, true, invite.CodeUnavailable},
		{"PrimaryKeyTakenMariaDB", &mysql.MySQLError{Number: 1062, Message: "Duplicate entry '8433' for key 'PRIMARY'"}, true, invite.CodeUnavailable},
		{"PrimaryKeyTakenMySQL8", &mysql.MySQLError{Number: 1062, Message: "Duplicate entry '8433' for key 'invitations.PRIMARY'"}, true, invite.CodeUnavailable},
		{"AddressTaken", &mysql.MySQLError{Number: 1062, Message: "Duplicate entry 'a@example.com' for key 'users_email_uq'"}, false, invite.CodeConflict},
		{"NotReady", &mysql.MySQLError{Number: 1047, Message: "WSREP has not yet prepared node for application use"}, false, invite.CodeUnavailable},
		{"Other", errors.New("something else"), false, invite.CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryable(tt.err); got != tt.retryable {
				t.Errorf("retryable: %v, want %v", got, tt.retryable)
			}
			if got := invite.ErrorCode(translate(tt.err)); got != tt.code {
				t.Errorf("translate: %s, want %s", got, tt.code)
			}
		})
	}
}
