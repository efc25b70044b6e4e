package invite

import (
	"context"
	"errors"
	"time"
)

// remindAt returns when the reminder of an invitation sent at sentAt that
// expires at expiresAt is due, or zero if it gets none.
func (s *Service) remindAt(sentAt, expiresAt time.Time) time.Time {
	if s.remindBefore < 0 {
		return time.Time{}
	}
	at := expiresAt.Add(-s.remindBefore)
	if !at.After(sentAt) {
		return time.Time{}
	}
	return at
}

// SendReminders writes one reminder for each pending invitation whose
// reminder is due, with a new link, and returns how many it wrote. An
// invitation is reminded once per sending: never twice, whatever number of
// instances run it at once. It is the scheduled job's work and does no
// authorization.
func (s *Service) SendReminders(ctx context.Context) (int, error) {
	if s.remindBefore < 0 {
		return 0, nil
	}
	now := s.clock()
	due, err := s.st().DueReminders(ctx, now, remindBatch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, inv := range due {
		mc, err := s.loadMailContext(ctx, inv, nil, nil)
		if err != nil {
			return sent, err
		}
		token, hash, err := newToken(s.rand)
		if err != nil {
			return sent, err
		}
		err = s.inTx(ctx, func(tx *Service) error {
			var msg *Message
			reminded, err := tx.st().UpdateInvitation(ctx, inv.ID, func(inv *Invitation) (*Message, error) {
				if err := inv.remind(hash, now); err != nil {
					return nil, err
				}
				msg, err = s.compose(KindReminder, inv, mc, token, now)
				return msg, err
			})
			if err != nil {
				return err
			}
			return tx.logEvents(ctx,
				invitationEvent(EventReminderSent, reminded).with(map[string]any{"expires_at": dateText(reminded.ExpiresAt)}),
				mailQueued(invitationEvent(EventMailQueued, reminded), msg))
		})
		switch {
		case errors.Is(err, errNotDue):
		case err != nil:
			return sent, err
		default:
			sent++
		}
	}
	if sent > 0 {
		s.queued()
	}
	return sent, nil
}
