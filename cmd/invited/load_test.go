package main

import (
	"bufio"
	"context"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invitehq/invite/store/storetest"
)

// buildServer builds the invited binary into a temporary directory, as
// it is shipped: without the race detector the test itself may run under.
func buildServer(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = "/usr/local/go/bin/go" // where .ci/run and README put it
	}
	bin := filepath.Join(t.TempDir(), "invited")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is the server running as a process of its own.
type process struct {
	cmd  *exec.Cmd
	base string
	log  *strings.Builder
	mu   *sync.Mutex
}

// runServer starts bin with env and waits until it is healthy.
func runServer(t *testing.T, bin string, env ...string) *process {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := &process{base: "http://" + addr, log: &strings.Builder{}, mu: &sync.Mutex{}}
	p.cmd = exec.Command(bin)
	p.cmd.Env = append(os.Environ(), append([]string{"INVITE_ADDR=" + addr, "INVITE_BASE_URL=" + p.base}, env...)...)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdout = io.Discard
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		p.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			p.cmd.Process.Kill()
		}
	})
	eventually(t, "the server to be ready", func() bool {
		resp, err := http.Get(p.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

// peakRSS returns the most resident memory the process has had, in bytes.
func (p *process) peakRSS(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Skipf("no /proc to read the memory from: %v", err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no VmHWM in /proc/%d/status", p.cmd.Process.Pid)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// logIn logs in with a browser of its own and returns the answer's status
// and Retry-After.
func logIn(ctx context.Context, base, email, password string) (int, string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/login", nil)
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(body)
	if m == nil {
		return resp.StatusCode, resp.Header.Get("Retry-After"), nil // the form itself was not served
	}
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {html.UnescapeString(string(m[1]))}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err = c.Do(req)
	if err != nil {
		return 0, "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After"), nil
}

// 200 people logging in at once on MariaDB: the password hashing takes its
// turns and the database connections are bounded, so every answer is a
// log-in or, past the queue, 503 with Retry-After, and the memory stays
// small. Unbounded, this answered 500 "Too many connections" and took 1.67 GB.
func TestConcurrentLogins(t *testing.T) {
	const clients = 200
	dbURL := storetest.MySQLURL(t)
	bin := buildServer(t)
	p := runServer(t, bin, "INVITE_DB="+dbURL, "INVITE_ADMIN_PASSWORD="+adminPassword, "INVITE_ATTEMPTS_PER_MINUTE=0")

	statuses := make(map[int]int)
	var (
		mu        sync.Mutex
		wg        sync.WaitGroup
		noRetry   int
		transport []error
	)
	start := make(chan struct{})
	for range clients {
		wg.Go(func() {
			<-start
			status, retry, err := logIn(t.Context(), p.base, "admin@example.com", adminPassword)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				transport = append(transport, err)
				return
			}
			statuses[status]++
			if status == http.StatusServiceUnavailable && retry == "" {
				noRetry++
			}
		})
	}
	close(start)
	wg.Wait()
	rss := p.peakRSS(t)
	t.Logf("%d concurrent log-ins: answers %v, peak RSS %d MiB", clients, statuses, rss>>20)
	if len(transport) > 0 {
		t.Errorf("%d requests failed without an answer, the first: %v", len(transport), transport[0])
	}
	for status, n := range statuses {
		if status >= 500 && status != http.StatusServiceUnavailable {
			t.Errorf("%d answers %d; want no 5xx but 503", n, status)
		}
	}
	if noRetry > 0 {
		t.Errorf("%d answers 503 without Retry-After", noRetry)
	}
	if statuses[http.StatusSeeOther] == 0 {
		t.Errorf("no log-in succeeded")
	}
	if rss > 300<<20 {
		t.Errorf("peak RSS %d MiB, want under 300 MiB", rss>>20)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if strings.Contains(p.log.String(), "level=ERROR") {
		t.Errorf("the server logged errors:\n%s", p.log.String())
	}
}
