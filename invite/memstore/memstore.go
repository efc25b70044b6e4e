// Package memstore implements invite.Store in memory. It is the reference
// implementation of the Store contract, which it keeps without SQL: the
// constraints of package store's schema (one company per name regardless
// of case, one user per e-mail address, one pending invitation per company
// and address, rows that refer to rows that exist) are kept in Go, and
// where the contract is silent it behaves as package store does.
//
// It is meant for tests, for this module's and for those of programs that
// embed the service, and for small programs that need no database.
// Everything it keeps is lost when the process ends. One lock serializes
// every method and every transaction, so one slow transaction holds up all
// the others, and lookups scan what is kept: it serves the data of a test,
// not that of a busy installation.
//
// What goes in is copied and what comes out is a copy: a caller that
// changes a value it gave or was given changes nothing kept.
package memstore

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/invitehq/invite/invite"
)

// Store is an invite.Store in memory. It is safe for concurrent use by
// many goroutines, and each of its methods is atomic. Make one with New.
//
// A method that takes a callback (UpdateUser's update, AcceptInvitation's
// accept and the like) calls it while it holds the Store: the callback may
// use a Store that InTx gave to its caller, but must not call the Store
// the method was called on, which would wait for the method to end: until
// the call's context ends, or forever.
type Store struct {
	lock lock
	data *data
	// tx is the transaction a Store that InTx hands its function is bound
	// to, and nil for the Store that New returns.
	tx *txn
}

// txn is a transaction in progress.
type txn struct {
	done atomic.Bool // set once InTx has returned
}

var _ invite.Store = (*Store)(nil)

// errTxDone is the error of a transaction's Store used after InTx returned.
var errTxDone = &invite.Error{
	Code:    invite.CodeInternal,
	Reason:  "internal",
	Message: "An internal error occurred.",
	Err:     errors.New("memstore: the transaction has ended"),
}

// New returns an empty Store.
func New() *Store {
	return &Store{lock: make(lock, 1), data: newData()}
}

// InTx runs fn with a Store whose every method works in one transaction,
// committed if fn returns nil and rolled back otherwise (a panic in fn
// rolls back too), and returns fn's error as it is. The transaction holds
// the Store: fn must work through the Store it is given, which is for the
// goroutine that runs fn, and stops working when InTx returns. Within fn,
// InTx joins the transaction it is in: what the inner fn did stays or goes
// with the outer transaction, as in package store. Unlike package store,
// it never runs fn again.
func (s *Store) InTx(ctx context.Context, fn func(tx invite.Store) error) error {
	if s.tx != nil {
		if err := s.usable(ctx); err != nil {
			return err
		}
		return fn(s)
	}
	if err := s.lock.acquire(ctx); err != nil {
		return err
	}
	defer s.lock.release()
	tx := &Store{lock: s.lock, data: s.data, tx: new(txn)}
	defer tx.tx.done.Store(true)
	defer s.data.log.forget() // committed, or rolled back by atomically
	return s.data.atomically(func(*data) error { return fn(tx) })
}

// usable returns why a transaction's Store may not start a method: its
// context is done, or its transaction has ended.
func (s *Store) usable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.tx.done.Load() {
		return errTxDone
	}
	return nil
}

// do runs fn on the data as one atomic step: within the transaction of a
// Store that InTx made, or holding the Store otherwise. What fn changed is
// undone if it returns an error or panics.
func (s *Store) do(ctx context.Context, fn func(d *data) error) error {
	if s.tx != nil {
		if err := s.usable(ctx); err != nil {
			return err
		}
		return s.data.atomically(fn)
	}
	if err := s.lock.acquire(ctx); err != nil {
		return err
	}
	defer s.lock.release()
	defer s.data.log.forget()
	return s.data.atomically(fn)
}

// query runs fn as do does and returns its result, or the zero T with the
// error: a method that fails returns nothing half made.
func query[T any](ctx context.Context, s *Store, fn func(d *data) (T, error)) (T, error) {
	var out T
	err := s.do(ctx, func(d *data) error {
		var err error
		out, err = fn(d)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// lock is a mutex whose waiters give up when their context is done.
type lock chan struct{}

// acquire takes the lock, or returns the context's error if it is done
// first.
func (l lock) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case l <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// release gives the lock back.
func (l lock) release() { <-l }
