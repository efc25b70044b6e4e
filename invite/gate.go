package invite

import (
	"context"
	"sync/atomic"
)

// gate bounds how many password hashes are computed at once. Each argon2id
// run takes a core and argonMemory of memory for as long as it runs, so a
// burst of log-ins unbounded would take the memory of the machine: the
// rest wait their turn, up to a bounded number of them and for as long as
// their context allows; past that they are told the service is busy.
type gate struct {
	slots      chan struct{}
	waiting    atomic.Int64
	maxWaiting int64
}

func newGate(slots, waiting int) *gate {
	return &gate{slots: make(chan struct{}, slots), maxWaiting: int64(waiting)}
}

// enter takes a slot, waiting for one while ctx lasts; it returns ErrBusy
// when the queue is full or ctx ends first. A nil error must be followed
// by leave.
func (g *gate) enter(ctx context.Context) error {
	select {
	case g.slots <- struct{}{}:
		return nil
	default:
	}
	if g.waiting.Add(1) > g.maxWaiting {
		g.waiting.Add(-1)
		return ErrBusy
	}
	defer g.waiting.Add(-1)
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ErrBusy
	}
}

func (g *gate) leave() { <-g.slots }

// hashPassword hashes pw once a slot of the gate is free.
func (s *Service) hashPassword(ctx context.Context, pw string) (string, error) {
	if err := s.hashing.enter(ctx); err != nil {
		return "", err
	}
	defer s.hashing.leave()
	return hashPassword(s.rand, pw)
}

// checkPassword checks pw against hash once a slot of the gate is free.
func (s *Service) checkPassword(ctx context.Context, hash, pw string) (bool, error) {
	if err := s.hashing.enter(ctx); err != nil {
		return false, err
	}
	defer s.hashing.leave()
	return checkPassword(hash, pw), nil
}
