package invite

import (
	"context"
	"errors"
	"strings"
	"time"
)

// ResetTTL is how long a password reset link works.
const ResetTTL = time.Hour

// resetRetention is how long requests to reset a password are kept.
const resetRetention = 7 * 24 * time.Hour

// The states of a password reset request.
const (
	ResetRequested  = "requested"  // written, not yet looked at
	ResetProcessing = "processing" // claimed by a job
	ResetDiscarded  = "discarded"  // no such user, or asked too often
	ResetIssued     = "issued"     // a link was sent
	ResetSuperseded = "superseded" // a newer link was sent
	ResetUsed       = "used"       // the password was set
)

// ResetInterval is the least time between two reset e-mails to one user:
// IssuePasswordResets discards a request that comes sooner
// (ErrResetTooSoon, a bound kept with the Limits).
const ResetInterval = time.Minute

// PasswordReset is a request to reset a password, and the link sent for it.
type PasswordReset struct {
	ID        int64
	Email     string
	Language  string // of the page the request came from
	State     string
	UserID    int64
	TokenHash []byte
	CreatedAt time.Time
	ExpiresAt time.Time
	// ClaimedUntil is when the claim of a processing reset lapses, and it
	// is claimed again.
	ClaimedUntil time.Time
}

// RequestPasswordReset records a request to reset the password of the
// account with the given e-mail address. It does the same, and answers the
// same, whether or not the account exists: the link is sent by a job
// (IssuePasswordResets), so the request shows nothing. What is not an
// e-mail address at all is answered alike and not kept.
func (s *Service) RequestPasswordReset(ctx context.Context, email, lang string) error {
	email, ok := normalizeEmail(strings.TrimSpace(email))
	if !ok {
		return nil // not an address, so no account's: nothing to do, the same answer
	}
	if _, ok := supportedLanguage(lang); !ok {
		lang = "en"
	}
	err := s.st().CreatePasswordReset(ctx, &PasswordReset{Email: email, Language: lang, State: ResetRequested, CreatedAt: s.clock()})
	if err == nil {
		s.resetRequested()
	}
	return err
}

// IssuePasswordResets looks at the requests to reset a password and, for
// each one that names an enabled user, sends a link that works for
// ResetTTL, once, and only until a newer one is sent. Requests older than a
// week are deleted. It is the scheduled job's work; any number of instances
// may run it at once.
func (s *Service) IssuePasswordResets(ctx context.Context) (int, error) {
	// Requests older than any link's life are history no one needs.
	if _, err := s.st().PrunePasswordResets(ctx, s.clock().Add(-resetRetention)); err != nil {
		return 0, err
	}
	now := s.clock()
	reqs, err := s.st().ClaimPasswordResets(ctx, now, now.Add(s.retry.Lease), remindBatch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, r := range reqs {
		issued, err := s.issuePasswordReset(ctx, r)
		if err != nil {
			return sent, err
		}
		if issued {
			sent++
		}
	}
	return sent, nil
}

// issuePasswordReset sends the link a claimed request asks for, if it
// names an enabled user who was not sent one in the last ResetInterval
// and has links left in ResetMails, and reports whether it did; otherwise
// it discards the request. The bounds it takes, the older links it
// supersedes, the request and the e-mail are saved in one transaction, so
// that a link is never sent without the bounds counting it, nor counted
// without being sent.
func (s *Service) issuePasswordReset(ctx context.Context, r *PasswordReset) (bool, error) {
	u, err := s.st().UserByEmail(ctx, r.Email)
	switch {
	case errors.Is(err, ErrUserNotFound) || (err == nil && u.Disabled()):
		r.State = ResetDiscarded
		return false, s.st().SavePasswordReset(ctx, r)
	case err != nil:
		return false, err
	}
	c := &Company{}
	if u.CompanyID != 0 {
		if c, err = s.st().Company(ctx, u.CompanyID); err != nil {
			return false, err
		}
	}
	token, hash, err := newToken(s.rand)
	if err != nil {
		return false, err
	}
	now := s.clock()
	expiresAt := now.Add(ResetTTL)
	m, err := s.passwordReset(u, c, s.baseURL+s.paths.ResetPassword+token, expiresAt, now)
	if err != nil {
		return false, err
	}
	issued := false
	err = s.inTx(ctx, func(tx *Service) error {
		issued = false
		// One link a minute, so many a day, however often anyone asks;
		// asking too soon uses none of the day's.
		switch err := tx.takeLimits(ctx,
			limit{Rate{Count: 1, Per: ResetInterval}, ErrResetTooSoon, userKey("reset-interval", u.ID)},
			limit{s.limits.ResetMails, ErrTooManyMails, userKey("reset-mails", u.ID)},
		); {
		case ErrorCode(err) == CodeLimited:
			r.State = ResetDiscarded
			return tx.st().SavePasswordReset(ctx, r)
		case err != nil:
			return err
		}
		// Only the newest link works.
		if err := tx.st().SupersedePasswordResets(ctx, u.ID); err != nil {
			return err
		}
		r.UserID, r.TokenHash, r.ExpiresAt, r.State = u.ID, hash, expiresAt, ResetIssued
		if err := tx.st().SavePasswordReset(ctx, r); err != nil {
			return err
		}
		if err := tx.st().Enqueue(ctx, []*Message{m}); err != nil {
			return err
		}
		// The reset's mail is the user's: it is on their timeline.
		queued := userEvent(EventMailQueued, u)
		if err := tx.logEvents(ctx, mailQueued(queued, m)); err != nil {
			return err
		}
		issued = true
		tx.queued()
		return nil
	})
	return issued, err
}

// PasswordResetFor returns the e-mail address a reset link is for, for the
// page that asks for the new password, or an error if the link cannot be used.
func (s *Service) PasswordResetFor(ctx context.Context, token string) (string, error) {
	hash, ok := HashToken(token)
	if !ok {
		return "", ErrResetNotFound
	}
	r, err := s.st().PasswordReset(ctx, hash)
	if err != nil {
		return "", err
	}
	if err := r.usable(s.clock()); err != nil {
		return "", err
	}
	return r.Email, nil
}

func (r *PasswordReset) usable(now time.Time) error {
	switch {
	case r.State != ResetIssued:
		return ErrResetNotFound
	case !now.Before(r.ExpiresAt):
		return ErrResetExpired
	}
	return nil
}

// ResetPassword sets a new password with a reset link, once; then every
// session of the user ends.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (*User, error) {
	hash, ok := HashToken(token)
	if !ok {
		return nil, ErrResetNotFound
	}
	now := s.clock()
	r, err := s.st().PasswordReset(ctx, hash)
	if err != nil {
		return nil, err
	}
	if err := r.usable(now); err != nil {
		return nil, err
	}
	if err := ValidatePassword(password, r.Email); err != nil {
		return nil, err
	}
	pwHash, err := s.hashPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	var u *User
	err = s.inTx(ctx, func(tx *Service) error {
		var err error
		u, err = tx.st().UsePasswordReset(ctx, hash, now, func(r *PasswordReset) (string, error) {
			if err := r.usable(now); err != nil {
				return "", err
			}
			return pwHash, nil
		})
		if err != nil {
			return err
		}
		if err := tx.logEvents(ctx, userEvent(EventPasswordReset, u).byInvitee()); err != nil {
			return err
		}
		// Whoever set the password holds the mailbox: the failed log-ins
		// others made at the address no longer keep them out.
		return tx.forgetLimits(ctx, "login:"+u.Email)
	})
	if err != nil {
		return nil, err
	}
	u.PasswordHash = ""
	return u, nil
}
