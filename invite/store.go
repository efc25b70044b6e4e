package invite

import (
	"context"
	"time"
)

// Store keeps companies, users and invitations: one small interface per
// aggregate, and one transaction seam. Package store implements it with
// bun on SQLite and MySQL/MariaDB; package memstore in memory, as a
// reference; a Go program may bring its own, and invitetest.Run checks it.
//
// Methods that find one thing return ErrCompanyNotFound, ErrUserNotFound or
// ErrInvitationNotFound when there is none. Times are stored in UTC with at
// least microsecond precision. A Store does no authorization and keeps no
// business rules beyond those written into its contract: the Service
// decides, the Store persists atomically. Each method is atomic on its own;
// InTx makes several one. A limit of 0 bounds nothing.
type Store interface {
	// InTx runs fn with a Store whose every method works in one
	// transaction, committed if fn returns nil and rolled back otherwise,
	// and returns fn's error as it is. A transaction that loses a deadlock
	// or finds the database busy is run again, so fn must be repeatable.
	// Within fn, InTx joins the transaction it is in: the inner fn's work
	// stays or goes with the outer transaction.
	InTx(ctx context.Context, fn func(tx Store) error) error

	CompanyStore
	UserStore
	SessionStore
	InvitationStore
	PasswordResetStore
	JoinRequestStore
	MailTemplateStore
	Outbox
	LimitStore
	SeatStore
	PresetStore
	BatchStore
	EventStore
	WebhookStore
	TokenStore
}

// CompanyStore keeps companies, with their subscriptions, business roles and join pages.
type CompanyStore interface {
	// CreateCompany stores c with its subscriptions and business roles and
	// sets their IDs. A company whose name equals another's regardless of
	// case is ErrCompanyExists.
	CreateCompany(ctx context.Context, c *Company) error
	// Company returns the company with its subscriptions, business roles
	// and allowed domains (ordered by name, as Companies gives them too).
	Company(ctx context.Context, id int64) (*Company, error)
	// Companies returns every company ordered by name.
	Companies(ctx context.Context) ([]*Company, error)
	// CompanyNames returns the names of the companies with the given IDs,
	// by ID; an ID of no company is left out.
	CompanyNames(ctx context.Context, ids []int64) (map[int64]string, error)
	// CompanyByJoinKey returns the company whose open join page has the key
	// with the given SHA-256 hash, or ErrCompanyNotFound; with its allowed
	// domains, which the join page follows.
	CompanyByJoinKey(ctx context.Context, hash []byte) (*Company, error)
	// SetTerms keeps a company's terms of use; "" for the built-in ones.
	SetTerms(ctx context.Context, companyID int64, terms string) error
	// SetJoinKey keeps the hash of the key of a company's join page and
	// opens the page (JoinRequests), or with a nil hash forgets the key
	// and closes it.
	SetJoinKey(ctx context.Context, companyID int64, hash []byte) error
	// SetAllowedDomains replaces a company's allowed e-mail domains with
	// domains (valid, lower-case ASCII names, each once), atomically:
	// Company, Companies and CompanyByJoinKey return the old list or the
	// new one, never a mix, and of concurrent calls one list stays whole.
	// An empty list removes them all. A company that does not exist is
	// ErrCompanyNotFound.
	SetAllowedDomains(ctx context.Context, companyID int64, domains []AllowedDomain) error
}

// UserStore keeps users with their grants.
type UserStore interface {
	// CreateUser stores u with its grants and sets u.ID. An e-mail address
	// that another user has is ErrUserExists.
	CreateUser(ctx context.Context, u *User) error
	// User returns the user with the given ID, with grants.
	User(ctx context.Context, id int64) (*User, error)
	// UserByEmail returns the user with the given (lower-case) e-mail.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// HasUsers reports whether any user exists.
	HasUsers(ctx context.Context) (bool, error)
	// Users returns at most q.Limit users matching q, ordered by ID.
	Users(ctx context.Context, q UserQuery) ([]*User, error)
	// UsersByID returns the users with the given IDs, without their
	// grants, ordered by ID, in one read (a page's inviters); an ID of
	// no user is left out.
	UsersByID(ctx context.Context, ids []int64) ([]*User, error)
	// CompanyAdmins returns the Company Administrators of a company,
	// disabled or not, ordered by ID.
	CompanyAdmins(ctx context.Context, companyID int64) ([]*User, error)
	// GlobalAdmins returns the Global Administrators, disabled or not,
	// ordered by ID.
	GlobalAdmins(ctx context.Context) ([]*User, error)
	// UpdateUser locks the user with the given ID, and their company's
	// administrators against concurrent changes, calls update with the user
	// and the number of enabled Company Administrators of their company,
	// and saves what update left, grants included, in one transaction.
	UpdateUser(ctx context.Context, id int64, update func(u *User, admins int) error) (*User, error)
	// HoldUser returns the user as stored and, within InTx, keeps them
	// from changing until the transaction ends: what the transaction
	// writes on their authority is allowed by them as they are when it
	// commits. UpdateUser of the same user waits for it, or it for
	// UpdateUser. It returns ErrUserNotFound if there is no such user.
	HoldUser(ctx context.Context, id int64) (*User, error)
	// DeleteUser locks as UpdateUser does, calls check, and deletes the
	// user with their grants and sessions, in one transaction; an error
	// from check deletes nothing. Invitations keep the user's ID as
	// history.
	DeleteUser(ctx context.Context, id int64, check func(u *User, admins int) error) error
	// SetLastLogin records when the user last logged in.
	SetLastLogin(ctx context.Context, userID int64, at time.Time) error
	// EndedAccess returns at most limit enabled users whose AccessUntil
	// is set and not after now and whose ID is above after, ordered by
	// ID: the users DisableEndedAccess disables.
	EndedAccess(ctx context.Context, now time.Time, after int64, limit int) ([]*User, error)
}

// SessionStore keeps log-ins.
type SessionStore interface {
	// CreateSession stores a session, or fails with ErrUserNotFound if its
	// user does not exist.
	CreateSession(ctx context.Context, sess *Session) error
	// SessionUser returns the user of the session with the given token
	// hash if it expires after now, and ErrUserNotFound otherwise.
	SessionUser(ctx context.Context, hash []byte, now time.Time) (*User, error)
	// DeleteSession deletes the session with the given token hash.
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteUserSessions ends every session of the user but the one whose
	// token hash is except (nil for none).
	DeleteUserSessions(ctx context.Context, userID int64, except []byte) error
	// PruneSessions deletes the sessions that expire before now, and
	// returns how many it deleted.
	PruneSessions(ctx context.Context, now time.Time) (int, error)
}

// InvitationStore keeps invitations with their grants.
type InvitationStore interface {
	// CreateInvitation stores inv, which is pending, with its grants, and
	// msg, if not nil, in the outbox with its InvitationID set, in one
	// transaction; it sets inv.ID and msg.ID, and inv.Delivery to msg's
	// (MessageID, Kind, State). A company keeps one pending invitation
	// per e-mail address: while another is pending as stored (whatever
	// its ExpiresAt), it fails with ErrInvitationPending and stores
	// nothing. The store enforces this itself (a unique index), so that
	// concurrent calls make exactly one.
	CreateInvitation(ctx context.Context, inv *Invitation, msg *Message) error
	// Invitation returns the invitation with the given ID, with grants.
	Invitation(ctx context.Context, id int64) (*Invitation, error)
	// InvitationByTokenHash returns the invitation whose current token has
	// the given SHA-256 hash.
	InvitationByTokenHash(ctx context.Context, hash []byte) (*Invitation, error)
	// Invitations returns at most q.Limit invitations matching q, newest
	// first (by CreatedAt, then ID, both descending).
	Invitations(ctx context.Context, q InvitationQuery) ([]*Invitation, error)
	// UpdateInvitation locks the invitation with the given ID against every
	// other update and accept, calls update with it and saves what update
	// left in it, with the message update returns (if not nil) in the
	// outbox, all in one transaction; an error from update rolls back.
	// Saving follows CreateInvitation's rule of one pending invitation.
	UpdateInvitation(ctx context.Context, id int64, update func(*Invitation) (*Message, error)) (*Invitation, error)
	// AcceptInvitation locks the invitation whose current token has the
	// given hash and calls accept with it, in one transaction. If accept
	// returns a user, the store creates it (as CreateUser), sets the
	// invitation's AcceptedBy to its ID and saves the invitation; if it
	// returns neither user nor error, only the invitation is saved; an
	// error rolls back. Two concurrent calls for one token never both
	// create a user.
	AcceptInvitation(ctx context.Context, hash []byte, accept func(*Invitation) (*User, error)) (*Invitation, *User, error)
	// ExpireInvitations marks expired at most limit pending invitations whose
	// ExpiresAt is not after now, and returns those it marked (with ID,
	// CompanyID, Email, ExpiresAt and Status set; no grants): none when
	// none is due. Running it concurrently, or again, never marks one
	// twice, nor returns one another call marked; a call that runs beside
	// another may mark fewer than limit while more are due. Within InTx,
	// the marking commits with the transaction.
	ExpireInvitations(ctx context.Context, now time.Time, limit int) ([]*Invitation, error)
	// DueReminders returns at most limit pending invitations whose RemindAt
	// is not after now and whose ExpiresAt is after now, soonest first.
	DueReminders(ctx context.Context, now time.Time, limit int) ([]*Invitation, error)
}

// PasswordResetStore keeps requests to reset a password.
type PasswordResetStore interface {
	// CreatePasswordReset stores a request to reset a password.
	CreatePasswordReset(ctx context.Context, r *PasswordReset) error
	// ClaimPasswordResets claims at most limit resets that are requested,
	// or processing with a claim that lapsed at now, oldest first: it
	// marks them processing until leaseUntil and returns them. Concurrent
	// claims never return the same one; one whose worker failed or died is
	// claimed again once its lease lapses.
	ClaimPasswordResets(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*PasswordReset, error)
	// SavePasswordReset saves a claimed reset's State, UserID, TokenHash
	// and ExpiresAt.
	SavePasswordReset(ctx context.Context, r *PasswordReset) error
	// SupersedePasswordResets marks every issued reset of the user
	// superseded.
	SupersedePasswordResets(ctx context.Context, userID int64) error
	// PasswordReset returns the reset whose token has the given hash, or
	// ErrResetNotFound.
	PasswordReset(ctx context.Context, hash []byte) (*PasswordReset, error)
	// PrunePasswordResets deletes the resets created before the given time,
	// and returns how many it deleted.
	PrunePasswordResets(ctx context.Context, before time.Time) (int, error)
	// UsePasswordReset locks the reset whose token has the given hash, calls
	// use, sets the user's password hash to what use returns, marks the
	// reset used and ends every session of the user, in one transaction.
	UsePasswordReset(ctx context.Context, hash []byte, now time.Time, use func(*PasswordReset) (string, error)) (*User, error)
}

// JoinRequestStore keeps requests to join a company.
type JoinRequestStore interface {
	// CreateJoinRequest stores a request as it came (JoinRequested) and
	// sets its ID.
	CreateJoinRequest(ctx context.Context, r *JoinRequest) error
	// ClaimJoinRequests claims requests as ClaimPasswordResets claims
	// resets: requested ones, or processing ones whose lease lapsed at now.
	ClaimJoinRequests(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*JoinRequest, error)
	// SaveJoinRequest saves a claimed request's status and msgs in one
	// transaction; a second pending request of one address to one company
	// is ErrJoinRequestPending, and nothing is saved.
	SaveJoinRequest(ctx context.Context, r *JoinRequest, msgs []*Message) error
	// JoinRequest returns a request, or ErrJoinRequestNotFound.
	JoinRequest(ctx context.Context, id int64) (*JoinRequest, error)
	// JoinRequests returns at most limit pending requests of a company (0:
	// of every company), oldest first.
	JoinRequests(ctx context.Context, companyID int64, limit int) ([]*JoinRequest, error)
	// DecideJoinRequest marks a pending request approved or declined; a
	// request that is no longer pending is ErrJoinRequestDecided.
	DecideJoinRequest(ctx context.Context, id int64, status JoinStatus, by, invitationID int64, at time.Time) error
}

// MailTemplateStore keeps companies' own invitation e-mails.
type MailTemplateStore interface {
	// MailTemplates returns the company's invitation templates by language.
	MailTemplates(ctx context.Context, companyID int64) (map[string]Template, error)
	// SetMailTemplate saves the company's template for lang, or deletes it
	// if t is zero.
	SetMailTemplate(ctx context.Context, companyID int64, lang string, t Template, now time.Time) error
}

// Outbox keeps the messages to send until they are sent.
type Outbox interface {
	// Enqueue writes messages to the outbox in one transaction.
	Enqueue(ctx context.Context, msgs []*Message) error
	// ClaimMessages claims at most limit messages that are queued, or
	// sending with a lapsed claim, and due at now, those that are not Bulk
	// before the Bulk ones, each oldest due first: it
	// marks them sending until leaseUntil, counts the attempt and returns
	// them. Concurrent claims never return the same message.
	ClaimMessages(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*Message, error)
	// SaveDelivery saves the outcome of the claimed attempt m: State,
	// NextAttemptAt, LastError, SentAt and the bodies. It does nothing if
	// the message has been claimed again since.
	SaveDelivery(ctx context.Context, m *Message) error
	// Messages returns at most q.Limit messages, newest first.
	Messages(ctx context.Context, q MessageQuery) ([]*Message, error)
	// Message returns the message with the given ID, or
	// ErrMessageNotFound.
	Message(ctx context.Context, id int64) (*Message, error)
	// OutboxStats tells how much waits in the outbox at now, across
	// companies: the messages not yet sent nor failed for good (queued,
	// or sending), and when the longest due of them became due. It is
	// for monitoring; it reads and locks nothing else.
	OutboxStats(ctx context.Context, now time.Time) (OutboxStats, error)
	// PruneMessages deletes at most limit messages that are sent or
	// failed (finally: a retry is queued) and were created before the
	// given time, the oldest first, and returns how many it deleted. It
	// keeps the latest message of each invitation that is pending as
	// stored, which its Delivery names.
	PruneMessages(ctx context.Context, before time.Time, limit int) (int, error)
}

// OutboxStats is what OutboxStats tells.
type OutboxStats struct {
	// Depth counts the messages queued or sending: those that are still
	// to be sent, due or not.
	Depth int
	// OldestDue is the NextAttemptAt of the message that has been due the
	// longest at now: queued, or sending with a lapsed claim. It is zero
	// when nothing is due.
	OldestDue time.Time
}

// LimitStore keeps the times of the bounds on how often things happen.
type LimitStore interface {
	// UpdateLimits locks the limits with the given keys (SHA-256 digests;
	// one it does not have yet counts as the zero time), calls update with
	// their times in the same order, and saves the times update returns,
	// all in one transaction; an error from update rolls back. Concurrent
	// calls for one key take turns.
	UpdateLimits(ctx context.Context, keys [][]byte, update func([]time.Time) ([]time.Time, error)) error
	// PruneLimits deletes the limits whose time is not after now, and
	// returns how many it deleted.
	PruneLimits(ctx context.Context, now time.Time) (int, error)
}

// SeatStore keeps and counts the seats of companies' subscriptions.
type SeatStore interface {
	// SetSeats sets the seats of a subscription of the company (0: no
	// bound), holding them as HoldSeats does; ErrCompanyNotFound if the
	// company has no such subscription.
	SetSeats(ctx context.Context, companyID, subscriptionID int64, seats int) error
	// HoldSeats reports whether any subscription of the company has seats
	// and, within InTx, holds those that have them until the transaction
	// ends: of transactions that hold one company's seats, each waits for
	// the one before it, and on a cluster the later one to commit fails
	// as a deadlock does and is run again. A transaction that holds seats
	// before it locks invitations or users, and then counts them with
	// SeatUse, counts what every such transaction before it wrote.
	HoldSeats(ctx context.Context, companyID int64) (bool, error)
	// SeatUse returns each subscription of the company, with its seats,
	// how many enabled users hold it and how many invitations that are
	// pending as stored and expire after now grant it, in the order the
	// subscriptions were registered.
	SeatUse(ctx context.Context, companyID int64, now time.Time) ([]SeatUse, error)
}

// BatchStore keeps batches of invitations (InviteMany) with their rows
// and each row's outcome.
type BatchStore interface {
	// CreateBatch stores b and sets b.ID. A batch of the same AdminID
	// with the same non-empty Key is ErrBatchExists, and nothing is
	// stored.
	CreateBatch(ctx context.Context, b *Batch) error
	// Batch returns the batch with the given ID, or ErrBatchNotFound.
	Batch(ctx context.Context, id int64) (*Batch, error)
	// BatchByKey returns the batch of the administrator with the given
	// key, or ErrBatchNotFound.
	BatchByKey(ctx context.Context, adminID int64, key string) (*Batch, error)
	// UpdateBatch locks the batch with the given ID against every other
	// update, calls update with it, without its Rows and Lines (which
	// never change: Batch has them), and saves State, AllOrNone, Outcomes,
	// Done, ConfirmedAt and ClaimedUntil as update left them, in one
	// transaction; an error from update rolls back. Within InTx, update
	// may work through the transaction's Store: what it writes commits
	// with the batch.
	UpdateBatch(ctx context.Context, id int64, update func(*Batch) error) (*Batch, error)
	// ClaimBatches claims at most limit batches (only the one with the
	// given ID, if not 0) that are queued, or sending with a claim that
	// lapsed at now, oldest first: it marks them sending until leaseUntil
	// and returns their IDs. Concurrent claims never return the same
	// batch.
	ClaimBatches(ctx context.Context, id int64, now, leaseUntil time.Time, limit int) ([]int64, error)
	// Batches returns at most limit batches of a company (0: of every
	// company), newest first, without their Rows and Lines.
	Batches(ctx context.Context, companyID int64, limit int) ([]*Batch, error)
	// PruneBatches deletes at most limit batches that are checked (never
	// confirmed) and were created before the given time, with their rows,
	// the oldest first, and returns how many it deleted.
	PruneBatches(ctx context.Context, before time.Time, limit int) (int, error)
}

// MessageQuery selects messages for Store.Messages.
type MessageQuery struct {
	CompanyID int64 // 0 for every company
	Before    int64 // only messages with a smaller ID; 0 from the newest
	Limit     int
}

// InvitationQuery selects invitations for Store.Invitations.
type InvitationQuery struct {
	CompanyID int64  // 0 for every company
	Status    Status // "" for any; matched as StatusAt(Now)
	Email     string // lower-case substring of the e-mail address; "" for any
	// PendingEmail, if set, selects the pending invitation of exactly
	// this address (pending as stored: whether it is past its expiry is
	// Now's to say).
	PendingEmail string
	SentBy       int64     // only invitations whose current link this user sent; 0 for any
	Now          time.Time // the time that decides whether a pending invitation is expired
	After        *Cursor   // only invitations after this one in the order; nil from the start
	Limit        int
}

// Cursor is a position in the newest-first order of invitations.
type Cursor struct {
	CreatedAt time.Time
	ID        int64
}

// UserQuery selects users for Store.Users.
type UserQuery struct {
	CompanyID int64  // 0 for every company
	Search    string // lower-case part of the e-mail address or name; "" for any
	After     int64  // only users with a larger ID
	Limit     int
}

// PresetStore keeps companies' invite presets with their grants.
type PresetStore interface {
	// CreatePreset stores p with its grants and sets p.ID. A name that
	// another preset of the company has, regardless of case, is
	// ErrPresetExists, and nothing is stored; the store enforces this
	// itself (a unique index), so that concurrent calls make one.
	CreatePreset(ctx context.Context, p *Preset) error
	// Preset returns the preset with the given ID, with its grants, or
	// ErrPresetNotFound.
	Preset(ctx context.Context, id int64) (*Preset, error)
	// Presets returns a company's presets with their grants, ordered by
	// name regardless of case, then ID.
	Presets(ctx context.Context, companyID int64) ([]*Preset, error)
	// UpdatePreset saves p's name, details, grants (replacing the old
	// ones) and UpdatedAt over the preset with p.ID, in one transaction;
	// its company and CreatedAt stay. A preset that does not exist is
	// ErrPresetNotFound; a name taken is ErrPresetExists, as for
	// CreatePreset.
	UpdatePreset(ctx context.Context, p *Preset) error
	// DeletePreset deletes the preset with its grants, or returns
	// ErrPresetNotFound.
	DeletePreset(ctx context.Context, id int64) error
}
