package invite

import (
	"context"
	"errors"
	"time"
)

// JoinStatus is where a request to join is.
type JoinStatus string

// The statuses of a request to join.
const (
	JoinPending  JoinStatus = "pending"
	JoinApproved JoinStatus = "approved" // an invitation was sent
	JoinDeclined JoinStatus = "declined"
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
}

// Name returns the requester's full name.
func (r *JoinRequest) Name() string { return fullName(r.FirstName, r.LastName) }

// JoinRequestInput is what a person fills in on a company's join page.
type JoinRequestInput struct {
	Email, FirstName, LastName, Phone, Language, TimeZone string
}

// JoinPage returns the name of the company whose join page has the given
// key, if the page takes requests. It needs no acting user.
func (s *Service) JoinPage(ctx context.Context, key string) (*Company, error) {
	c, err := s.store.CompanyByJoinKey(ctx, key)
	switch {
	case errors.Is(err, ErrCompanyNotFound):
		return nil, ErrJoinClosed
	case err != nil:
		return nil, err
	case !c.JoinRequests:
		return nil, ErrJoinClosed
	}
	return &Company{ID: c.ID, Name: c.Name, DefaultLanguage: c.DefaultLanguage, TimeZone: c.TimeZone}, nil
}

// RequestToJoin asks to join the company of a join page; its Company
// Administrators are told by e-mail. The answer is the same whether or not
// the address already has an account or a pending request, so the page
// shows nothing about anyone.
func (s *Service) RequestToJoin(ctx context.Context, key string, in JoinRequestInput) error {
	c, err := s.store.CompanyByJoinKey(ctx, key)
	if errors.Is(err, ErrCompanyNotFound) || (err == nil && !c.JoinRequests) {
		return ErrJoinClosed
	}
	if err != nil {
		return err
	}
	var v validator
	r := &JoinRequest{
		CompanyID: c.ID,
		Email:     v.email("email", in.Email),
		FirstName: v.text("first_name", in.FirstName, true, MaxNameLen),
		LastName:  v.text("last_name", in.LastName, true, MaxNameLen),
		Phone:     v.phone("phone", in.Phone),
		Language:  v.language("language", in.Language, c.DefaultLanguage),
		TimeZone:  v.timeZone("time_zone", in.TimeZone, c.TimeZone),
		Status:    JoinPending,
		CreatedAt: s.clock(),
	}
	if err := v.err(); err != nil {
		return err
	}
	if _, err := s.store.UserByEmail(ctx, r.Email); err == nil {
		return nil // an account exists: nothing to ask for
	} else if !errors.Is(err, ErrUserNotFound) {
		return err
	}
	admins, err := s.store.CompanyAdmins(ctx, c.ID)
	if err != nil {
		return err
	}
	var msgs []*Message
	about := &Invitation{CompanyID: c.ID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName, ExpiresAt: r.CreatedAt}
	for _, a := range admins {
		m, err := s.notice(KindJoinRequest, a, c, about, "", s.baseURL+"/admin/users", r.CreatedAt)
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	switch err := s.store.CreateJoinRequest(ctx, r, msgs); {
	case errors.Is(err, ErrJoinRequestPending):
		return nil // asked before; the administrators know
	case err != nil:
		return err
	}
	if len(msgs) > 0 {
		s.queued()
	}
	return nil
}

// JoinRequests lists the pending requests to join the companies the acting
// administrator administers.
func (s *Service) JoinRequests(ctx context.Context, companyID int64) ([]*JoinRequest, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if companyID, err = scope(u, companyID); err != nil {
		return nil, err
	}
	return s.store.JoinRequests(ctx, companyID)
}

// visibleJoinRequest returns a pending request the acting administrator
// administers.
func (s *Service) visibleJoinRequest(ctx context.Context, id int64) (*User, *JoinRequest, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.store.JoinRequest(ctx, id)
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
// invitation's e-mail carries the link to set a password.
func (s *Service) ApproveJoinRequest(ctx context.Context, id, businessRoleID int64, grants []Grant) (*Invitation, error) {
	u, r, err := s.visibleJoinRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	inv, _, err := s.Invite(ctx, InvitationInput{
		CompanyID: r.CompanyID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName,
		BusinessRoleID: businessRoleID, Phone: r.Phone, Language: r.Language, TimeZone: r.TimeZone, Grants: grants,
	})
	if err != nil {
		return nil, err
	}
	err = s.store.DecideJoinRequest(ctx, id, JoinApproved, u.ID, inv.ID, s.clock())
	return inv, err
}

// DeclineJoinRequest declines a request.
func (s *Service) DeclineJoinRequest(ctx context.Context, id int64) error {
	u, _, err := s.visibleJoinRequest(ctx, id)
	if err != nil {
		return err
	}
	return s.store.DecideJoinRequest(ctx, id, JoinDeclined, u.ID, 0, s.clock())
}

// SetJoinRequests turns a company's join page on or off.
func (s *Service) SetJoinRequests(ctx context.Context, companyID int64, on bool) error {
	u, err := admin(ctx)
	if err != nil {
		return err
	}
	if !administers(u, companyID) {
		return ErrCompanyNotFound
	}
	return s.store.SetJoinRequests(ctx, companyID, on)
}
