package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// invitedPackage is the server binary of this module.
const invitedPackage = "github.com/invitehq/invite/cmd/invited"

// binary returns the invited binary: the one -invited names, or one built
// from this module into the run's temporary directory, as it is shipped.
func (b *bench) binary(ctx context.Context) (string, error) {
	if b.cfg.invited != "" {
		return b.cfg.invited, nil
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = "/usr/local/go/bin/go" // where the README puts it
	}
	bin := filepath.Join(b.tmp, "invited")
	out, err := exec.CommandContext(ctx, goTool, "build", "-o", bin, invitedPackage).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build %s (run invitebench inside the module, or give -invited): %s: %w", invitedPackage, bytes.TrimSpace(out), err)
	}
	return bin, nil
}

// process is the invited binary running as a process of its own.
type process struct {
	cmd     *exec.Cmd
	base    string
	started time.Time
	log     *logTail
	exited  chan struct{}
	waitErr error
}

// env is the environment of an invited process: this one's without its
// INVITE_ settings, which could change what is measured, then the
// benchmark's: its administrator, and every bound off.
func (b *bench) env(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "INVITE_") {
			env = append(env, kv)
		}
	}
	return append(append(env, "INVITE_ADMIN_EMAIL="+b.globalEmail, "INVITE_ADMIN_PASSWORD="+b.password,
		"INVITE_INVITATIONS_PER_HOUR=0", "INVITE_ATTEMPTS_PER_MINUTE=0", "INVITE_MAILS_PER_ADDRESS=0"), extra...)
}

// freePort returns a port that was free a moment ago, for a process to
// listen on.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// start starts bin with the run's environment and env, on a port of its
// own. It does not wait for it to serve.
func (b *bench) start(bin string, env ...string) (*process, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	p := &process{base: "http://" + addr, log: &logTail{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin) // stopped by its signal, as an operator stops it, not killed by a context
	p.cmd.Env = append(b.env("INVITE_ADDR="+addr, "INVITE_BASE_URL="+p.base), env...)
	p.cmd.Stderr = p.log
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// healthy waits until the process answers /readyz with 200, and returns
// how long that took from its start.
func (p *process) healthy(ctx context.Context, tr http.RoundTripper) (time.Duration, error) {
	client := &http.Client{Transport: tr, Timeout: 2 * time.Second}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if ok, took := p.answers(ctx, client); ok {
			return took, nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-p.exited:
			return 0, fmt.Errorf("invited exited before it was healthy: %v\n%s", p.waitErr, p.log)
		case <-time.After(2 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("invited did not answer /readyz with 200 in a minute\n%s", p.log)
}

// answers reports whether /readyz answered 200 (migrated, ready), and when, from the start.
func (p *process) answers(ctx context.Context, client *http.Client) (bool, time.Duration) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/readyz", nil)
	if err != nil {
		return false, 0
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, 0
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, time.Since(p.started)
}

// stop interrupts the process, as an operator stops it, and waits for it
// to finish; one that does not within its shutdown time is killed.
func (p *process) stop() error {
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("invited did not stop within 20 s of its interrupt\n%s", p.log)
	}
	var exit *exec.ExitError
	if p.waitErr != nil && !errors.As(p.waitErr, &exit) {
		return p.waitErr
	}
	return nil
}

// vmHWM is the peak resident memory in /proc/PID/status.
var vmHWM = regexp.MustCompile(`VmHWM:\s+(\d+) kB`)

// peakRSS returns the most memory the process has had resident, in MiB.
func (p *process) peakRSS() (float64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("peak memory needs /proc: %w", err)
	}
	m := vmHWM.FindSubmatch(status)
	if m == nil {
		return 0, fmt.Errorf("no VmHWM in /proc/%d/status", p.cmd.Process.Pid)
	}
	kb, err := strconv.ParseInt(string(m[1]), 10, 64)
	return float64(kb) / 1024, err
}

// logTail keeps the last lines a process logged, to show when it fails,
// and counts the lines it logged at level ERROR.
type logTail struct {
	mu      sync.Mutex
	partial []byte
	lines   []string
	errors  []string
}

const tailLines = 40

func (t *logTail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.partial = append(t.partial, b...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := string(t.partial[:i])
		t.partial = t.partial[i+1:]
		if strings.Contains(line, "level=ERROR") {
			t.errors = append(t.errors, line)
		}
		t.lines = append(t.lines, line)
		if len(t.lines) > tailLines {
			t.lines = t.lines[1:]
		}
	}
}

// errorLines returns the lines logged at level ERROR.
func (t *logTail) errorLines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.errors...)
}

func (t *logTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}
