package invite

import (
	"context"
	"time"
)

// DefaultRetention is how long PruneHistory keeps events and mail that was
// delivered or failed, when Config.Retention is zero: a year, so that an
// audit of the last year finds it all.
const DefaultRetention = 365 * 24 * time.Hour

// CheckedBatchRetention is how long PruneHistory keeps a batch of
// invitations that was checked (PrepareBatch) and never confirmed: a
// dry run nobody sent is of no use after a week.
const CheckedBatchRetention = 7 * 24 * time.Hour

// pruneChunk is how many rows one transaction of PruneHistory deletes, so
// that a first prune of millions holds no lock for long.
const pruneChunk = 1000

// Retention returns how long the service keeps events and mail, and
// false if it keeps them forever.
func (s *Service) Retention() (time.Duration, bool) {
	switch {
	case s.retention < 0:
		return 0, false
	case s.retention == 0:
		return DefaultRetention, true
	}
	return s.retention, true
}

// PruneHistory deletes, a thousand rows a transaction, what is older than
// the retention: events, and messages of the outbox that were sent or
// finally failed (but the latest of each pending invitation, which its
// delivery state shows; the Sent Mail page then lists the mail of the
// retention only); and batches of invitations that were checked and never
// confirmed for CheckedBatchRetention, whatever the retention. It returns
// how many rows it deleted in all. It is a job: it authorizes nobody, and
// running it on several instances at once is safe.
func (s *Service) PruneHistory(ctx context.Context) (int, error) {
	now := s.clock()
	total := 0
	each := func(prune func(context.Context, time.Time, int) (int, error), before time.Time) error {
		for {
			n, err := prune(ctx, before, pruneChunk)
			total += n
			if err != nil {
				return err
			}
			if n < pruneChunk {
				return nil
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	st := s.st()
	if keep, ok := s.Retention(); ok {
		if err := each(st.PruneEvents, now.Add(-keep)); err != nil {
			return total, err
		}
		if err := each(st.PruneMessages, now.Add(-keep)); err != nil {
			return total, err
		}
	}
	if err := each(st.PruneBatches, now.Add(-CheckedBatchRetention)); err != nil {
		return total, err
	}
	return total, nil
}
