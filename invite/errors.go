package invite

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code classifies an error so that callers can react to it without parsing
// text. The HTTP layer maps each code to one status; Go programs compare codes
// with ErrorCode.
type Code string

// The error codes. Anything that is not an *Error is treated as CodeInternal.
const (
	CodeInvalid      Code = "invalid"      // the input is wrong; Fields says where
	CodeNotFound     Code = "not_found"    // no such thing, or not visible to the actor
	CodeConflict     Code = "conflict"     // the state forbids it (duplicate, final state)
	CodeForbidden    Code = "forbidden"    // the actor may not do this
	CodeUnauthorized Code = "unauthorized" // no acting user, or bad credentials
	CodeExpired      Code = "expired"      // the invitation is past its expiry
	CodeLimited      Code = "limited"      // too many of these, too soon: RetryAfter says when to try again
	CodeUnavailable  Code = "unavailable"  // busy or cut off from the database: try again shortly
	CodeInternal     Code = "internal"     // a fault of the system, never the caller's
)

// Error is the one error type of this package. Reason is a stable identifier
// (it doubles as the message ID for translations); Message is a user-safe
// English text. Fields lists the invalid fields of a CodeInvalid error.
//
// Two *Error values match under errors.Is when their Code and Reason are equal,
// so the exported Err* values can be compared against wrapped copies.
type Error struct {
	Code    Code
	Reason  string
	Message string
	Fields  []FieldError
	Err     error // the underlying cause, if any; never shown to users
	// RetryAfter is how long to wait before trying again, for an error of
	// CodeLimited.
	RetryAfter time.Duration
	// At is a time the error names, such as when access starts
	// (ErrAccessNotStarted), in the time zone of whom it concerns.
	At time.Time
}

// FieldError names one invalid input field and why it is invalid. Field is the
// name of the input (for example "email" or "grants[1].role"); Reason is a
// stable identifier such as "required" or "too_long".
type FieldError struct {
	Field   string
	Reason  string
	Message string
	// Args are the values the message names, such as "Max" for too_long
	// or "Line" and "Column" for template errors, for translations.
	Args map[string]any
}

// Error returns the English message followed by the field errors and the cause.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code and Reason.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Reason == e.Reason
}

// Field returns the error of the named field, if there is one.
func (e *Error) Field(name string) (FieldError, bool) {
	for _, f := range e.Fields {
		if f.Field == name {
			return f, true
		}
	}
	return FieldError{}, false
}

// ErrorCode returns the code of the first *Error in err's chain, "" for a nil
// error and CodeInternal for any other error.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok && e != nil {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the user-safe English message of err. Errors that are
// not an *Error get a generic message, so internal details never leak.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok && e != nil && e.Code != CodeInternal {
		return e.Message
	}
	return "An internal error occurred."
}

// The errors a caller can compare against with errors.Is.
var (
	ErrUnauthorized        = &Error{Code: CodeUnauthorized, Reason: "unauthorized", Message: "You need to log in."}
	ErrBadCredentials      = &Error{Code: CodeUnauthorized, Reason: "bad_credentials", Message: "The e-mail address or password is incorrect."}
	ErrForbidden           = &Error{Code: CodeForbidden, Reason: "forbidden", Message: "You are not allowed to do this."}
	ErrCompanyNotFound     = &Error{Code: CodeNotFound, Reason: "company_not_found", Message: "The company was not found."}
	ErrUserNotFound        = &Error{Code: CodeNotFound, Reason: "user_not_found", Message: "The user was not found."}
	ErrInvitationNotFound  = &Error{Code: CodeNotFound, Reason: "invitation_not_found", Message: "The invitation was not found."}
	ErrInvitationExpired   = &Error{Code: CodeExpired, Reason: "invitation_expired", Message: "The invitation has expired."}
	ErrInvitationAccepted  = &Error{Code: CodeConflict, Reason: "invitation_accepted", Message: "The invitation has already been accepted."}
	ErrInvitationCanceled  = &Error{Code: CodeConflict, Reason: "invitation_canceled", Message: "The invitation has been canceled."}
	ErrInvitationPending   = &Error{Code: CodeConflict, Reason: "invitation_pending", Message: "A pending invitation for this e-mail address already exists."}
	ErrUserExists          = &Error{Code: CodeConflict, Reason: "user_exists", Message: "A user with this e-mail address already exists."}
	ErrCompanyExists       = &Error{Code: CodeConflict, Reason: "company_exists", Message: "A company with this name already exists."}
	ErrInvalidTransition   = &Error{Code: CodeConflict, Reason: "invalid_transition", Message: "The invitation cannot change to that status."}
	ErrInvalidInput        = &Error{Code: CodeInvalid, Reason: "invalid_input", Message: "Some fields are invalid."}
	ErrInvalidCursor       = &Error{Code: CodeInvalid, Reason: "invalid_cursor", Message: "The page cursor is invalid."}
	ErrLastAdmin           = &Error{Code: CodeConflict, Reason: "last_admin", Message: "The last administrator of a company cannot be demoted, disabled or deleted."}
	ErrUserDisabled        = &Error{Code: CodeForbidden, Reason: "user_disabled", Message: "This account is disabled."}
	ErrResetNotFound       = &Error{Code: CodeNotFound, Reason: "reset_not_found", Message: "The password reset link is not valid."}
	ErrResetExpired        = &Error{Code: CodeExpired, Reason: "reset_expired", Message: "The password reset link has expired."}
	ErrResetTooSoon        = &Error{Code: CodeLimited, Reason: "reset_too_soon", Message: "A password reset link was sent a moment ago."}
	ErrJoinClosed          = &Error{Code: CodeNotFound, Reason: "join_closed", Message: "This company does not take requests to join."}
	ErrJoinRequestNotFound = &Error{Code: CodeNotFound, Reason: "join_request_not_found", Message: "The request to join was not found."}
	ErrJoinRequestDecided  = &Error{Code: CodeConflict, Reason: "join_request_decided", Message: "The request to join has already been decided."}
	ErrJoinRequestPending  = &Error{Code: CodeConflict, Reason: "join_request_pending", Message: "A request to join from this address is already pending."}
	ErrBusy                = &Error{Code: CodeUnavailable, Reason: "busy", Message: "Too many requests are being handled at the moment. Please try again shortly."}
	ErrUnavailable         = &Error{Code: CodeUnavailable, Reason: "unavailable", Message: "The service cannot reach its database at the moment. Please try again shortly."}
	ErrStarting            = &Error{Code: CodeUnavailable, Reason: "starting", Message: "The service is starting. Please try again in a moment."}
	ErrTooManyAttempts     = &Error{Code: CodeLimited, Reason: "too_many_attempts", Message: "Too many attempts. Please wait a minute and try again."}
	ErrTooManyFailedLogins = &Error{Code: CodeLimited, Reason: "too_many_failed_logins", Message: "Too many failed log-ins for this e-mail address. Please try again later."}
	ErrTooManyMails        = &Error{Code: CodeLimited, Reason: "too_many_mails", Message: "This address has been sent invitations too often. It can be sent one again later."}
	ErrTooManyJoinRequests = &Error{Code: CodeLimited, Reason: "too_many_join_requests", Message: "This company takes no more requests to join for now."}
	ErrTooManyInvitations  = &Error{Code: CodeLimited, Reason: "too_many_invitations", Message: "You have sent too many invitations for now. Please try again later."}
	ErrUserAboveYou        = &Error{Code: CodeForbidden, Reason: "user_above_you", Message: "This user holds a role above your own; ask an administrator who holds it."}
	ErrInvitationAboveYou  = &Error{Code: CodeForbidden, Reason: "invitation_above_you", Message: "This invitation grants a role above your own; ask an administrator who holds it."}
	ErrMessageNotFound     = &Error{Code: CodeNotFound, Reason: "message_not_found", Message: "The message was not found."}
)
