package invite

import "context"

// RecordForTest records evs in a transaction of s, as the service's
// methods record their events (logEvents), and rolls it back with fail
// if fail is not nil: for the tests of webhooks, until every method
// records its own.
func RecordForTest(ctx context.Context, s *Service, fail error, evs ...*Event) error {
	return s.inTx(ctx, func(tx *Service) error {
		if err := tx.logEvents(ctx, evs...); err != nil {
			return err
		}
		return fail
	})
}
