package memstore

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/invitehq/invite/invite"
)

// data is everything a Store keeps: one table for each of package store's,
// but that subscriptions, business roles and grants live in the rows they
// belong to. Rows change only through the put and delete methods below,
// which keep the constraints of package store's schema.
type data struct {
	log journal

	companies    table[int64, company]
	users        table[int64, invite.User]
	sessions     table[string, invite.Session] // by token hash
	invitations  table[int64, invite.Invitation]
	messages     table[int64, invite.Message]
	resets       table[int64, invite.PasswordReset]
	joinRequests table[int64, invite.JoinRequest]
	templates    table[templateKey, invite.Template]
	limits       table[string, time.Time] // by key hash

	// The IDs given so far: subscriptions and business roles number
	// apart from their companies, as in package store.
	companyIDs, subscriptionIDs, businessRoleIDs, userIDs sequence
	invitationIDs, messageIDs, resetIDs, joinRequestIDs   sequence

	presets   table[int64, invite.Preset]
	presetIDs sequence
	batches   table[int64, invite.Batch]
	batchIDs  sequence
	events    table[int64, invite.Event]
	eventIDs  sequence

	webhooks        webhookTables // webhooks.go
	apiTokens       table[int64, invite.APIToken]
	apiTokenIDs     sequence
	idempotencyKeys table[int64, invite.IdempotencyKey]
	idempotencyIDs  sequence
}

// company is a company's row: the company, with its subscriptions and
// business roles, and the SHA-256 of its join page's key (nil for none).
type company struct {
	invite.Company
	joinKey []byte
}

// templateKey is the key of a company's mail template.
type templateKey struct {
	companyID int64
	lang      string
}

func newData() *data {
	d := new(data)
	d.companies = newTable[int64, company](&d.log)
	d.users = newTable[int64, invite.User](&d.log)
	d.sessions = newTable[string, invite.Session](&d.log)
	d.invitations = newTable[int64, invite.Invitation](&d.log)
	d.messages = newTable[int64, invite.Message](&d.log)
	d.resets = newTable[int64, invite.PasswordReset](&d.log)
	d.joinRequests = newTable[int64, invite.JoinRequest](&d.log)
	d.templates = newTable[templateKey, invite.Template](&d.log)
	d.limits = newTable[string, time.Time](&d.log)
	d.presets = newTable[int64, invite.Preset](&d.log)
	d.presetIDs.log = &d.log
	d.batches = newTable[int64, invite.Batch](&d.log)
	d.batchIDs.log = &d.log
	d.events = newTable[int64, invite.Event](&d.log)
	d.eventIDs.log = &d.log
	d.webhooks = newWebhookTables(&d.log)
	d.apiTokens = newTable[int64, invite.APIToken](&d.log)
	d.apiTokenIDs.log = &d.log
	d.idempotencyKeys = newTable[int64, invite.IdempotencyKey](&d.log)
	d.idempotencyIDs.log = &d.log
	for _, s := range []*sequence{
		&d.companyIDs, &d.subscriptionIDs, &d.businessRoleIDs, &d.userIDs,
		&d.invitationIDs, &d.messageIDs, &d.resetIDs, &d.joinRequestIDs,
	} {
		s.log = &d.log
	}
	return d
}

// atomically runs fn, and undoes what it changed if it returns an error or
// panics.
func (d *data) atomically(fn func(*data) error) error {
	mark := d.log.mark()
	ok := false
	defer func() {
		if !ok {
			d.log.rollback(mark)
		}
	}()
	if err := fn(d); err != nil {
		return err
	}
	ok = true
	return nil
}

// errInternal returns an internal error, as package store does for a
// violated constraint that has no error of its own.
func errInternal(format string, args ...any) error {
	return &invite.Error{
		Code:    invite.CodeInternal,
		Reason:  "internal",
		Message: "An internal error occurred.",
		Err:     errors.New("memstore: " + fmt.Sprintf(format, args...)),
	}
}

// sameHash reports whether a and b are the same hash. A nil hash is SQL's
// NULL, which equals nothing.
func sameHash(a, b []byte) bool { return a != nil && b != nil && bytes.Equal(a, b) }

// putCompany stores c. A name that equals another company's regardless of
// case is ErrCompanyExists.
func (d *data) putCompany(c company) error {
	key := nameKey(c.Name)
	for _, o := range d.companies.rows {
		switch {
		case o.ID == c.ID:
		case nameKey(o.Name) == key:
			return invite.ErrCompanyExists
		case sameHash(o.joinKey, c.joinKey):
			return errInternal("company %d has the join key of company %d", c.ID, o.ID)
		}
	}
	d.companies.put(c.ID, c)
	return nil
}

// putUser stores u. An e-mail address that another user has is
// ErrUserExists.
func (d *data) putUser(u invite.User) error {
	for _, o := range d.users.rows {
		if o.ID != u.ID && o.Email == u.Email {
			return invite.ErrUserExists
		}
	}
	if u.CompanyID != 0 {
		c, ok := d.companies.get(u.CompanyID)
		if !ok {
			return errInternal("user %d: no company %d", u.ID, u.CompanyID)
		}
		if _, ok := c.BusinessRole(u.BusinessRoleID); u.BusinessRoleID != 0 && !ok {
			return errInternal("user %d: no business role %d in company %d", u.ID, u.BusinessRoleID, u.CompanyID)
		}
	}
	if err := d.checkGrants("user", u.ID, u.CompanyID, u.Grants); err != nil {
		return err
	}
	d.users.put(u.ID, u)
	return nil
}

// deleteUser deletes the user with the given ID with what goes with them:
// their sessions and password resets (their grants are in their row).
func (d *data) deleteUser(id int64) {
	for k, s := range d.sessions.rows {
		if s.UserID == id {
			d.sessions.delete(k)
		}
	}
	for k, r := range d.resets.rows {
		if r.UserID == id {
			d.resets.delete(k)
		}
	}
	d.users.delete(id)
	d.deleteAPITokensOf(id) // as the foreign key's ON DELETE CASCADE does
}

// putSession stores s; its user must exist.
func (d *data) putSession(s invite.Session) error {
	if _, ok := d.users.get(s.UserID); !ok {
		return invite.ErrUserNotFound
	}
	if _, ok := d.sessions.get(string(s.TokenHash)); ok {
		return errInternal("a session with this token hash exists")
	}
	d.sessions.put(string(s.TokenHash), s)
	return nil
}

// putInvitation stores inv. A pending invitation takes the place of its
// company and e-mail address: another pending one there that expires
// after now is ErrInvitationPending, and one that does not is first marked
// expired.
func (d *data) putInvitation(inv invite.Invitation) error {
	for _, o := range d.invitations.rows {
		if o.ID == inv.ID {
			continue
		}
		if holdsPlace(o) && holdsPlace(inv) && o.CompanyID == inv.CompanyID && o.Email == inv.Email {
			return invite.ErrInvitationPending
		}
		if sameHash(o.TokenHash, inv.TokenHash) {
			return errInternal("invitation %d has the token hash of invitation %d", inv.ID, o.ID)
		}
	}
	c, ok := d.companies.get(inv.CompanyID)
	if !ok {
		return errInternal("invitation %d: no company %d", inv.ID, inv.CompanyID)
	}
	if _, ok := c.BusinessRole(inv.BusinessRoleID); !ok {
		return errInternal("invitation %d: no business role %d in company %d", inv.ID, inv.BusinessRoleID, inv.CompanyID)
	}
	if err := d.checkGrants("invitation", inv.ID, inv.CompanyID, inv.Grants); err != nil {
		return err
	}
	d.invitations.put(inv.ID, inv)
	return nil
}

// holdsPlace reports whether inv holds the one place of pending
// invitations of its company and address: whether it is pending as
// stored, past its expiry or not.
func holdsPlace(inv invite.Invitation) bool { return inv.Status == invite.StatusPending }

// checkGrants checks that grants, of the user or invitation with the given
// ID, name subscriptions of the company, each once.
func (d *data) checkGrants(of string, id, companyID int64, grants []invite.Grant) error {
	if len(grants) == 0 {
		return nil
	}
	c, ok := d.companies.get(companyID)
	seen := make(map[int64]bool, len(grants))
	for _, g := range grants {
		if _, sub := c.Subscription(g.SubscriptionID); !ok || !sub {
			return errInternal("%s %d: no subscription %d in company %d", of, id, g.SubscriptionID, companyID)
		}
		if seen[g.SubscriptionID] {
			return errInternal("%s %d: two grants of subscription %d", of, id, g.SubscriptionID)
		}
		seen[g.SubscriptionID] = true
	}
	return nil
}

// putMessage stores m. Its Message-ID is its own.
func (d *data) putMessage(m invite.Message) error {
	for _, o := range d.messages.rows {
		if o.ID != m.ID && o.MessageID == m.MessageID {
			return errInternal("message %d has the Message-ID of message %d", m.ID, o.ID)
		}
	}
	if _, ok := d.companies.get(m.CompanyID); m.CompanyID != 0 && !ok {
		return errInternal("message %d: no company %d", m.ID, m.CompanyID)
	}
	if _, ok := d.invitations.get(m.InvitationID); m.InvitationID != 0 && !ok {
		return errInternal("message %d: no invitation %d", m.ID, m.InvitationID)
	}
	d.messages.put(m.ID, m)
	return nil
}

// putReset stores r.
func (d *data) putReset(r invite.PasswordReset) error {
	for _, o := range d.resets.rows {
		if o.ID != r.ID && sameHash(o.TokenHash, r.TokenHash) {
			return errInternal("password reset %d has the token hash of password reset %d", r.ID, o.ID)
		}
	}
	if _, ok := d.users.get(r.UserID); r.UserID != 0 && !ok {
		return errInternal("password reset %d: no user %d", r.ID, r.UserID)
	}
	d.resets.put(r.ID, r)
	return nil
}

// putJoinRequest stores r. A second pending request of one address to
// one company is ErrJoinRequestPending.
func (d *data) putJoinRequest(r invite.JoinRequest) error {
	for _, o := range d.joinRequests.rows {
		if o.ID != r.ID && o.Status == invite.JoinPending && r.Status == invite.JoinPending &&
			o.CompanyID == r.CompanyID && o.Email == r.Email {
			return invite.ErrJoinRequestPending
		}
	}
	if _, ok := d.companies.get(r.CompanyID); !ok {
		return errInternal("join request %d: no company %d", r.ID, r.CompanyID)
	}
	d.joinRequests.put(r.ID, r)
	return nil
}

// putTemplate stores a company's mail template for a language.
func (d *data) putTemplate(k templateKey, t invite.Template) error {
	if _, ok := d.companies.get(k.companyID); !ok {
		return errInternal("mail template: no company %d", k.companyID)
	}
	d.templates.put(k, t)
	return nil
}
