package httpui

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

// apiGrant is a subscription with a role.
type apiGrant struct {
	SubscriptionID int64  `json:"subscription_id"`
	Role           string `json:"role"`
}

func apiGrants(gs []invite.Grant) []apiGrant {
	out := make([]apiGrant, len(gs))
	for i, g := range gs {
		out[i] = apiGrant{SubscriptionID: g.SubscriptionID, Role: string(g.Role)}
	}
	return out
}

func grantsIn(gs []apiGrant) []invite.Grant {
	if gs == nil {
		return nil
	}
	out := make([]invite.Grant, len(gs))
	for i, g := range gs {
		out[i] = invite.Grant{SubscriptionID: g.SubscriptionID, Role: invite.Role(g.Role)}
	}
	return out
}

// apiInvitation is an invitation in JSON. Its token and the token's hash
// are never in it.
type apiInvitation struct {
	ID             int64        `json:"id"`
	CompanyID      int64        `json:"company_id"`
	Email          string       `json:"email"`
	FirstName      string       `json:"first_name"`
	LastName       string       `json:"last_name"`
	BusinessRoleID int64        `json:"business_role_id"`
	Department     string       `json:"department"`
	Phone          string       `json:"phone"`
	Language       string       `json:"language"`
	TimeZone       string       `json:"time_zone"`
	AdminLevel     string       `json:"admin_level"`
	Grants         []apiGrant   `json:"grants"`
	Status         string       `json:"status"`
	InvitedBy      int64        `json:"invited_by"`
	LastSentBy     int64        `json:"last_sent_by"`
	CreatedAt      apiTime      `json:"created_at"`
	ExpiresAt      apiTime      `json:"expires_at"`
	TimesSent      int          `json:"times_sent"`
	LastSentAt     apiTime      `json:"last_sent_at"`
	AcceptedAt     apiTime      `json:"accepted_at"`
	AcceptedBy     int64        `json:"accepted_by"`
	CanceledAt     apiTime      `json:"canceled_at"`
	CanceledBy     int64        `json:"canceled_by"`
	AccessFrom     apiTime      `json:"access_from"`
	AccessUntil    apiTime      `json:"access_until"`
	Delivery       *apiDelivery `json:"delivery"`
}

// apiDelivery is the state of an invitation's latest e-mail.
type apiDelivery struct {
	State    string  `json:"state"`
	Attempts int     `json:"attempts"`
	Error    string  `json:"error"`
	SentAt   apiTime `json:"sent_at"`
}

func invitationJSON(inv *invite.Invitation) apiInvitation {
	out := apiInvitation{
		ID: inv.ID, CompanyID: inv.CompanyID, Email: inv.Email, FirstName: inv.FirstName, LastName: inv.LastName,
		BusinessRoleID: inv.BusinessRoleID, Department: inv.Department, Phone: inv.Phone, Language: inv.Language,
		TimeZone: inv.TimeZone, AdminLevel: string(inv.AdminLevel), Grants: apiGrants(inv.Grants), Status: string(inv.Status),
		InvitedBy: inv.InvitedBy, LastSentBy: inv.LastSentBy, CreatedAt: apiTime(inv.CreatedAt), ExpiresAt: apiTime(inv.ExpiresAt),
		TimesSent: inv.TimesSent, LastSentAt: apiTime(inv.LastSentAt), AcceptedAt: apiTime(inv.AcceptedAt), AcceptedBy: inv.AcceptedBy,
		CanceledAt: apiTime(inv.CanceledAt), CanceledBy: inv.CanceledBy, AccessFrom: apiTime(inv.AccessFrom), AccessUntil: apiTime(inv.AccessUntil),
	}
	if d := inv.Delivery; d != nil {
		out.Delivery = &apiDelivery{State: string(d.State), Attempts: d.Attempts, Error: d.Error, SentAt: apiTime(d.SentAt)}
	}
	return out
}

// apiInvitationInput is who is invited and what they get, in JSON.
type apiInvitationInput struct {
	CompanyID      int64      `json:"company_id"`
	Email          string     `json:"email"`
	FirstName      string     `json:"first_name"`
	LastName       string     `json:"last_name"`
	BusinessRoleID int64      `json:"business_role_id"`
	Department     string     `json:"department"`
	Phone          string     `json:"phone"`
	Language       string     `json:"language"`
	TimeZone       string     `json:"time_zone"`
	AdminLevel     string     `json:"admin_level"`
	Grants         []apiGrant `json:"grants"`
	AccessFrom     string     `json:"access_from"`
	AccessUntil    string     `json:"access_until"`
	Preset         string     `json:"preset"`
}

// input returns the Service's input, or the fields that are not times.
func (in *apiInvitationInput) input() (invite.InvitationInput, error) {
	var fields []invite.FieldError
	out := invite.InvitationInput{
		CompanyID: in.CompanyID, Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
		BusinessRoleID: in.BusinessRoleID, Department: in.Department, Phone: in.Phone, Language: in.Language,
		TimeZone: in.TimeZone, AdminLevel: invite.AdminLevel(in.AdminLevel), Grants: grantsIn(in.Grants),
		AccessFrom: parseTime("access_from", in.AccessFrom, &fields), AccessUntil: parseTime("access_until", in.AccessUntil, &fields),
		Preset: in.Preset,
	}
	if len(fields) > 0 {
		return out, &invite.Error{Code: invite.CodeInvalid, Reason: invite.ErrInvalidInput.Reason, Message: invite.ErrInvalidInput.Message, Fields: fields}
	}
	return out, nil
}

func inputJSON(in invite.InvitationInput) apiInvitationInput {
	out := apiInvitationInput{
		CompanyID: in.CompanyID, Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
		BusinessRoleID: in.BusinessRoleID, Department: in.Department, Phone: in.Phone, Language: in.Language,
		TimeZone: in.TimeZone, AdminLevel: string(in.AdminLevel), Grants: apiGrants(in.Grants),
	}
	if !in.AccessFrom.IsZero() {
		out.AccessFrom = in.AccessFrom.UTC().Format("2006-01-02T15:04:05.999999999Z07:00")
	}
	if !in.AccessUntil.IsZero() {
		out.AccessUntil = in.AccessUntil.UTC().Format("2006-01-02T15:04:05.999999999Z07:00")
	}
	return out
}

// apiCreateInvitation makes an invitation. With an Idempotency-Key
// header, the same key and body from the same token's user answer what
// the first request answered, and make nothing more.
func (h *handlers) apiCreateInvitation(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var in apiInvitationInput
	if err := decodeJSON(body, &in); err != nil {
		return err
	}
	input, err := in.input()
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	key := c.Request().Header.Get("Idempotency-Key")
	if key == "" {
		inv, _, err := h.svc.Invite(ctx, input)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Location", fmt.Sprintf("%s/invitations/%d", apiPrefix, inv.ID))
		return writeJSON(c, http.StatusCreated, invitationJSON(inv))
	}
	// The request as decoded, not its bytes: the same request spaced or
	// ordered otherwise (a client that encodes it again to retry) is the
	// same request.
	canon, err := json.Marshal(in)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(canon)
	r, err := h.svc.InviteOnce(ctx, invite.Once{Key: key, Fingerprint: sum[:], Response: func(inv *invite.Invitation) ([]byte, error) {
		return json.Marshal(invitationJSON(inv))
	}}, input)
	if err != nil {
		return err
	}
	if r.Replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	c.Response().Header().Set("Location", fmt.Sprintf("%s/invitations/%d", apiPrefix, r.InvitationID))
	return c.JSONBlob(http.StatusCreated, r.Response)
}

// apiInvitations lists invitations, newest first, a page at a time.
func (h *handlers) apiInvitations(c echo.Context) error {
	q := &query{c: c}
	f := invite.InvitationFilter{
		CompanyID: q.id("company_id"), Status: invite.Status(c.QueryParam("status")), Email: c.QueryParam("email"),
		After: c.QueryParam("cursor"), Limit: q.limit(),
	}
	if err := q.err(); err != nil {
		return err
	}
	p, err := h.svc.Invitations(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := page[apiInvitation]{Items: make([]apiInvitation, len(p.Invitations)), NextCursor: nextCursor(p.Next)}
	for i, inv := range p.Invitations {
		out.Items[i] = invitationJSON(inv)
	}
	return writeJSON(c, http.StatusOK, out)
}

func (h *handlers) apiInvitation(c echo.Context) error {
	id, err := pathID(c, invite.ErrInvitationNotFound)
	if err != nil {
		return err
	}
	inv, err := h.svc.Invitation(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, invitationJSON(inv))
}

// apiResend sends an invitation again: as it is without a body, or with
// the fields the body gives changed (the others as they are).
func (h *handlers) apiResend(c echo.Context) error {
	id, err := pathID(c, invite.ErrInvitationNotFound)
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var in *invite.InvitationInput
	if body != nil {
		inv, err := h.svc.Invitation(ctx, id)
		if err != nil {
			return err
		}
		current := inv.Input()
		changed := inputJSON(current)
		if err := decodeJSON(body, &changed); err != nil {
			return err
		}
		next, err := changed.input()
		if err != nil {
			return err
		}
		next.Mail = current.Mail
		in = &next
	}
	inv, _, err := h.svc.Resend(ctx, id, in)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, invitationJSON(inv))
}

func (h *handlers) apiCancel(c echo.Context) error {
	id, err := pathID(c, invite.ErrInvitationNotFound)
	if err != nil {
		return err
	}
	// An optional body: {"reason": "..."}, which the history keeps.
	var in struct {
		Reason string `json:"reason"`
	}
	if err := readOptionalJSON(c, &in); err != nil {
		return err
	}
	inv, err := h.svc.CancelBecause(c.Request().Context(), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, invitationJSON(inv))
}
