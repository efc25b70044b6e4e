package main

import (
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// stopAt says when the clients of a measurement stop: once a duration has
// passed, or once n operations have started in all.
type stopAt struct {
	d time.Duration
	n int
}

// result is what the clients of one measurement did.
type result struct {
	ops      int // that succeeded
	failed   int
	firstErr error
	elapsed  time.Duration
	lat      []time.Duration // of the operations that succeeded, sorted
}

// rate returns the successful operations per second.
func (r result) rate() float64 { return ratio(float64(r.ops), r.elapsed.Seconds()) }

// quantile returns the latency below which the fraction q of the
// successful operations took, in milliseconds.
func (r result) quantile(q float64) float64 {
	if len(r.lat) == 0 {
		return 0
	}
	i := min(len(r.lat)-1, int(math.Ceil(q*float64(len(r.lat))))-1)
	return ms(r.lat[max(i, 0)])
}

func (r result) p99() float64 { return r.quantile(0.99) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// drive runs op on clients goroutines, each calling it in turn with its own
// number, until stop says so, and returns what they did. Latencies are kept
// per client and merged at the end, so that measuring takes no lock.
func drive(ctx context.Context, clients int, stop stopAt, op func(ctx context.Context, client int) error) result {
	var (
		started atomic.Int64
		wg      sync.WaitGroup
		mu      sync.Mutex
		res     result
	)
	deadline := time.Now().Add(stop.d)
	more := func() bool {
		switch {
		case ctx.Err() != nil:
			return false
		case stop.n > 0:
			return started.Add(1) <= int64(stop.n)
		}
		return time.Now().Before(deadline)
	}
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			var (
				lat    []time.Duration
				failed int
				first  error
			)
			for more() {
				t := time.Now()
				if err := op(ctx, c); err != nil {
					failed++
					if first == nil {
						first = err
					}
					continue
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			defer mu.Unlock()
			res.lat = append(res.lat, lat...)
			res.failed += failed
			if res.firstErr == nil {
				res.firstErr = first
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.ops = len(res.lat)
	slices.Sort(res.lat)
	return res
}

// ratio returns a/b, and 0 when b is 0: a measurement that did nothing
// shows as 0 (and as its errors), not as an infinity JSON cannot hold.
func ratio(a, b float64) float64 {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return 0
	}
	return a / b
}

// ratios divides a by b round by round.
func ratios(a, b []float64) []float64 {
	out := make([]float64, min(len(a), len(b)))
	for i := range out {
		out[i] = ratio(a[i], b[i])
	}
	return out
}

// stats are the median, minimum and maximum of one value over the rounds.
type stats struct {
	med, lo, hi float64
	n           int
}

func statsOf(xs []float64) stats {
	if len(xs) == 0 {
		return stats{}
	}
	s := slices.Sorted(slices.Values(xs))
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stats{med: med, lo: s[0], hi: s[len(s)-1], n: len(s)}
}

func median(xs []float64) float64 { return statsOf(xs).med }
