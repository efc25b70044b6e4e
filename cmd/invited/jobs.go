package main

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

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

// trigger runs the job unless it is running, in which case the running one
// goes round again.
func (j *job) trigger(ctx context.Context, logger *slog.Logger) {
	j.again.Store(true)
	if !j.running.TryLock() {
		return
	}
	defer j.running.Unlock()
	for j.again.Swap(false) && ctx.Err() == nil {
		n, err := j.run(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("job failed", "job", j.name, "err", err)
		case n > 0:
			logger.Info("job done", "job", j.name, "count", n)
		}
	}
}

// scheduler runs jobs on their cron schedules and on demand, and stops them
// cleanly.
type scheduler struct {
	ctx    context.Context
	cancel context.CancelFunc
	logger *slog.Logger
	cron   *cron.Cron
	kicks  sync.WaitGroup
}

func newScheduler(logger *slog.Logger) *scheduler {
	ctx, cancel := context.WithCancel(context.Background())
	return &scheduler{ctx: ctx, cancel: cancel, logger: logger, cron: cron.New(cron.WithLogger(cronLogger{logger}))}
}

// add schedules j by spec, a cron expression or "@every 1m".
func (s *scheduler) add(spec string, j *job) error {
	_, err := s.cron.AddFunc(spec, func() { j.trigger(s.ctx, s.logger) })
	return err
}

// kick runs j now in the background, unless the scheduler is stopping.
func (s *scheduler) kick(j *job) {
	if s.ctx.Err() != nil {
		return
	}
	s.kicks.Go(func() { j.trigger(s.ctx, s.logger) })
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
