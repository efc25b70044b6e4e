package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// expiring is P3: marking expired the pending invitations past their
// expiry. The baseline is one UPDATE; the product is Service.ExpireDue.
// Before each, the same due rows are set back to pending, untimed.
type expiring struct {
	b     *bench
	reset string
}

func (b *bench) newExpiring(ctx context.Context) (*expiring, error) {
	if b.due == 0 {
		return nil, errors.New("the data set has no invitation due for expiry")
	}
	// The due rows are known by their IDs (see dueRemainder); among the
	// expired ones, which the index on status finds without reading the
	// table.
	return &expiring{b: b, reset: fmt.Sprintf(`UPDATE invitations SET status = 'pending', pending_email = email
		WHERE status = 'expired' AND id %% %d = %d`, b.cfg.dueEvery(), dueRemainder)}, nil
}

// resetDue sets the due invitations back to pending and checks that they
// are all that is due.
func (p *expiring) resetDue(ctx context.Context) error {
	if _, err := p.b.raw.ExecContext(ctx, p.reset); err != nil {
		return fmt.Errorf("set the due invitations back: %w", err)
	}
	var n int
	if err := p.b.raw.QueryRowContext(ctx, "SELECT COUNT(*) FROM invitations WHERE status = 'pending' AND expires_at <= ?",
		p.b.dialect.arg(time.Now())).Scan(&n); err != nil {
		return err
	}
	if n != p.b.due {
		return fmt.Errorf("%d invitations are due after setting them back, want %d", n, p.b.due)
	}
	return nil
}

func (p *expiring) raw(ctx context.Context) (int, error) {
	res, err := p.b.raw.ExecContext(ctx, `UPDATE invitations SET status = 'expired', pending_email = NULL, remind_at = NULL
		WHERE status = 'pending' AND expires_at <= ?`, p.b.dialect.arg(time.Now()))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// round expires the due invitations by the baseline, then by the product,
// and records each one's time.
func (p *expiring) round(ctx context.Context, m *measurements) error {
	for _, s := range []struct {
		what   string
		expire func(context.Context) (int, error)
		into   *[]float64
	}{
		{"P3 raw", p.raw, &m.p3Raw},
		{"P3 product", p.b.svc.ExpireDue, &m.p3Product},
	} {
		if err := p.resetDue(ctx); err != nil {
			return err
		}
		if err := p.b.settle(ctx); err != nil {
			return err
		}
		start := time.Now()
		n, err := s.expire(ctx)
		took := time.Since(start)
		switch {
		case err != nil:
			p.b.fail(s.what, 1, err)
		case n != p.b.due:
			p.b.fail(s.what, 1, fmt.Errorf("expired %d invitations, want %d", n, p.b.due))
		default:
			fmt.Fprintf(p.b.log, "  %-22s %8s ms for %d\n", s.what, num(ms(took)), n)
			*s.into = append(*s.into, ms(took))
		}
	}
	return ctx.Err()
}
