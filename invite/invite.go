package invite

import (
	"slices"
	"time"
)

// AdminLevel is how much of the platform a user administers.
type AdminLevel string

// The admin levels, from least to most.
const (
	AdminNone    AdminLevel = "none"
	AdminCompany AdminLevel = "company" // Company Administrator: their own company
	AdminGlobal  AdminLevel = "global"  // Global Administrator: every company
)

// Valid reports whether l is one of the defined levels.
func (l AdminLevel) Valid() bool {
	switch l {
	case AdminNone, AdminCompany, AdminGlobal:
		return true
	}
	return false
}

// Role is what a user may do within one subscription.
type Role string

// The subscription roles, from least to most.
const (
	RoleViewer        Role = "viewer"
	RoleContributor   Role = "contributor"
	RoleAdministrator Role = "administrator"
)

// Roles lists the subscription roles from least to most.
func Roles() []Role { return []Role{RoleViewer, RoleContributor, RoleAdministrator} }

// rank orders the roles; 0 for none.
func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleContributor:
		return 2
	case RoleAdministrator:
		return 3
	}
	return 0
}

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool {
	switch r {
	case RoleViewer, RoleContributor, RoleAdministrator:
		return true
	}
	return false
}

// Company is a customer of the platform. Its subscriptions are the products it
// has bought; its business roles are the job titles people are invited with.
type Company struct {
	ID              int64
	Name            string
	DefaultLanguage string // a tag from Languages
	TimeZone        string // an IANA time zone name
	Subscriptions   []Subscription
	BusinessRoles   []BusinessRole
	CreatedAt       time.Time
	// JoinRequests reports whether the company's join page is open, where
	// people without an invitation ask to join. Its address holds a secret
	// key that is shown once, when the page is opened (OpenJoinPage); only
	// the key's SHA-256 is kept.
	JoinRequests bool
	// Terms are the terms of use an invitee accepts to join, in the
	// company's own words; "" for the built-in terms, which the pages show
	// in the invitee's language.
	Terms string
	// AllowedDomains are the e-mail domains that the company's invitations
	// and join requests may go to, ordered by name; empty, any domain
	// (AllowsEmail). A Global Administrator sets them (SetAllowedDomains).
	AllowedDomains []AllowedDomain
}

// Subscription returns the company's subscription with the given ID.
func (c *Company) Subscription(id int64) (Subscription, bool) {
	for _, s := range c.Subscriptions {
		if s.ID == id {
			return s, true
		}
	}
	return Subscription{}, false
}

// BusinessRole returns the company's business role with the given ID.
func (c *Company) BusinessRole(id int64) (BusinessRole, bool) {
	for _, r := range c.BusinessRoles {
		if r.ID == id {
			return r, true
		}
	}
	return BusinessRole{}, false
}

// Subscription is a product a company subscribes to, such as "App Designer".
type Subscription struct {
	ID        int64
	CompanyID int64
	Name      string
	// Seats is how many people may hold the subscription at once, users
	// who are enabled and invitations that are pending (SeatUse); 0 for
	// no bound.
	Seats int
}

// BusinessRole is a job title within a company, such as "Plant Operator".
type BusinessRole struct {
	ID        int64
	CompanyID int64
	Name      string
}

// Grant gives a role within one subscription.
type Grant struct {
	SubscriptionID int64
	Role           Role
}

// User is a person who can log in. Email is their username, unique across the
// platform and stored in lower case. CompanyID is 0 only for a Global
// Administrator who belongs to no company.
type User struct {
	ID             int64
	CompanyID      int64
	Email          string
	FirstName      string
	LastName       string
	BusinessRoleID int64 // 0 when the user has none (a Global Administrator)
	Department     string
	Phone          string // E.164, or empty
	Language       string
	TimeZone       string
	AdminLevel     AdminLevel
	Grants         []Grant
	// PasswordHash is the argon2id hash of the password, for the Store to
	// keep. It is never in a User that the Service returns, and never in
	// any encoding of one.
	PasswordHash string `json:"-" xml:"-"`
	CreatedAt    time.Time
	DisabledAt   time.Time // zero while the user may log in
	LastLoginAt  time.Time // zero if never
	// AccessFrom and AccessUntil bound when the user may log in: from
	// AccessFrom on and before AccessUntil; zero is no bound. See
	// DisableEndedAccess.
	AccessFrom  time.Time
	AccessUntil time.Time
}

// Disabled reports whether the user may not log in.
func (u *User) Disabled() bool { return !u.DisabledAt.IsZero() }

// Grant returns the user's role in a subscription, "" if none.
func (u *User) Grant(subscriptionID int64) Role {
	for _, g := range u.Grants {
		if g.SubscriptionID == subscriptionID {
			return g.Role
		}
	}
	return ""
}

// Name returns the user's full name.
func (u *User) Name() string { return fullName(u.FirstName, u.LastName) }

// clone returns a copy of u that shares nothing with it.
func (u *User) clone() *User {
	c := *u
	c.Grants = slices.Clone(u.Grants)
	return &c
}

// Invitation asks a person to join a company. Only the SHA-256 hash of its
// token is kept; the token itself is returned once, by Invite and Resend.
type Invitation struct {
	ID             int64
	CompanyID      int64
	Email          string
	FirstName      string
	LastName       string
	BusinessRoleID int64
	Department     string
	Phone          string
	Language       string
	TimeZone       string
	AdminLevel     AdminLevel // AdminNone or AdminCompany
	Grants         []Grant
	InvitedBy      int64 // user ID
	// LastSentBy is the administrator who sent the current link: the
	// inviter, or whoever resent it last.
	LastSentBy int64
	TokenHash  []byte
	Status     Status // as stored; see StatusAt for the status at a time
	CreatedAt  time.Time
	ExpiresAt  time.Time
	TimesSent  int
	LastSentAt time.Time
	AcceptedAt time.Time // zero unless accepted
	AcceptedBy int64     // the user the invitation created
	CanceledAt time.Time // zero unless canceled
	CanceledBy int64
	// Mail is this invitation's own e-mail template; when zero, the
	// company's template for the invitee's language applies, or the
	// built-in one.
	Mail Template
	// RemindAt is when the reminder is due; zero when none is (sent, not
	// wanted, or the invitation is not pending).
	RemindAt   time.Time
	RemindedAt time.Time // when the last reminder was written; zero if never
	// RenewalRequestedAt is when the invitee of an expired invitation last
	// asked for a new one; zero if never.
	RenewalRequestedAt time.Time
	// Delivery is the state of the invitation's latest e-mail, loaded by
	// the store; nil if it has none.
	Delivery *Delivery
	// AccessFrom and AccessUntil are the access window the user gets on
	// Accept; zero is no bound.
	AccessFrom  time.Time
	AccessUntil time.Time
}

// Name returns the invitee's full name.
func (inv *Invitation) Name() string { return fullName(inv.FirstName, inv.LastName) }

// RenewalAsked reports whether the invitee asked for a new invitation
// that has not been sent yet.
func (inv *Invitation) RenewalAsked() bool {
	return !inv.RenewalRequestedAt.IsZero() && inv.RenewalRequestedAt.After(inv.LastSentAt)
}

// StatusAt returns the status at time now: a pending invitation whose
// ExpiresAt is not after now is expired, whether or not it has been marked so.
func (inv *Invitation) StatusAt(now time.Time) Status {
	if inv.Status == StatusPending && !now.Before(inv.ExpiresAt) {
		return StatusExpired
	}
	return inv.Status
}

func fullName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}
