package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// series is one measured operation over the rounds: its rate and 99th
// percentile latency in each.
type series struct{ rate, p99 []float64 }

func (s *series) add(r result) {
	s.rate = append(s.rate, r.rate())
	s.p99 = append(s.p99, r.p99())
}

// measurements are the values of every round, kept apart until the report
// takes their medians.
type measurements struct {
	p1Raw, p1HTTP, p1Service               series
	p2RawFirst, p2First, p2RawDeep, p2Deep series
	p3Raw, p3Product                       []float64 // milliseconds
	p4                                     []float64 // messages per second per core
	p5RSS                                  []float64 // MiB
	p6                                     []float64 // milliseconds
	p7                                     []float64 // invitations per second with 1, 2, 3 processes
	notes                                  []string
}

// summary is the last line of the output. Ratios are product over raw
// (rates: higher is better; latencies: lower is better), except p3_ratio,
// raw time over product time, so that higher is better there too.
type summary struct {
	P1HTTPRatio     float64   `json:"p1_http_ratio"`
	P1ServiceRatio  float64   `json:"p1_service_ratio"`
	P1P99Ratio      float64   `json:"p1_p99_ratio"`
	P2FirstRatio    float64   `json:"p2_first_ratio"`
	P2P99Ratio      float64   `json:"p2_p99_ratio"`
	P2DeepOverFirst float64   `json:"p2_deep_over_first"`
	P3Ratio         float64   `json:"p3_ratio"`
	P4MsgsPerCore   float64   `json:"p4_msgs_per_core"`
	P5RSSMB         float64   `json:"p5_rss_mb"`
	P6StartupMS     float64   `json:"p6_startup_ms"`
	P7Rates         []float64 `json:"p7_rates"`
	Errors          int       `json:"errors"`
}

// row is a line of the table: a value over the rounds for the baseline
// and the product, and their ratio round by round.
type row struct {
	what, unit          string
	raw, product, ratio []float64
}

type results struct {
	rows    []row
	notes   []string
	summary summary
	errors  int
}

func (m *measurements) results(errors int) *results {
	p1HTTPP99 := ratios(m.p1HTTP.p99, m.p1Raw.p99)
	p2FirstP99 := ratios(m.p2First.p99, m.p2RawFirst.p99)
	// The deep page's time over the first's: the inverse of their rates,
	// measured with the same clients.
	deepOverFirst := ratios(m.p2First.rate, m.p2Deep.rate)
	p3 := ratios(m.p3Raw, m.p3Product)
	rows := []row{
		{"P1 send invitation, HTTP (htmx form)", "/s", m.p1Raw.rate, m.p1HTTP.rate, ratios(m.p1HTTP.rate, m.p1Raw.rate)},
		{"P1 send invitation, Service.Invite", "/s", m.p1Raw.rate, m.p1Service.rate, ratios(m.p1Service.rate, m.p1Raw.rate)},
		{"P1 p99, HTTP", "ms", m.p1Raw.p99, m.p1HTTP.p99, p1HTTPP99},
		{"P1 p99, Service.Invite", "ms", m.p1Raw.p99, m.p1Service.p99, ratios(m.p1Service.p99, m.p1Raw.p99)},
		{"P2 Invitations tab, first page", "/s", m.p2RawFirst.rate, m.p2First.rate, ratios(m.p2First.rate, m.p2RawFirst.rate)},
		{"P2 p99, first page", "ms", m.p2RawFirst.p99, m.p2First.p99, p2FirstP99},
		{"P2 Invitations tab, deep page", "/s", m.p2RawDeep.rate, m.p2Deep.rate, ratios(m.p2Deep.rate, m.p2RawDeep.rate)},
		{"P2 p99, deep page", "ms", m.p2RawDeep.p99, m.p2Deep.p99, ratios(m.p2Deep.p99, m.p2RawDeep.p99)},
		{"P2 deep page time / first page time", "x", ratios(m.p2RawFirst.rate, m.p2RawDeep.rate), deepOverFirst, nil},
		{"P3 expire due invitations (ratio raw/product)", "ms", m.p3Raw, m.p3Product, p3},
		{"P4 compose invitation mail, per core", "/s", nil, m.p4, nil},
		{"P5 peak RSS of invited serving P2", "MiB", nil, m.p5RSS, nil},
		{"P6 start-up, exec to /readyz 200", "ms", nil, m.p6, nil},
	}
	for i, r := range m.p7 {
		rows = append(rows, row{fmt.Sprintf("P7 send invitation, %d invited process(es)", i+1), "/s", nil, []float64{r}, nil})
	}
	p7 := m.p7
	if p7 == nil {
		p7 = []float64{}
	}
	return &results{rows: rows, notes: m.notes, errors: errors, summary: summary{
		P1HTTPRatio:     round3(median(ratios(m.p1HTTP.rate, m.p1Raw.rate))),
		P1ServiceRatio:  round3(median(ratios(m.p1Service.rate, m.p1Raw.rate))),
		P1P99Ratio:      round3(median(p1HTTPP99)),
		P2FirstRatio:    round3(median(ratios(m.p2First.rate, m.p2RawFirst.rate))),
		P2P99Ratio:      round3(median(p2FirstP99)),
		P2DeepOverFirst: round3(median(deepOverFirst)),
		P3Ratio:         round3(median(p3)),
		P4MsgsPerCore:   math.Round(median(m.p4)),
		P5RSSMB:         round3(median(m.p5RSS)),
		P6StartupMS:     round3(median(m.p6)),
		P7Rates:         mapRound(p7),
		Errors:          errors,
	}}
}

// write prints the table, then the summary as the last line.
func (r *results) write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "what\traw\tproduct\tratio\t")
	fmt.Fprintln(tw, "\tmedian [min–max] of the rounds\t\t\t")
	for _, row := range r.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", row.what, cell(row.raw, row.unit), cell(row.product, row.unit), cell(row.ratio, ""))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range r.notes {
		fmt.Fprintln(w, "note:", n)
	}
	fmt.Fprintf(w, "errors: %d\n", r.errors)
	line, err := json.Marshal(r.summary)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", line)
	return err
}

// cell shows values over the rounds as their median, with the range when
// there are several.
func cell(xs []float64, unit string) string {
	if len(xs) == 0 {
		return "—"
	}
	s := statsOf(xs)
	if unit != "" && unit != "x" {
		unit = " " + unit
	}
	if s.n == 1 {
		return num(s.med) + unit
	}
	return fmt.Sprintf("%s%s [%s–%s]", num(s.med), unit, num(s.lo), num(s.hi))
}

// num shows three significant digits, or the whole number when larger.
func num(x float64) string {
	switch a := math.Abs(x); {
	case a >= 100:
		return fmt.Sprintf("%.0f", x)
	case a >= 10:
		return fmt.Sprintf("%.1f", x)
	case a >= 1:
		return fmt.Sprintf("%.2f", x)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", x), "0"), ".")
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func mapRound(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = round3(x)
	}
	return out
}

// timings are how long each part of the run took, in the order first
// seen.
type timings struct {
	names []string
	took  map[string]time.Duration
}

// time runs fn and adds how long it took to name.
func (t *timings) time(name string, fn func() error) error {
	start := time.Now()
	err := fn()
	if t.took == nil {
		t.took = make(map[string]time.Duration)
	}
	if _, ok := t.took[name]; !ok {
		t.names = append(t.names, name)
	}
	t.took[name] += time.Since(start)
	return err
}

func (t *timings) write(w io.Writer) {
	fmt.Fprint(w, "time taken:")
	for _, n := range t.names {
		fmt.Fprintf(w, " %s %v;", n, t.took[n].Round(100*time.Millisecond))
	}
	fmt.Fprintln(w)
}
