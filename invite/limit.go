package invite

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"
)

// Rate is how often something may happen: at most Count times in Per, and
// then once every Per/Count. A zero Rate is no bound.
type Rate struct {
	Count int
	Per   time.Duration
}

// Limits bound how often people may do what could flood someone's mailbox
// or guess a secret. The counts are kept in the Store, so they hold across
// every server process that shares it. A zero field takes DefaultLimits'
// value; a negative Count removes the bound.
type Limits struct {
	// Attempts bounds the submissions of the forms people guess with (log
	// in, forgotten password, accept, reset, join), per client address.
	Attempts Rate
	// FailedLogins bounds the failed log-ins of one e-mail address,
	// whether or not it has an account, from one client (WithClient).
	FailedLogins Rate
	// FailedLoginsAnywhere bounds them from every client together, against
	// guessing from many places. It is higher: reaching it stops the
	// account's owner too, until it passes or they reset their password.
	FailedLoginsAnywhere Rate
	// Mails and DailyMails bound how often one company sends one e-mail
	// address an invitation, made or resent: a burst bound and a daily one.
	// Canceling and inviting again counts as much as resending. (Counted
	// by company, so that no company learns what others send.)
	Mails, DailyMails Rate
	// Invitations bounds the invitations, sent and resent, of one
	// administrator.
	Invitations Rate
	// ResetMails bounds the password reset links one user is sent.
	ResetMails Rate
	// JoinRequests bounds the requests to join one company, from
	// everywhere; JoinNotices the e-mails that tell its administrators of
	// them (past it the requests wait on the Users page).
	JoinRequests, JoinNotices Rate
	// BatchRows bounds the rows one administrator sends in bulk
	// (InviteMany, ConfirmBatch), in place of Invitations, which would
	// stop any bulk: a batch takes all its rows at once, or is refused
	// saying how many are left. Each row still takes from Mails and
	// DailyMails of its address.
	BatchRows Rate
}

// DefaultLimits returns the limits unless configured.
func DefaultLimits() Limits {
	return Limits{
		Attempts:             Rate{Count: 20, Per: time.Minute},
		FailedLogins:         Rate{Count: 20, Per: time.Hour},
		FailedLoginsAnywhere: Rate{Count: 100, Per: time.Hour},
		Mails:                Rate{Count: 1, Per: time.Minute},
		DailyMails:           Rate{Count: 5, Per: 24 * time.Hour},
		Invitations:          Rate{Count: 100, Per: time.Hour},
		ResetMails:           Rate{Count: 10, Per: 24 * time.Hour},
		JoinRequests:         Rate{Count: 100, Per: time.Hour},
		JoinNotices:          Rate{Count: 10, Per: time.Hour},
		BatchRows:            Rate{Count: 20000, Per: 24 * time.Hour},
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	for _, f := range []struct{ r, def *Rate }{
		{&l.Attempts, &d.Attempts}, {&l.FailedLogins, &d.FailedLogins}, {&l.FailedLoginsAnywhere, &d.FailedLoginsAnywhere}, {&l.Mails, &d.Mails},
		{&l.DailyMails, &d.DailyMails}, {&l.Invitations, &d.Invitations},
		{&l.ResetMails, &d.ResetMails}, {&l.JoinRequests, &d.JoinRequests}, {&l.JoinNotices, &d.JoinNotices},
		{&l.BatchRows, &d.BatchRows},
	} {
		switch {
		case f.r.Count < 0:
			*f.r = Rate{}
		case f.r.Count == 0 || f.r.Per <= 0:
			*f.r = *f.def
		}
	}
	return l
}

// take applies one event at now to the limit whose state is tat (the
// "theoretical arrival time" of the generic cell rate algorithm): it
// returns the new state, or how long to wait if the event is one too many.
func (r Rate) take(tat, now time.Time) (time.Time, time.Duration, bool) {
	if r.Count <= 0 {
		return tat, 0, true
	}
	if tat.Before(now) {
		tat = now
	}
	next := tat.Add(r.Per / time.Duration(r.Count))
	if wait := next.Sub(now) - r.Per; wait > 0 {
		return tat, wait, false
	}
	return next, 0, true
}

// limited returns a copy of e, of CodeLimited, that says when to try again.
func limited(e *Error, wait time.Duration) error {
	c := *e
	c.RetryAfter = wait.Round(time.Second)
	if c.RetryAfter < time.Second {
		c.RetryAfter = time.Second
	}
	return &c
}

// limit is one bound to take an event from: its rate, the error for one
// event too many, and whose events it counts.
type limit struct {
	rate Rate
	err  *Error
	key  string
}

// takeLimits takes one event from each limit, all or none, in one Store
// transaction, or fails with the first one's error. Keys are stored as
// SHA-256 digests.
func (s *Service) takeLimits(ctx context.Context, limits ...limit) error {
	now := s.clock()
	return s.updateLimits(ctx, limits, func(l limit, tat time.Time) (time.Time, error) {
		next, wait, ok := l.rate.take(tat, now)
		if !ok {
			return tat, limited(l.err, wait)
		}
		return next, nil
	})
}

// giveBack returns to each limit the event takeLimits took, as if it had
// not happened: a guess that turned out right is not a failed one. Taking
// first and giving back after makes concurrent guesses wait their turn:
// checking first and counting after would let them all through at once.
func (s *Service) giveBack(ctx context.Context, limits ...limit) error {
	return s.updateLimits(ctx, limits, func(l limit, tat time.Time) (time.Time, error) {
		return tat.Add(-l.rate.Per / time.Duration(l.rate.Count)), nil
	})
}

// updateLimits applies step to each bounded limit of limits in one Store
// transaction.
func (s *Service) updateLimits(ctx context.Context, limits []limit, step func(limit, time.Time) (time.Time, error)) error {
	var keys [][]byte
	var active []limit
	for _, l := range limits {
		if l.rate.Count > 0 {
			sum := sha256.Sum256([]byte(l.key))
			keys, active = append(keys, sum[:]), append(active, l)
		}
	}
	if len(active) == 0 {
		return nil
	}
	return s.st().UpdateLimits(ctx, keys, func(tats []time.Time) ([]time.Time, error) {
		next := make([]time.Time, len(tats))
		for i, l := range active {
			var err error
			if next[i], err = step(l, tats[i]); err != nil {
				return nil, err
			}
		}
		return next, nil
	})
}

// failedLogins returns the bounds on failed log-ins of email from the
// request's client and from anywhere.
func (s *Service) failedLogins(ctx context.Context, email string) []limit {
	return []limit{
		{s.limits.FailedLogins, ErrTooManyFailedLogins, "login:" + email + "|" + clientOf(ctx)},
		{s.limits.FailedLoginsAnywhere, ErrTooManyFailedLogins, "login:" + email},
	}
}

// forgetLimits sets the limits with the given keys back to nothing.
func (s *Service) forgetLimits(ctx context.Context, keys ...string) error {
	hashes := make([][]byte, len(keys))
	for i, k := range keys {
		sum := sha256.Sum256([]byte(k))
		hashes[i] = sum[:]
	}
	return s.st().UpdateLimits(ctx, hashes, func(tats []time.Time) ([]time.Time, error) {
		return make([]time.Time, len(tats)), nil // back to nothing
	})
}

// Attempt counts a submission of a form people guess with (a password, a
// link's token) from the client address client, and returns
// ErrTooManyAttempts with the time to wait once there are too many.
func (s *Service) Attempt(ctx context.Context, client string) error {
	return s.takeLimits(ctx, limit{s.limits.Attempts, ErrTooManyAttempts, "attempt:" + client})
}

// Prune forgets what is over: the counts of limits that are back to
// nothing, and sessions that have expired. It returns how many rows it
// deleted. It is the scheduled job's work.
func (s *Service) Prune(ctx context.Context) (int, error) {
	now := s.clock()
	limits, err := s.st().PruneLimits(ctx, now)
	if err != nil {
		return limits, err
	}
	sessions, err := s.st().PruneSessions(ctx, now)
	return limits + sessions, err
}

func userKey(prefix string, id int64) string { return fmt.Sprintf("%s:%d", prefix, id) }

// sending returns the bounds one more invitation of a company to email by
// u takes from.
func (s *Service) sending(u *User, companyID int64, email string) []limit {
	to := fmt.Sprintf("%d:%s", companyID, email)
	return []limit{
		{s.limits.Mails, ErrTooManyMails, "mail:" + to},
		{s.limits.DailyMails, ErrTooManyMails, "mail-daily:" + to},
		{s.limits.Invitations, ErrTooManyInvitations, userKey("invitations", u.ID)},
	}
}
