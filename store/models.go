package store

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/invitehq/invite/invite"
)

// The bun models. They mirror the tables and stay in this package; the
// functions below convert them to and from invite types at its edge.

type companyRow struct {
	bun.BaseModel `bun:"table:companies"`

	ID              int64     `bun:"id,pk,autoincrement"`
	Name            string    `bun:"name"`
	NameKey         string    `bun:"name_key"`
	DefaultLanguage string    `bun:"default_language"`
	TimeZone        string    `bun:"time_zone"`
	CreatedAt       time.Time `bun:"created_at"`
	JoinKeyHash     []byte    `bun:"join_key_hash"`
	JoinRequests    bool      `bun:"join_requests"`
	Terms           string    `bun:"terms,nullzero"`
}

type subscriptionRow struct {
	bun.BaseModel `bun:"table:subscriptions"`

	ID        int64  `bun:"id,pk,autoincrement"`
	CompanyID int64  `bun:"company_id"`
	Name      string `bun:"name"`
	Seats     int    `bun:"seats"`
}

type businessRoleRow struct {
	bun.BaseModel `bun:"table:business_roles"`

	ID        int64  `bun:"id,pk,autoincrement"`
	CompanyID int64  `bun:"company_id"`
	Name      string `bun:"name"`
}

type userRow struct {
	bun.BaseModel `bun:"table:users"`

	ID             int64     `bun:"id,pk,autoincrement"`
	CompanyID      int64     `bun:"company_id,nullzero"`
	Email          string    `bun:"email"`
	FirstName      string    `bun:"first_name"`
	LastName       string    `bun:"last_name"`
	BusinessRoleID int64     `bun:"business_role_id,nullzero"`
	Department     string    `bun:"department"`
	Phone          string    `bun:"phone"`
	Language       string    `bun:"language"`
	TimeZone       string    `bun:"time_zone"`
	AdminLevel     string    `bun:"admin_level"`
	PasswordHash   string    `bun:"password_hash"`
	CreatedAt      time.Time `bun:"created_at"`
	DisabledAt     time.Time `bun:"disabled_at,nullzero"`
	LastLoginAt    time.Time `bun:"last_login_at,nullzero"`
	AccessFrom     time.Time `bun:"access_from,nullzero"`
	AccessUntil    time.Time `bun:"access_until,nullzero"`
}

type userGrantRow struct {
	bun.BaseModel `bun:"table:user_subscriptions"`

	UserID         int64  `bun:"user_id,pk"`
	CompanyID      int64  `bun:"company_id"`
	SubscriptionID int64  `bun:"subscription_id,pk"`
	Role           string `bun:"role"`
}

type invitationRow struct {
	bun.BaseModel `bun:"table:invitations"`

	ID             int64     `bun:"id,pk,autoincrement"`
	CompanyID      int64     `bun:"company_id"`
	Email          string    `bun:"email"`
	PendingEmail   *string   `bun:"pending_email"`
	FirstName      string    `bun:"first_name"`
	LastName       string    `bun:"last_name"`
	BusinessRoleID int64     `bun:"business_role_id"`
	Department     string    `bun:"department"`
	Phone          string    `bun:"phone"`
	Language       string    `bun:"language"`
	TimeZone       string    `bun:"time_zone"`
	AdminLevel     string    `bun:"admin_level"`
	InvitedBy      int64     `bun:"invited_by"`
	LastSentBy     int64     `bun:"last_sent_by,nullzero"`
	TokenHash      []byte    `bun:"token_hash"`
	Status         string    `bun:"status"`
	CreatedAt      time.Time `bun:"created_at"`
	ExpiresAt      time.Time `bun:"expires_at"`
	TimesSent      int       `bun:"times_sent"`
	LastSentAt     time.Time `bun:"last_sent_at"`
	AcceptedAt     time.Time `bun:"accepted_at,nullzero"`
	AcceptedBy     int64     `bun:"accepted_by,nullzero"`
	CanceledAt     time.Time `bun:"canceled_at,nullzero"`
	CanceledBy     int64     `bun:"canceled_by,nullzero"`
	MailSubject    *string   `bun:"mail_subject"`
	MailBody       *string   `bun:"mail_body"`
	RemindAt       time.Time `bun:"remind_at,nullzero"`
	RemindedAt     time.Time `bun:"reminded_at,nullzero"`
	RenewalReqAt   time.Time `bun:"renewal_requested_at,nullzero"`
	AccessFrom     time.Time `bun:"access_from,nullzero"`
	AccessUntil    time.Time `bun:"access_until,nullzero"`
}

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`

	TokenHash []byte    `bun:"token_hash,pk"`
	UserID    int64     `bun:"user_id"`
	CreatedAt time.Time `bun:"created_at"`
	ExpiresAt time.Time `bun:"expires_at"`
}

type messageRow struct {
	bun.BaseModel `bun:"table:outbox"`

	ID            int64     `bun:"id,pk,autoincrement"`
	CompanyID     int64     `bun:"company_id,nullzero"`
	InvitationID  int64     `bun:"invitation_id,nullzero"`
	Kind          string    `bun:"kind"`
	MessageID     string    `bun:"message_id"`
	Recipient     string    `bun:"recipient"`
	RecipientName string    `bun:"recipient_name"`
	Language      string    `bun:"language"`
	Subject       string    `bun:"subject"`
	TextBody      string    `bun:"text_body"`
	HTMLBody      string    `bun:"html_body"`
	State         string    `bun:"state"`
	Attempts      int       `bun:"attempts"`
	NextAttemptAt time.Time `bun:"next_attempt_at"`
	LastError     string    `bun:"last_error"`
	CreatedAt     time.Time `bun:"created_at"`
	SentAt        time.Time `bun:"sent_at,nullzero"`
	Bulk          bool      `bun:"bulk"`
}

type mailTemplateRow struct {
	bun.BaseModel `bun:"table:mail_templates"`

	CompanyID int64     `bun:"company_id,pk"`
	Language  string    `bun:"language,pk"`
	Subject   string    `bun:"subject"`
	Body      string    `bun:"body"`
	UpdatedAt time.Time `bun:"updated_at"`
}

func messageToRow(m *invite.Message) *messageRow {
	return &messageRow{
		ID:            m.ID,
		CompanyID:     m.CompanyID,
		InvitationID:  m.InvitationID,
		Kind:          string(m.Kind),
		MessageID:     m.MessageID,
		Recipient:     m.To,
		RecipientName: m.ToName,
		Language:      m.Language,
		Subject:       m.Subject,
		TextBody:      m.Text,
		HTMLBody:      m.HTML,
		State:         string(m.State),
		Attempts:      m.Attempts,
		NextAttemptAt: m.NextAttemptAt,
		LastError:     m.LastError,
		CreatedAt:     m.CreatedAt,
		SentAt:        m.SentAt,
		Bulk:          m.Bulk,
	}
}

func messageFromRow(r *messageRow) *invite.Message {
	return &invite.Message{
		ID:            r.ID,
		CompanyID:     r.CompanyID,
		InvitationID:  r.InvitationID,
		Kind:          invite.MessageKind(r.Kind),
		MessageID:     r.MessageID,
		To:            r.Recipient,
		ToName:        r.RecipientName,
		Language:      r.Language,
		Subject:       r.Subject,
		Text:          r.TextBody,
		HTML:          r.HTMLBody,
		State:         invite.DeliveryState(r.State),
		Attempts:      r.Attempts,
		NextAttemptAt: utc(r.NextAttemptAt),
		LastError:     r.LastError,
		CreatedAt:     utc(r.CreatedAt),
		SentAt:        utc(r.SentAt),
		Bulk:          r.Bulk,
	}
}

type invitationGrantRow struct {
	bun.BaseModel `bun:"table:invitation_subscriptions"`

	InvitationID   int64  `bun:"invitation_id,pk"`
	CompanyID      int64  `bun:"company_id"`
	SubscriptionID int64  `bun:"subscription_id,pk"`
	Role           string `bun:"role"`
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func companyFromRow(r *companyRow) *invite.Company {
	return &invite.Company{
		ID:              r.ID,
		Name:            r.Name,
		DefaultLanguage: r.DefaultLanguage,
		TimeZone:        r.TimeZone,
		CreatedAt:       utc(r.CreatedAt),
		JoinRequests:    r.JoinRequests,
		Terms:           r.Terms,
	}
}

func userToRow(u *invite.User) *userRow {
	return &userRow{
		ID:             u.ID,
		CompanyID:      u.CompanyID,
		Email:          u.Email,
		FirstName:      u.FirstName,
		LastName:       u.LastName,
		BusinessRoleID: u.BusinessRoleID,
		Department:     u.Department,
		Phone:          u.Phone,
		Language:       u.Language,
		TimeZone:       u.TimeZone,
		AdminLevel:     string(u.AdminLevel),
		PasswordHash:   u.PasswordHash,
		CreatedAt:      u.CreatedAt,
		DisabledAt:     u.DisabledAt,
		LastLoginAt:    u.LastLoginAt,
		AccessFrom:     u.AccessFrom,
		AccessUntil:    u.AccessUntil,
	}
}

func userFromRow(r *userRow, grants []invite.Grant) *invite.User {
	return &invite.User{
		ID:             r.ID,
		CompanyID:      r.CompanyID,
		Email:          r.Email,
		FirstName:      r.FirstName,
		LastName:       r.LastName,
		BusinessRoleID: r.BusinessRoleID,
		Department:     r.Department,
		Phone:          r.Phone,
		Language:       r.Language,
		TimeZone:       r.TimeZone,
		AdminLevel:     invite.AdminLevel(r.AdminLevel),
		Grants:         grants,
		PasswordHash:   r.PasswordHash,
		CreatedAt:      utc(r.CreatedAt),
		DisabledAt:     utc(r.DisabledAt),
		LastLoginAt:    utc(r.LastLoginAt),
		AccessFrom:     utc(r.AccessFrom),
		AccessUntil:    utc(r.AccessUntil),
	}
}

func invitationToRow(inv *invite.Invitation) *invitationRow {
	r := &invitationRow{
		ID:             inv.ID,
		CompanyID:      inv.CompanyID,
		Email:          inv.Email,
		FirstName:      inv.FirstName,
		LastName:       inv.LastName,
		BusinessRoleID: inv.BusinessRoleID,
		Department:     inv.Department,
		Phone:          inv.Phone,
		Language:       inv.Language,
		TimeZone:       inv.TimeZone,
		AdminLevel:     string(inv.AdminLevel),
		InvitedBy:      inv.InvitedBy,
		LastSentBy:     inv.LastSentBy,
		TokenHash:      inv.TokenHash,
		Status:         string(inv.Status),
		CreatedAt:      inv.CreatedAt,
		ExpiresAt:      inv.ExpiresAt,
		TimesSent:      inv.TimesSent,
		LastSentAt:     inv.LastSentAt,
		AcceptedAt:     inv.AcceptedAt,
		AcceptedBy:     inv.AcceptedBy,
		CanceledAt:     inv.CanceledAt,
		CanceledBy:     inv.CanceledBy,
		RemindAt:       inv.RemindAt,
		RemindedAt:     inv.RemindedAt,
		RenewalReqAt:   inv.RenewalRequestedAt,
		AccessFrom:     inv.AccessFrom,
		AccessUntil:    inv.AccessUntil,
	}
	if !inv.Mail.IsZero() {
		r.MailSubject, r.MailBody = &inv.Mail.Subject, &inv.Mail.Body
	}
	if inv.Status == invite.StatusPending {
		email := inv.Email
		r.PendingEmail = &email
	}
	return r
}

func invitationFromRow(r *invitationRow, grants []invite.Grant) *invite.Invitation {
	var mail invite.Template
	if r.MailSubject != nil && r.MailBody != nil {
		mail = invite.Template{Subject: *r.MailSubject, Body: *r.MailBody}
	}
	return &invite.Invitation{
		ID:             r.ID,
		CompanyID:      r.CompanyID,
		Email:          r.Email,
		FirstName:      r.FirstName,
		LastName:       r.LastName,
		BusinessRoleID: r.BusinessRoleID,
		Department:     r.Department,
		Phone:          r.Phone,
		Language:       r.Language,
		TimeZone:       r.TimeZone,
		AdminLevel:     invite.AdminLevel(r.AdminLevel),
		Grants:         grants,
		InvitedBy:      r.InvitedBy,
		LastSentBy:     r.LastSentBy,
		TokenHash:      r.TokenHash,
		Status:         invite.Status(r.Status),
		CreatedAt:      utc(r.CreatedAt),
		ExpiresAt:      utc(r.ExpiresAt),
		TimesSent:      r.TimesSent,
		LastSentAt:     utc(r.LastSentAt),
		AcceptedAt:     utc(r.AcceptedAt),
		AcceptedBy:     r.AcceptedBy,
		CanceledAt:     utc(r.CanceledAt),
		CanceledBy:     r.CanceledBy,
		Mail:           mail,
		RemindAt:       utc(r.RemindAt),
		RemindedAt:     utc(r.RemindedAt),

		RenewalRequestedAt: utc(r.RenewalReqAt),
		AccessFrom:         utc(r.AccessFrom),
		AccessUntil:        utc(r.AccessUntil),
	}
}

type resetRow struct {
	bun.BaseModel `bun:"table:password_resets"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Email     string    `bun:"email"`
	Language  string    `bun:"language"`
	State     string    `bun:"state"`
	UserID    int64     `bun:"user_id,nullzero"`
	TokenHash []byte    `bun:"token_hash"`
	CreatedAt time.Time `bun:"created_at"`
	ExpiresAt time.Time `bun:"expires_at,nullzero"`
	UsedAt    time.Time `bun:"used_at,nullzero"`
	// ClaimedUntil is when a processing reset's claim lapses.
	ClaimedUntil time.Time `bun:"claimed_until,nullzero"`
}

type joinRequestRow struct {
	bun.BaseModel `bun:"table:join_requests"`

	ID           int64     `bun:"id,pk,autoincrement"`
	CompanyID    int64     `bun:"company_id"`
	Email        string    `bun:"email"`
	PendingEmail *string   `bun:"pending_email"`
	FirstName    string    `bun:"first_name"`
	LastName     string    `bun:"last_name"`
	Phone        string    `bun:"phone"`
	Language     string    `bun:"language"`
	TimeZone     string    `bun:"time_zone"`
	Status       string    `bun:"status"`
	CreatedAt    time.Time `bun:"created_at"`
	DecidedAt    time.Time `bun:"decided_at,nullzero"`
	DecidedBy    int64     `bun:"decided_by,nullzero"`
	InvitationID int64     `bun:"invitation_id,nullzero"`
	// ClaimedUntil is when a processing request's claim lapses.
	ClaimedUntil time.Time `bun:"claimed_until,nullzero"`
}

func joinRequestToRow(r *invite.JoinRequest) *joinRequestRow {
	row := &joinRequestRow{
		ID: r.ID, CompanyID: r.CompanyID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName,
		Phone: r.Phone, Language: r.Language, TimeZone: r.TimeZone, Status: string(r.Status), CreatedAt: r.CreatedAt,
	}
	if r.Status == invite.JoinPending {
		email := r.Email
		row.PendingEmail = &email
	}
	return row
}

func joinRequestFromRow(r *joinRequestRow) *invite.JoinRequest {
	return &invite.JoinRequest{
		ID: r.ID, CompanyID: r.CompanyID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName,
		Phone: r.Phone, Language: r.Language, TimeZone: r.TimeZone, Status: invite.JoinStatus(r.Status),
		CreatedAt: utc(r.CreatedAt), DecidedAt: utc(r.DecidedAt), DecidedBy: r.DecidedBy, InvitationID: r.InvitationID,
		ClaimedUntil: utc(r.ClaimedUntil),
	}
}
