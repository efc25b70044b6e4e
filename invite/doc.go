// Package invite is the domain of inviting people into companies on a
// multi-company subscription platform: companies with their subscriptions and
// business roles, users, invitations and their state machine, and the Service
// that runs the whole invitation lifecycle with authorization and validation.
//
// The package imports no web framework and no SQL driver. Storage is the
// Store interface (package store implements it with bun on SQLite and
// MySQL/MariaDB); another Go program may bring its own.
//
// # The state machine
//
// An invitation is Pending when made. The only transitions are
//
//	pending -> accepted   Accept with the valid token before ExpiresAt
//	pending -> canceled   Cancel
//	pending -> expired    ExpireDue, or Accept finding it past ExpiresAt
//	pending -> pending    Resend: new token, new ExpiresAt, the old link dies
//	expired -> pending    Resend
//
// Accepted and Canceled are final. At most one invitation per company and
// e-mail address is pending at a time, and an invitation is never made for an
// e-mail address that already belongs to a user. Expiry never depends on a
// scheduled job: an invitation whose ExpiresAt has passed is reported, listed
// and treated as Expired at once.
//
// # Errors
//
// Every error the Service returns on purpose is an *Error with a Code (see
// ErrorCode) and a stable Reason; compare with errors.Is against the Err*
// values, or with ErrorCode. Invalid input is CodeInvalid with one FieldError
// per wrong field, and nothing is written. An invitation, company or user
// that the acting user may not see is reported as not found, never as
// forbidden, so its existence does not leak across companies.
//
// # The rest of the lifecycle
//
// Invite, Resend, Cancel, Accept and the jobs (ExpireDue, SendReminders,
// DeliverOutbox) carry invitations through the state machine; every e-mail
// is written to an outbox in the transaction of its change (Message) and
// delivered by a Mailer. Users are managed with ChangeUser, SetDisabled and
// DeleteUser, and manage themselves with UpdateProfile, ChangePassword and
// the password reset (RequestPasswordReset, IssuePasswordResets,
// ResetPassword). Log-ins are sessions (Login, SessionUser, Logout). People
// without an invitation ask to join on a company's join page (OpenJoinPage,
// RequestToJoin, ProcessJoinRequests), which its administrators approve or
// decline. A company's administrators keep named presets of an invitation's
// details (CreatePreset, Presets, PresetByName); Preset.Fill fills an
// invitation's empty fields from one, and the invitation is validated as any
// other, so a preset never grants more than its user may.
//
// # Secrets and bounds
//
// Every secret (an invitation's, a reset's or a session's token, a join
// page's key) is 32 bytes from crypto/rand and kept only as its SHA-256; a
// link reaches its owner by e-mail, and Message shows an invitation link
// only to whoever could have sent it. Limits bound, in the Store and so
// across processes, how often people may guess (Attempt, Authenticate) and
// how often mail goes out (Invite, Resend, join notices); a refusal is
// CodeLimited with the time to wait. Password hashing takes turns
// (Config.MaxHashing); a database out of reach is CodeUnavailable.
//
// # Authorization
//
// The acting user rides in the context (NewContext). A Global Administrator
// acts on every company; a Company Administrator only within their own
// company; other users administer nothing. Accepting an invitation needs no
// acting user: the token is the authority.
package invite
