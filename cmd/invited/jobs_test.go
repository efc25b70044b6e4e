package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A job's run is logged as what happened: done with its count (also when
// the shutdown stopped it after some), failed with its error and what it
// did before, nothing when it did nothing, a panic with its stack.
func TestJobLogs(t *testing.T) {
	tests := []struct {
		name     string
		shutdown bool // the scheduler's context is canceled during the run
		n        int
		err      error
		panics   bool
		want     []string // in the log; none when empty
	}{
		{name: "Done", n: 3, want: []string{`level=INFO msg="job done" job=test count=3`}},
		{name: "Idle", n: 0},
		{name: "Failed", n: 2, err: errors.New("record the delivery of message 7: database is locked"),
			want: []string{`level=ERROR msg="job failed" job=test err="record the delivery of message 7: database is locked" count=2`}},
		{name: "StoppedByShutdown", shutdown: true, err: context.Canceled},
		{name: "StoppedByShutdownAfterWork", shutdown: true, n: 1, err: context.Canceled,
			want: []string{`level=INFO msg="job done" job=test count=1`}},
		{name: "FailedDuringShutdown", shutdown: true, err: errors.New("smtp: 421"),
			want: []string{`level=ERROR msg="job failed" job=test err="smtp: 421"`}},
		{name: "Panicked", panics: true, want: []string{`level=ERROR msg="job panicked" job=test panic=boom panics=1`, "jobs_test.go"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			var panics atomic.Int64
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			j := &job{name: "test", run: func(context.Context) (int, error) {
				if tt.shutdown {
					cancel()
				}
				if tt.panics {
					panic("boom")
				}
				if errors.Is(tt.err, context.Canceled) {
					return tt.n, fmt.Errorf("claim: %w", ctx.Err())
				}
				return tt.n, tt.err
			}}
			var runs []string
			observe := func(name string, took time.Duration, failed, panicked bool) {
				runs = append(runs, fmt.Sprintf("%s failed=%v panicked=%v", name, failed, panicked))
			}
			j.trigger(ctx, slog.New(slog.NewTextHandler(&log, nil)), &panics, observe)
			// Each run is observed, as the log tells it.
			wantRun := fmt.Sprintf("test failed=%v panicked=%v", strings.Contains(strings.Join(tt.want, " "), "job failed"), tt.panics)
			if len(runs) != 1 || runs[0] != wantRun {
				t.Errorf("observed %q, want [%q]", runs, wantRun)
			}
			got := log.String()
			if len(tt.want) == 0 && got != "" {
				t.Errorf("logged %q, want nothing", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("the log lacks %q:\n%s", w, got)
				}
			}
		})
	}
}
