package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/go-sql-driver/mysql"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/invitehq/invite/invite"
)

// This file is the one place where driver errors become invite errors, so
// that no *mysql.MySQLError or *sqlite.Error leaves the package. Helpers
// return driver errors as they are; every exported method translates once,
// on its way out (inTx does it for transactions).

// MySQL server error numbers.
const (
	mysqlTooManyConnections = 1040
	mysqlServerShutdown     = 1053
	mysqlDuplicateKey       = 1062
	mysqlNoReferencedRow    = 1452
	mysqlLockTimeout        = 1205
	mysqlDeadlock           = 1213
	mysqlReadOnly           = 1290 // --read-only, as on a replica or a node leaving a cluster
	mysqlWsrepNotReady      = 1047 // a Galera node that is not part of the primary component
	mysqlDiskFull           = 1021
	mysqlTableFull          = 1114 // as InnoDB says when its file system is full
)

// uniqueConstraints maps each unique constraint to the error that a
// violation of it means. MySQL names the constraint in its message; SQLite
// names the table and columns, so each entry has both.
var uniqueConstraints = []struct {
	mysql, sqlite string
	err           *invite.Error
}{
	{"companies_name_key_uq", "companies.name_key", invite.ErrCompanyExists},
	{"users_email_uq", "users.email", invite.ErrUserExists},
	{"invitations_pending_email_uq", "invitations.company_id, invitations.pending_email", invite.ErrInvitationPending},
	{"join_requests_pending_email_uq", "join_requests.company_id, join_requests.pending_email", invite.ErrJoinRequestPending},
	{"presets_name_key_uq", "presets.company_id, presets.name_key", invite.ErrPresetExists},
	{"invitation_batches_key_uq", "invitation_batches.admin_id, invitation_batches.batch_key", invite.ErrBatchExists},
	{"idempotency_keys_key_uq", "idempotency_keys.user_id, idempotency_keys.idem_key", invite.ErrIdempotencyKeyExists},
}

// translate turns err into an error of package invite. Errors of package
// invite pass through; a unique violation becomes the conflict it means;
// anything else is internal, with the driver's text but not its type.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := errors.AsType[*invite.Error](err); ok {
		return e
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if e := uniqueViolation(err); e != nil {
		return e
	}
	if unavailable(err) {
		e := *invite.ErrUnavailable
		e.Err = fmt.Errorf("store: %w", err)
		return &e
	}
	return &invite.Error{
		Code:    invite.CodeInternal,
		Reason:  "internal",
		Message: "An internal error occurred.",
		Err:     fmt.Errorf("store: %w", err),
	}
}

// uniqueViolation returns the invite error a unique violation stands for, or
// nil if err is not one of the known unique violations.
func uniqueViolation(err error) *invite.Error {
	if e, ok := errors.AsType[*mysql.MySQLError](err); ok && e.Number == mysqlDuplicateKey {
		for _, c := range uniqueConstraints {
			if strings.Contains(e.Message, "'"+c.mysql+"'") {
				return c.err
			}
		}
	}
	if e, ok := errors.AsType[*sqlite.Error](err); ok && e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		for _, c := range uniqueConstraints {
			if strings.Contains(e.Error(), "UNIQUE constraint failed: "+c.sqlite+" (") {
				return c.err
			}
		}
	}
	return nil
}

// foreignKeyViolation reports whether err is a row that refers to one that
// does not exist.
func foreignKeyViolation(err error) bool {
	if e, ok := errors.AsType[*mysql.MySQLError](err); ok {
		return e.Number == mysqlNoReferencedRow
	}
	if e, ok := errors.AsType[*sqlite.Error](err); ok {
		return e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// unavailable reports whether err means the database cannot serve now but
// may in a moment: it cannot be reached or connected to, it is shutting
// down or out of connections, it stayed locked or busy through every
// retry, or it cannot write (read-only, or its disk is full) until an
// operator has seen to it. The caller is told to try again rather than of an internal error.
func unavailable(err error) bool {
	var netErr *net.OpError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, mysql.ErrInvalidConn), errors.Is(err, sql.ErrConnDone),
		errors.As(err, &netErr), retryable(err):
		return true
	case strings.Contains(err.Error(), "sql: database is closed"): // database/sql does not export it
		return true
	}
	if e, ok := errors.AsType[*mysql.MySQLError](err); ok {
		switch e.Number {
		case mysqlTooManyConnections, mysqlServerShutdown, mysqlReadOnly, mysqlWsrepNotReady, mysqlDiskFull, mysqlTableFull:
			return true
		}
	}
	if e, ok := errors.AsType[*sqlite.Error](err); ok {
		switch e.Code() & 0xff {
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY:
			return true
		}
	}
	return false
}

// retryable reports whether a transaction that failed with err may succeed
// when run again.
func retryable(err error) bool {
	if e, ok := errors.AsType[*mysql.MySQLError](err); ok {
		return e.Number == mysqlDeadlock || e.Number == mysqlLockTimeout || duplicatePrimaryKey(e)
	}
	if e, ok := errors.AsType[*sqlite.Error](err); ok {
		return e.Code()&0xff == sqlite3.SQLITE_BUSY || e.Code()&0xff == sqlite3.SQLITE_LOCKED
	}
	return false
}

// duplicatePrimaryKey reports whether e is an insert that took a primary
// key already taken. The store's own keys are random or auto-increment, so
// this is a Galera cluster changing its auto-increment offsets while its
// membership changes (wsrep_auto_increment_control): found from outside,
// a node leaving or joining made an invitation's insert collide and the
// administrator got 500. Run again, the insert takes a free ID.
func duplicatePrimaryKey(e *mysql.MySQLError) bool {
	return e.Number == mysqlDuplicateKey && strings.Contains(e.Message, "PRIMARY'")
}

// notFound returns nf if err means no rows, and err otherwise. It does not
// translate: inside a transaction the driver's error must reach inTx, which
// decides whether to run the transaction again.
func notFound(err error, nf *invite.Error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return nf
	}
	return err
}
