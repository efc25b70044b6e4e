package invite

import (
	"context"
	"errors"
	"slices"
	"time"
)

// JoinStatus is where a request to join is.
type JoinStatus string

// The statuses of a request to join. A request is kept as it comes
// (requested), whoever it is from; a job looks at it (processing) and
// either shows it to the company's administrators (pending) or drops it
// (discarded: the address has an account, or asked already).
const (
	JoinRequested  JoinStatus = "requested"
	JoinProcessing JoinStatus = "processing"
	JoinDiscarded  JoinStatus = "discarded"
	JoinPending    JoinStatus = "pending"
	JoinApproved   JoinStatus = "approved" // an invitation was sent
	JoinDeclined   JoinStatus = "declined"
)

// JoinRequest is a person without an invitation asking to join a company.
type JoinRequest struct {
	ID           int64
	CompanyID    int64
	Email        string
	FirstName    string
	LastName     string
	Phone        string
	Language     string
	TimeZone     string
	Status       JoinStatus
	CreatedAt    time.Time
	DecidedAt    time.Time
	DecidedBy    int64
	InvitationID int64 // the invitation an approval sent
	// ClaimedUntil is when the claim of a processing request lapses, and
	// it is claimed again.
	ClaimedUntil time.Time
}

// Name returns the requester's full name.
func (r *JoinRequest) Name() string { return fullName(r.FirstName, r.LastName) }

// JoinRequestInput is what a person fills in on a company's join page.
type JoinRequestInput struct {
	Email, FirstName, LastName, Phone, Language, TimeZone string
}

// JoinPage returns the name of the company whose join page has the given
// key, if the page takes requests, with its allowed e-mail domains, which
// RequestToJoin follows. It needs no acting user.
func (s *Service) JoinPage(ctx context.Context, key string) (*Company, error) {
	c, err := s.joinCompany(ctx, key)
	if err != nil {
		return nil, err
	}
	return &Company{ID: c.ID, Name: c.Name, DefaultLanguage: c.DefaultLanguage, TimeZone: c.TimeZone, AllowedDomains: c.AllowedDomains}, nil
}

// joinCompany returns the company whose open join page has the key, or
// ErrJoinClosed.
func (s *Service) joinCompany(ctx context.Context, key string) (*Company, error) {
	hash, ok := HashToken(key)
	if !ok {
		return nil, ErrJoinClosed
	}
	c, err := s.st().CompanyByJoinKey(ctx, hash)
	switch {
	case errors.Is(err, ErrCompanyNotFound):
		return nil, ErrJoinClosed
	case err != nil:
		return nil, err
	case !c.JoinRequests:
		return nil, ErrJoinClosed
	}
	return c, nil
}

// RequestToJoin asks to join the company of a join page. The request is
// kept as it comes and looked at later by a job (ProcessJoinRequests),
// which tells the company's administrators: so the answer, and the time it
// takes, are the same whether or not the address has an account or has
// asked before, and the page shows nothing about anyone.
func (s *Service) RequestToJoin(ctx context.Context, key string, in JoinRequestInput) error {
	c, err := s.joinCompany(ctx, key)
	if err != nil {
		return err
	}
	var v validator
	r := &JoinRequest{
		CompanyID: c.ID,
		Email:     v.email("email", in.Email),
		FirstName: v.text("first_name", in.FirstName, true, MaxNameLen),
		LastName:  v.text("last_name", in.LastName, true, MaxNameLen),
		Phone:     v.phone("phone", in.Phone, s.checkPhone),
		Language:  v.language("language", in.Language, c.DefaultLanguage),
		TimeZone:  v.timeZone("time_zone", in.TimeZone, c.TimeZone),
		Status:    JoinRequested,
		CreatedAt: s.clock(),
	}
	v.allowedEmail("email", r.Email, c)
	if err := v.err(); err != nil {
		return err
	}
	// Whoever holds the address may ask; so many an hour may a company be
	// asked, from however many places.
	if err := s.takeLimits(ctx, limit{s.limits.JoinRequests, ErrTooManyJoinRequests, userKey("join-requests", c.ID)}); err != nil {
		return err
	}
	if err := s.st().CreateJoinRequest(ctx, r); err != nil {
		return err
	}
	s.joinRequested()
	return nil
}

// ProcessJoinRequests looks at the requests to join as they came: one from
// an address that is a user of the company already, or that has a pending
// request to it, is dropped; any other is shown to the company's
// administrators, who are told by e-mail, at most Limits.JoinNotices times
// (the rest wait on the Users page). An address with an account in another
// company is shown like any other, so that administrators learn nothing of
// other companies (approving invites it, and its owner is told on the
// link). It returns how many it showed. It is the scheduled job's work; any
// number of instances may run it at once.
func (s *Service) ProcessJoinRequests(ctx context.Context) (int, error) {
	now := s.clock()
	reqs, err := s.st().ClaimJoinRequests(ctx, now, now.Add(s.retry.Lease), remindBatch)
	if err != nil {
		return 0, err
	}
	shown := 0
	for _, r := range reqs {
		// Shown and told at once, or neither: a request whose processing
		// fails stays claimed until its lease lapses, and is then
		// processed again.
		err := s.inTx(ctx, func(tx *Service) error {
			return tx.processJoinRequest(ctx, r)
		})
		if err != nil {
			return shown, err
		}
		if r.Status == JoinPending {
			shown++
		}
	}
	return shown, nil
}

// processJoinRequest shows the claimed request r to its company's
// administrators and tells them, or drops it.
func (s *Service) processJoinRequest(ctx context.Context, r *JoinRequest) error {
	r.Status = JoinPending
	switch u, err := s.st().UserByEmail(ctx, r.Email); {
	case err == nil && u.CompanyID == r.CompanyID:
		r.Status = JoinDiscarded // a user of the company: nothing to ask for
	case err != nil && !errors.Is(err, ErrUserNotFound):
		return err
	}
	err := s.st().SaveJoinRequest(ctx, r, nil)
	if errors.Is(err, ErrJoinRequestPending) {
		r.Status = JoinDiscarded // asked before; the administrators know
		err = s.st().SaveJoinRequest(ctx, r, nil)
	}
	if err != nil || r.Status != JoinPending {
		return err
	}
	// Told once it is shown, so that asking again uses up nothing.
	msgs, err := s.joinNotices(ctx, r)
	if err != nil || len(msgs) == 0 {
		return err
	}
	err = s.inTx(ctx, func(tx *Service) error {
		if err := tx.st().Enqueue(ctx, msgs); err != nil {
			return err
		}
		evs := make([]*Event, len(msgs))
		for i, m := range msgs {
			evs[i] = mailQueued(nil, m)
		}
		return tx.logEvents(ctx, evs...)
	})
	if err != nil {
		return err
	}
	s.queued()
	return nil
}

// joinNotices composes the e-mails that tell a company's administrators of
// request r, or none once the company's bound on them is reached.
func (s *Service) joinNotices(ctx context.Context, r *JoinRequest) ([]*Message, error) {
	err := s.takeLimits(ctx, limit{s.limits.JoinNotices, ErrTooManyMails, userKey("join-notices", r.CompanyID)})
	switch {
	case ErrorCode(err) == CodeLimited:
		return nil, nil
	case err != nil:
		return nil, err
	}
	c, err := s.st().Company(ctx, r.CompanyID)
	if err != nil {
		return nil, err
	}
	admins, err := s.answerers(ctx, r.CompanyID)
	if err != nil {
		return nil, err
	}
	var msgs []*Message
	for _, a := range admins {
		m, err := s.joinRequest(a, r, c, s.baseURL+s.paths.Users)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// answerers returns who is told of what a company's invitees and
// applicants ask for: its enabled Company Administrators, or, when it has
// none, the enabled Global Administrators, so that a request always
// reaches someone who can answer it.
func (s *Service) answerers(ctx context.Context, companyID int64) ([]*User, error) {
	admins, err := s.st().CompanyAdmins(ctx, companyID)
	if err != nil {
		return nil, err
	}
	if admins = slices.DeleteFunc(admins, (*User).Disabled); len(admins) > 0 {
		return admins, nil
	}
	if admins, err = s.st().GlobalAdmins(ctx); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(admins, (*User).Disabled), nil
}

// MaxJoinRequests is how many pending requests JoinRequests lists, the
// oldest first.
const MaxJoinRequests = 100

// JoinRequests lists the pending requests to join the companies the acting
// administrator administers, at most MaxJoinRequests, the oldest first.
func (s *Service) JoinRequests(ctx context.Context, companyID int64) ([]*JoinRequest, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	if companyID, err = scope(u, companyID); err != nil {
		return nil, err
	}
	return s.st().JoinRequests(ctx, companyID, MaxJoinRequests)
}

// visibleJoinRequest returns a pending request the acting administrator
// administers.
func (s *Service) visibleJoinRequest(ctx context.Context, id int64) (*User, *JoinRequest, error) {
	u, err := s.admin(ctx)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.st().JoinRequest(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !administers(u, r.CompanyID) {
		return nil, nil, ErrJoinRequestNotFound
	}
	if r.Status != JoinPending {
		return nil, nil, ErrJoinRequestDecided
	}
	return u, r, nil
}

// ApproveJoinRequest approves a request: the person is invited with the
// business role and subscriptions the administrator chooses, and the
// invitation's e-mail carries the link to set a password. A request from
// an address that the company's allowed domains no longer allow is
// refused as Invite refuses it (ReasonDomainNotAllowed at "email"), and
// stays pending, to be declined.
func (s *Service) ApproveJoinRequest(ctx context.Context, id, businessRoleID int64, grants []Grant) (*Invitation, error) {
	u, r, err := s.visibleJoinRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	// The invitation and the decision are one: a request declined in
	// between, or a decision that cannot be written, leaves no invitation.
	var inv *Invitation
	err = s.inTx(ctx, func(tx *Service) error {
		var err error
		inv, _, err = tx.Invite(ctx, InvitationInput{
			CompanyID: r.CompanyID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName,
			BusinessRoleID: businessRoleID, Phone: r.Phone, Language: r.Language, TimeZone: r.TimeZone, Grants: grants,
		})
		if err != nil {
			return err
		}
		return tx.store.DecideJoinRequest(ctx, id, JoinApproved, u.ID, inv.ID, tx.clock())
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// DeclineJoinRequest declines a request.
func (s *Service) DeclineJoinRequest(ctx context.Context, id int64) error {
	u, _, err := s.visibleJoinRequest(ctx, id)
	if err != nil {
		return err
	}
	return s.st().DecideJoinRequest(ctx, id, JoinDeclined, u.ID, 0, s.clock())
}

// OpenJoinPage opens a company's join page at a new address and returns it,
// the only time it is available: like every secret here, only the SHA-256
// of its key is kept. A page that was open before stops working at its old
// address.
func (s *Service) OpenJoinPage(ctx context.Context, companyID int64) (string, error) {
	u, err := s.adminOf(ctx, companyID)
	if err != nil {
		return "", err
	}
	key, hash, err := newToken(s.rand)
	if err != nil {
		return "", err
	}
	err = s.changeCompany(ctx, u, companyID, "join_page", map[string]any{"open": true}, func(tx *Service) error {
		return tx.st().SetJoinKey(ctx, companyID, hash)
	})
	if err != nil {
		return "", err
	}
	return s.baseURL + s.paths.RequestToJoin + key, nil
}

// CloseJoinPage closes a company's join page; its address stops working.
func (s *Service) CloseJoinPage(ctx context.Context, companyID int64) error {
	u, err := s.adminOf(ctx, companyID)
	if err != nil {
		return err
	}
	if c, err := s.st().Company(ctx, companyID); err != nil {
		return err
	} else if !c.JoinRequests {
		return nil // closed already
	}
	return s.changeCompany(ctx, u, companyID, "join_page", map[string]any{"open": false}, func(tx *Service) error {
		return tx.st().SetJoinKey(ctx, companyID, nil)
	})
}
