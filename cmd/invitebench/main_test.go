package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/invitehq/invite/store/storetest"
)

// The -short run, in process, ends with one JSON line holding every key,
// and no request or operation failed. It asserts nothing about timings:
// they are what the benchmark reports, not what a test may depend on.
func TestShort(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testShort(t) })
	t.Run("mysql", func(t *testing.T) {
		dbURL := os.Getenv(storetest.EnvMySQL)
		if dbURL == "" {
			storetest.Unavailable(t, "mysql", storetest.EnvMySQL+" is not set")
		}
		testShort(t, "-db", dbURL)
	})
}

func testShort(t *testing.T, args ...string) {
	if testing.Short() {
		t.Skip("runs the benchmark for some seconds; not with -short")
	}
	var stdout, stderr bytes.Buffer
	failures, err := run(t.Context(), append([]string{"-short"}, args...), &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	t.Logf("stdout:\n%s", stdout.String())
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	last := lines[len(lines)-1]
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(last), &got); err != nil {
		t.Fatalf("last line %q: %v", last, err)
	}
	for _, key := range []string{"p1_http_ratio", "p1_service_ratio", "p1_p99_ratio", "p2_first_ratio", "p2_p99_ratio",
		"p2_deep_over_first", "p3_ratio", "p4_msgs_per_core", "p5_rss_mb", "p6_startup_ms", "p7_rates", "errors"} {
		if _, ok := got[key]; !ok {
			t.Errorf("the last line has no %q: %s", key, last)
		}
	}
	var s summary
	if err := json.Unmarshal([]byte(last), &s); err != nil {
		t.Fatalf("last line %q: %v", last, err)
	}
	if s.Errors != 0 || failures != 0 {
		t.Errorf("errors %d (run returned %d), want 0\n%s", s.Errors, failures, stderr.String())
	}
	if len(args) > 0 && len(s.P7Rates) != 3 {
		t.Errorf("p7_rates %v on MySQL, want 3 rates", s.P7Rates)
	}
}
