package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
)

// job is one scheduled piece of work. Runs never overlap within a process; a
// trigger during a run makes it run once more afterwards, so nothing queued
// meanwhile waits for the next schedule. Across processes each job is safe
// by itself (single statements, row locks, SKIP LOCKED).
type job struct {
	name string
	run  func(ctx context.Context) (int, error)

	running sync.Mutex
	again   atomic.Bool
}

// jobObserver is told of each run of a job once it ends: how long it took,
// whether it failed (the shutdown's own cancellation is no failure) and
// whether it panicked.
type jobObserver func(name string, took time.Duration, failed, panicked bool)

// trigger runs the job unless it is running, in which case the running one
// goes round again. A run that panics is logged with its stack and counted
// in panics; the server goes on, and so does the job, at its next trigger.
// Each run is told to observe, if it is not nil.
func (j *job) trigger(ctx context.Context, logger *slog.Logger, panics *atomic.Int64, observe jobObserver) {
	j.again.Store(true)
	if !j.running.TryLock() {
		return
	}
	defer j.running.Unlock()
	for j.again.Swap(false) && ctx.Err() == nil {
		start := time.Now()
		n, panicked, err := j.runOnce(ctx, logger, panics)
		// Anything but the shutdown's own cancellation is a failure; what
		// was done before either is still told.
		failed := err != nil && !(ctx.Err() != nil && errors.Is(err, ctx.Err()))
		if observe != nil {
			observe(j.name, time.Since(start), failed, panicked)
		}
		switch {
		case failed:
			logger.Error("job failed", "job", j.name, "err", err, "count", n)
		case n > 0:
			logger.Info("job done", "job", j.name, "count", n)
		}
	}
}

func (j *job) runOnce(ctx context.Context, logger *slog.Logger, panics *atomic.Int64) (n int, panicked bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			total := panics.Add(1)
			logger.Error("job panicked", "job", j.name, "panic", fmt.Sprint(v), "panics", total, "stack", string(debug.Stack()))
			n, panicked, err = 0, true, nil // logged here, not again as a failure
		}
	}()
	n, err = j.run(ctx)
	return n, false, err
}

// scheduler runs jobs on their cron schedules and on demand, and stops them
// cleanly.
type scheduler struct {
	ctx    context.Context
	cancel context.CancelFunc
	logger *slog.Logger
	cron   *cron.Cron
	kicks  sync.WaitGroup
	panics *atomic.Int64 // runs that panicked, the server's count
	// observe is told of each run (see jobObserver); nil for nobody.
	observe jobObserver
}

func newScheduler(logger *slog.Logger, panics *atomic.Int64, observe jobObserver) *scheduler {
	ctx, cancel := context.WithCancel(context.Background())
	return &scheduler{ctx: ctx, cancel: cancel, logger: logger, cron: cron.New(cron.WithLogger(cronLogger{logger})), panics: panics, observe: observe}
}

// add schedules j by spec, a cron expression or "@every 1m".
func (s *scheduler) add(spec string, j *job) error {
	_, err := s.cron.AddFunc(spec, func() { j.trigger(s.ctx, s.logger, s.panics, s.observe) })
	return err
}

// kick runs j now in the background, unless the scheduler is stopping.
func (s *scheduler) kick(j *job) {
	if s.ctx.Err() != nil {
		return
	}
	s.kicks.Go(func() { j.trigger(s.ctx, s.logger, s.panics, s.observe) })
}

func (s *scheduler) start() { s.cron.Start() }

// stop cancels running jobs and waits for them to return, or for ctx.
func (s *scheduler) stop(ctx context.Context) error {
	s.cancel()
	done := make(chan struct{})
	go func() {
		<-s.cron.Stop().Done()
		s.kicks.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// cronLogger lets cron log through slog.
type cronLogger struct{ logger *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.logger.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.logger.Error("cron: "+msg, append(kv, "err", err)...)
}
