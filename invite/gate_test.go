package invite

import (
	"context"
	"errors"
	"runtime"
	"testing"
)

func TestGate(t *testing.T) {
	g := newGate(2, 1)
	ctx := context.Background()
	for i := range 2 {
		if err := g.enter(ctx); err != nil {
			t.Fatalf("slot %d: %v", i+1, err)
		}
	}
	// The slots are taken: one may wait, the next is told at once.
	waited := make(chan error, 1)
	waitCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { waited <- g.enter(waitCtx) }()
	for g.waiting.Load() != 1 {
		runtime.Gosched() // until the waiter queues
	}
	if err := g.enter(ctx); !errors.Is(err, ErrBusy) {
		t.Fatalf("with the queue full: got %v, want ErrBusy", err)
	}
	g.leave()
	if err := <-waited; err != nil {
		t.Fatalf("the waiter, after a slot was left: got %v", err)
	}
	// A waiter whose context ends is told the service is busy.
	go func() { waited <- g.enter(waitCtx) }()
	for g.waiting.Load() != 1 {
		runtime.Gosched()
	}
	cancel()
	if err := <-waited; !errors.Is(err, ErrBusy) {
		t.Fatalf("a waiter whose context ended: got %v, want ErrBusy", err)
	}
	if n := g.waiting.Load(); n != 0 {
		t.Fatalf("%d still counted as waiting", n)
	}
}
