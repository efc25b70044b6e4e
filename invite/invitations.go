package invite

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// InvitationInput is who is invited and what they get.
type InvitationInput struct {
	// CompanyID is the company to join. A Company Administrator may leave it
	// 0 for their own company; a Global Administrator must name one.
	CompanyID      int64
	Email          string
	FirstName      string
	LastName       string
	BusinessRoleID int64
	Department     string     // optional
	Phone          string     // optional; international form, stored as E.164
	Language       string     // the company's default language when empty
	TimeZone       string     // the company's time zone when empty
	AdminLevel     AdminLevel // AdminNone (or empty) or AdminCompany
	Grants         []Grant
	// Mail is this invitation's own e-mail template; zero for the
	// company's (or the built-in one).
	Mail Template
	// AccessFrom and AccessUntil bound when the user may log in (see
	// AccessWindow); zero is no bound. AccessUntil must be after
	// AccessFrom and, when inviting or resending, after now.
	AccessFrom  time.Time
	AccessUntil time.Time
	// Preset is the name of a preset of the company that fills the
	// fields left empty (Preset.Fill); "" for none.
	Preset string
}

// Input returns the invitation's details as the input that made it, its
// own e-mail template included: the start of a Resend that changes only
// some of them.
//
//	in := inv.Input()
//	in.LastName = "Hopper"
//	inv, token, err := svc.Resend(ctx, inv.ID, &in)
func (inv *Invitation) Input() InvitationInput {
	return InvitationInput{
		CompanyID:      inv.CompanyID,
		Email:          inv.Email,
		FirstName:      inv.FirstName,
		LastName:       inv.LastName,
		BusinessRoleID: inv.BusinessRoleID,
		Department:     inv.Department,
		Phone:          inv.Phone,
		Language:       inv.Language,
		TimeZone:       inv.TimeZone,
		AdminLevel:     inv.AdminLevel,
		Grants:         append([]Grant(nil), inv.Grants...),
		Mail:           inv.Mail,
		AccessFrom:     inv.AccessFrom,
		AccessUntil:    inv.AccessUntil,
	}
}

// details validates in against company c (phone numbers with checkPhone)
// and returns the validated values as an invitation without lifecycle
// fields.
func (in *InvitationInput) details(c *Company, checkPhone func(string) (string, bool)) (*Invitation, error) {
	var v validator
	inv := &Invitation{
		CompanyID:  c.ID,
		Email:      v.email("email", in.Email),
		FirstName:  v.text("first_name", in.FirstName, true, MaxNameLen),
		LastName:   v.text("last_name", in.LastName, true, MaxNameLen),
		Department: v.text("department", in.Department, false, MaxTextLen),
		Phone:      v.phone("phone", in.Phone, checkPhone),
		Language:   v.language("language", in.Language, c.DefaultLanguage),
		TimeZone:   v.timeZone("time_zone", in.TimeZone, c.TimeZone),
		AdminLevel: in.AdminLevel,
		Grants:     v.grants("grants", in.Grants, c),
	}
	v.allowedEmail("email", inv.Email, c)
	switch _, ok := c.BusinessRole(in.BusinessRoleID); {
	case in.BusinessRoleID == 0:
		v.add("business_role", ReasonRequired, "is required")
	case !ok:
		v.add("business_role", ReasonUnknownBusinessRole, "is not a business role of the company")
	default:
		inv.BusinessRoleID = in.BusinessRoleID
	}
	switch inv.AdminLevel {
	case "":
		inv.AdminLevel = AdminNone
	case AdminNone, AdminCompany:
	default:
		v.add("admin_level", ReasonInvalidAdminLevel, "must be none or company")
	}
	if !in.Mail.IsZero() {
		v.template(in.Mail)
		inv.Mail = in.Mail
	}
	w := v.accessWindow(AccessWindow{From: in.AccessFrom, Until: in.AccessUntil}, time.Time{}, false)
	inv.AccessFrom, inv.AccessUntil = w.From, w.Until
	if err := v.err(); err != nil {
		return nil, err
	}
	return inv, nil
}

// setDetails replaces who inv invites and what they get with d's.
func (inv *Invitation) setDetails(d *Invitation) {
	inv.Email, inv.FirstName, inv.LastName = d.Email, d.FirstName, d.LastName
	inv.BusinessRoleID, inv.Department, inv.Phone = d.BusinessRoleID, d.Department, d.Phone
	inv.Language, inv.TimeZone = d.Language, d.TimeZone
	inv.AdminLevel, inv.Grants = d.AdminLevel, d.Grants
	inv.Mail = d.Mail
	inv.AccessFrom, inv.AccessUntil = d.AccessFrom, d.AccessUntil
}

// companyFor returns the company an invitation input names, if the acting
// administrator u administers it.
func (s *Service) companyFor(ctx context.Context, u *User, companyID int64) (*Company, error) {
	if companyID == 0 {
		companyID = u.CompanyID
	}
	if companyID == 0 {
		var v validator
		v.add("company", ReasonRequired, "is required")
		return nil, v.err()
	}
	if !administers(u, companyID) {
		return nil, ErrCompanyNotFound
	}
	return s.st().Company(ctx, companyID)
}

// checkNoUser fails with ErrUserExists if the e-mail address belongs to a
// user whom the acting administrator u sees: a user of the company invited
// to, or anyone for a Global Administrator. That an address has an account
// in another company is not told to a Company Administrator, who would
// learn who has an account anywhere on the platform: the invitation is
// made as for anyone else, and its invitee, following the link, is told
// that they have an account already (Invitee, Accept). It never makes a
// second account.
func (s *Service) checkNoUser(ctx context.Context, u *User, companyID int64, email string) error {
	existing, err := s.st().UserByEmail(ctx, email)
	switch {
	case errors.Is(err, ErrUserNotFound):
		return nil
	case err != nil:
		return err
	case u.AdminLevel == AdminGlobal || existing.CompanyID == companyID:
		return withField(ErrUserExists, "email")
	}
	return nil
}

// clearPending makes way for a pending invitation to the address in the
// company: another invitation than except that is pending there is
// ErrInvitationPending, told before the bounds on mail count a sending
// that cannot happen, unless it is past its expiry; then it is marked
// expired, as ExpireDue would, since a store keeps one pending invitation
// per company and address. (The store decides in the end, when two race.)
func (s *Service) clearPending(ctx context.Context, companyID int64, email string, except int64) error {
	invs, err := s.st().Invitations(ctx, InvitationQuery{CompanyID: companyID, PendingEmail: email, Limit: 2})
	if err != nil {
		return err
	}
	now := s.clock()
	for _, inv := range invs {
		switch {
		case inv.ID == except:
		case inv.StatusAt(now) == StatusPending:
			return withField(ErrInvitationPending, "email")
		default:
			if err := s.markExpired(ctx, inv.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// pendingOr returns why a sending to the address was refused: limited,
// the error of the bounds on mail, unless an invitation other than except
// has become pending there meanwhile (another administrator's, at the same
// moment, whose mail is what the bound counted): then that.
func (s *Service) pendingOr(ctx context.Context, companyID int64, email string, except int64, limited error) error {
	if ErrorCode(limited) != CodeLimited {
		return limited
	}
	if err := s.clearPending(ctx, companyID, email, except); errors.Is(err, ErrInvitationPending) {
		return err
	}
	return limited
}

// Invite makes a pending invitation and returns it with its token, the only
// time the token is available: it goes into the link that is sent.
func (s *Service) Invite(ctx context.Context, in InvitationInput) (*Invitation, string, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, "", err
	}
	c, err := s.companyFor(ctx, u, in.CompanyID)
	if err != nil {
		return nil, "", err
	}
	inv, err := s.checkInvite(ctx, u, c, in)
	if err != nil {
		return nil, "", err
	}
	mc, err := s.loadMailContext(ctx, inv, c, u)
	if err != nil {
		return nil, "", err
	}
	token, msg, err := s.stamp(inv, u, mc)
	if err != nil {
		return nil, "", err
	}
	// The bounds count the invitation that is made, and only it: one that
	// races another to the same address waits for it, and is told that it
	// is pending, not that it was sent too often.
	err = s.inTx(ctx, func(tx *Service) error {
		if err := tx.takeLimits(ctx, tx.sending(u, c.ID, inv.Email)...); err != nil {
			return err
		}
		// Seats are held if the company had any when it was read: seats
		// set since count from the invitations that follow.
		if limitsSeats(c) {
			seats, err := tx.holdSeats(ctx, c.ID)
			if err != nil {
				return err
			}
			if err := seats.take(inv.Grants, nil, forInvitation); err != nil {
				return err
			}
		}
		if err := tx.st().CreateInvitation(ctx, inv, msg); err != nil {
			return err
		}
		if err := tx.stillMay(ctx, u, c.ID, inv.Grants); err != nil {
			return err
		}
		if err := tx.logEvents(ctx, sentEvents(EventInvitationCreated, inv, u, msg, nil)...); err != nil {
			return err
		}
		if err := tx.keepOnce(ctx, inv); err != nil { // InviteOnce's key, if any
			return err
		}
		tx.queued()
		return nil
	})
	switch {
	case errors.Is(err, ErrInvitationPending):
		return nil, "", withField(ErrInvitationPending, "email")
	case err != nil:
		return nil, "", s.pendingOr(ctx, c.ID, inv.Email, 0, err)
	}
	return inv, token, nil
}

// checkInvite checks in as an invitation into company c by administrator u
// (details, grants u may give, no user and no pending invitation at the
// address) and returns the invitation to make, without lifecycle fields:
// the rules of Invite, which InviteMany checks each row by too.
func (s *Service) checkInvite(ctx context.Context, u *User, c *Company, in InvitationInput) (*Invitation, error) {
	if in.Preset != "" {
		presets, err := s.companyPresets(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		if err := fillPreset(&in, presets); err != nil {
			return nil, err
		}
	}
	inv, err := in.details(c, s.checkPhone)
	if err := withWindowErrors(err, &in, s.clock()); err != nil {
		return nil, err
	}
	var v validator
	if v.grantable("grants", u, inv.Grants); v.err() != nil {
		return nil, v.err()
	}
	if err := s.checkNoUser(ctx, u, c.ID, inv.Email); err != nil {
		return nil, err
	}
	if err := s.clearPending(ctx, c.ID, inv.Email, 0); err != nil {
		return nil, err
	}
	return inv, nil
}

// stamp makes checked invitation inv, sent now by u, pending: its token,
// times and message (from mail context mc), which it returns.
func (s *Service) stamp(inv *Invitation, u *User, mc *mailContext) (string, *Message, error) {
	token, hash, err := newToken(s.rand)
	if err != nil {
		return "", nil, err
	}
	now := s.clock()
	inv.InvitedBy, inv.LastSentBy = u.ID, u.ID
	inv.TokenHash = hash
	inv.Status = StatusPending
	inv.CreatedAt = now
	inv.ExpiresAt = now.Add(s.ttl)
	inv.RemindAt = s.remindAt(now, inv.ExpiresAt)
	inv.TimesSent = 1
	inv.LastSentAt = now
	msg, err := s.compose(KindInvitation, inv, mc, token, now)
	if err != nil {
		return "", nil, err
	}
	return token, msg, nil
}

// stillMay checks, in a transaction that has written on the authority of
// actor, an administrator, that they may still do it as they are stored
// now: administer the company and grant the grants. It holds them so
// until the transaction commits (Store.HoldUser), after its writes, as
// UpdateUser's locks come after a company's: a demotion or disabling
// that committed first is seen here, and one that commits after sees
// what was written, and cancels what they may no longer have sent.
// Checked only when the call began, a demotion during the request left
// its invitations pending (found from outside).
func (s *Service) stillMay(ctx context.Context, actor *User, companyID int64, grants []Grant) error {
	cur, err := s.st().HoldUser(ctx, actor.ID)
	switch {
	case errors.Is(err, ErrUserNotFound):
		return ErrUnauthorized
	case err != nil:
		return err
	case cur.Disabled():
		return ErrUnauthorized
	case cur.AdminLevel != AdminGlobal && cur.AdminLevel != AdminCompany:
		return ErrForbidden
	case !administers(cur, companyID):
		return ErrCompanyNotFound
	}
	var v validator
	v.grantable("grants", cur, grants)
	return v.err()
}

// visibleInvitation returns the invitation if the acting administrator
// administers its company, and ErrInvitationNotFound otherwise.
func (s *Service) visibleInvitation(ctx context.Context, id int64) (*User, *Invitation, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, nil, err
	}
	inv, err := s.st().Invitation(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !administers(u, inv.CompanyID) {
		return nil, nil, ErrInvitationNotFound
	}
	return u, inv, nil
}

// Invitation returns an invitation the acting administrator administers,
// with Status as it is now.
func (s *Service) Invitation(ctx context.Context, id int64) (*Invitation, error) {
	u, inv, err := s.visibleInvitation(ctx, id)
	if err != nil {
		return nil, err
	}
	inv.Status = inv.StatusAt(s.clock())
	return forReader(u, inv), nil
}

// forReader returns inv as reader may read it: its delivery's error as
// deliveryError says.
func forReader(reader *User, inv *Invitation) *Invitation {
	if inv.Delivery != nil {
		inv.Delivery.Error = deliveryError(reader, inv.Delivery.Error)
	}
	return inv
}

// Resend sends a pending or expired invitation again: a new token (the old
// link stops working), a new expiry and, if in is not nil, the details in
// in instead of the old ones, every one of them, its e-mail template too
// (the company stays): to change some, start from inv.Input(). It returns
// the new token.
func (s *Service) Resend(ctx context.Context, id int64, in *InvitationInput) (*Invitation, string, error) {
	actor, inv, err := s.visibleInvitation(ctx, id)
	if err != nil {
		return nil, "", err
	}
	now := s.clock()
	if st := inv.StatusAt(now); !CanTransition(st, StatusPending) {
		return nil, "", errFinal(st)
	}
	var (
		details *Invitation
		c       *Company
	)
	// Sending it again grants it again, and changing it acts on what it
	// grants: nobody does either above their own.
	if !CanManageInvitation(actor, inv) {
		return nil, "", ErrInvitationAboveYou
	}
	if in != nil {
		if in.CompanyID != 0 && in.CompanyID != inv.CompanyID {
			var v validator
			v.add("company", ReasonImmutable, "cannot change when resending")
			return nil, "", v.err()
		}
		if c, err = s.st().Company(ctx, inv.CompanyID); err != nil {
			return nil, "", err
		}
		details, err = in.details(c, s.checkPhone)
		if err := withWindowErrors(err, in, now); err != nil {
			return nil, "", err
		}
		var v validator
		if v.grantable("grants", actor, details.Grants); v.err() != nil {
			return nil, "", v.err()
		}
		if details.Email != inv.Email {
			if err := s.checkNoUser(ctx, actor, inv.CompanyID, details.Email); err != nil {
				return nil, "", err
			}
		}
	}
	if details == nil && !inv.AccessUntil.IsZero() && !inv.AccessUntil.After(now) {
		// Sent again as it is, it would make an account that can never
		// log in: the window is extended with the resend.
		var v validator
		v.add("access_until", ReasonNotInFuture, "must be in the future")
		return nil, "", v.err()
	}
	to := inv.Email
	if details != nil {
		to = details.Email
	} else {
		// Sent again unchanged, it follows the company's allowed domains
		// as they are now, as a new invitation would (details checks
		// them for one that changes).
		if c, err = s.st().Company(ctx, inv.CompanyID); err != nil {
			return nil, "", err
		}
		if err := domainRefused(c, "email", to); err != nil {
			return nil, "", err
		}
	}
	// Made pending again, or sent to another address, it takes the place
	// of the pending invitation to its address.
	if to != inv.Email || inv.Status != StatusPending {
		if err := s.clearPending(ctx, inv.CompanyID, to, inv.ID); err != nil {
			return nil, "", err
		}
	}
	// Signed by whoever sends it now, as its preview is.
	mc, err := s.loadMailContext(ctx, inv, c, actor)
	if err != nil {
		return nil, "", err
	}
	token, hash, err := newToken(s.rand)
	if err != nil {
		return nil, "", err
	}
	// Every sending lands in somebody's mailbox: the bounds count it, in
	// the transaction that makes it, as Invite's do.
	var resent *Invitation
	err = s.inTx(ctx, func(tx *Service) error {
		if err := tx.takeLimits(ctx, tx.sending(actor, inv.CompanyID, to)...); err != nil {
			return err
		}
		seats, err := tx.holdSeats(ctx, inv.CompanyID)
		if err != nil {
			return err
		}
		var (
			msg    *Message
			before map[string]any
			status Status
		)
		resent, err = tx.st().UpdateInvitation(ctx, id, func(inv *Invitation) (*Message, error) {
			held := pendingSeats(inv, now)
			before, status = invitationFields(inv), inv.StatusAt(now)
			if details != nil {
				inv.setDetails(details)
			}
			if err := seats.take(inv.Grants, held, forInvitation); err != nil {
				return nil, err
			}
			expiresAt := now.Add(s.ttl)
			if err := inv.resend(hash, now, expiresAt, s.remindAt(now, expiresAt)); err != nil {
				return nil, err
			}
			inv.LastSentBy = actor.ID
			msg, err = s.compose(KindInvitation, inv, mc, token, now)
			return msg, err
		})
		if err != nil {
			return err
		}
		if err := tx.stillMay(ctx, actor, resent.CompanyID, resent.Grants); err != nil {
			return err
		}
		d := map[string]any{"was": string(status)}
		if ch := changes(before, invitationFields(resent)); ch != nil {
			d["changed"] = ch
		}
		if err := tx.logEvents(ctx, sentEvents(EventInvitationResent, resent, actor, msg, d)...); err != nil {
			return err
		}
		tx.queued()
		return nil
	})
	switch {
	case errors.Is(err, ErrInvitationPending):
		return nil, "", withField(ErrInvitationPending, "email")
	case err != nil:
		return nil, "", s.pendingOr(ctx, inv.CompanyID, to, inv.ID, err)
	}
	return resent, token, nil
}

// Cancel cancels a pending invitation; its link stops working. Nobody
// cancels an invitation that grants above their own role.
func (s *Service) Cancel(ctx context.Context, id int64) (*Invitation, error) {
	return s.CancelBecause(ctx, id, "")
}

// MaxReasonLen bounds the reason of a cancellation, in characters.
const MaxReasonLen = 500

// CancelBecause is Cancel with the administrator's reason, which the
// invitation's history keeps: one line of at most MaxReasonLen
// characters, or "" for none.
func (s *Service) CancelBecause(ctx context.Context, id int64, reason string) (*Invitation, error) {
	var v validator
	reason = v.text("reason", reason, false, MaxReasonLen)
	if err := v.err(); err != nil {
		return nil, err
	}
	u, inv, err := s.visibleInvitation(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CanManageInvitation(u, inv) {
		return nil, ErrInvitationAboveYou
	}
	now := s.clock()
	err = s.inTx(ctx, func(tx *Service) error {
		canceled, err := tx.st().UpdateInvitation(ctx, id, func(inv *Invitation) (*Message, error) {
			return nil, inv.cancel(u.ID, now)
		})
		if err != nil {
			return err
		}
		inv = canceled
		e := invitationEvent(EventInvitationCanceled, inv).by(u)
		if reason != "" {
			e.with(map[string]any{"reason": reason})
		}
		return tx.logEvents(ctx, e)
	})
	if err != nil {
		return nil, err
	}
	return forReader(u, inv), nil
}

// InvitationFilter selects invitations for Invitations.
type InvitationFilter struct {
	CompanyID int64  // 0: every company the acting administrator administers
	Status    Status // "" for any status
	Email     string // part of the e-mail address, any case; "" for any
	After     string // the Next of the previous page; "" for the first page
	Limit     int    // page size; DefaultPageSize when 0, at most MaxPageSize
}

// Page sizes for Invitations.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// InvitationPage is one page of invitations, newest first.
type InvitationPage struct {
	Invitations []*Invitation
	// Next is the cursor of the following page; "" on the last page.
	Next string
}

// Invitations lists invitations newest first, a page at a time, with Status
// as it is now. Pages are cut by a cursor, not an offset, so a page is
// neither skipped nor repeated when invitations are added meanwhile.
func (s *Service) Invitations(ctx context.Context, f InvitationFilter) (*InvitationPage, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	companyID, err := scope(u, f.CompanyID)
	if err != nil {
		return nil, err
	}
	q := InvitationQuery{CompanyID: companyID, Now: s.clock()}
	var v validator
	if f.Status != "" && !f.Status.Valid() {
		v.add("status", ReasonInvalidStatus, "must be pending, accepted, expired or canceled")
	}
	q.Status = f.Status
	q.Email = strings.ToLower(v.text("email", f.Email, false, MaxEmailLen))
	if err := v.err(); err != nil {
		return nil, err
	}
	if f.After != "" {
		c, err := decodeCursor(f.After)
		if err != nil {
			return nil, err
		}
		q.After = &c
	}
	limit := pageSize(f.Limit)
	q.Limit = limit + 1 // one more tells whether there is a next page
	invs, err := s.st().Invitations(ctx, q)
	if err != nil {
		return nil, err
	}
	page := &InvitationPage{Invitations: invs}
	if len(invs) > limit {
		page.Invitations = invs[:limit]
		last := page.Invitations[limit-1]
		page.Next = encodeCursor(Cursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	for _, inv := range page.Invitations {
		inv.Status = inv.StatusAt(q.Now)
		forReader(u, inv)
	}
	return page, nil
}

func encodeCursor(c Cursor) string {
	return base64.RawURLEncoding.EncodeToString(
		fmt.Appendf(nil, "%d.%d", c.CreatedAt.UnixMicro(), c.ID))
}

func decodeCursor(s string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, ErrInvalidCursor
	}
	micro, id, ok := strings.Cut(string(b), ".")
	us, err1 := strconv.ParseInt(micro, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return Cursor{}, ErrInvalidCursor
	}
	return Cursor{CreatedAt: time.UnixMicro(us).UTC(), ID: n}, nil
}

// ExpireDue marks expired every pending invitation past its expiry, in
// bounded batches, and returns how many it marked. It is the scheduled
// job's work and does no authorization; running it on many instances at
// once is safe.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	now := s.clock()
	total := 0
	for {
		var n int
		err := s.inTx(ctx, func(tx *Service) error {
			marked, err := tx.st().ExpireInvitations(ctx, now, expireBatch)
			n = len(marked)
			evs := make([]*Event, len(marked))
			for i, inv := range marked {
				evs[i] = invitationEvent(EventInvitationExpired, inv).with(map[string]any{"expires_at": dateText(inv.ExpiresAt)})
			}
			if err != nil {
				return err
			}
			return tx.logEvents(ctx, evs...)
		})
		total += n
		// Until a batch finds none: one that marked fewer than it could
		// may have lost some to another instance, with more left.
		if err != nil || n == 0 {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}
