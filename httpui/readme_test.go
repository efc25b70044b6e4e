package httpui_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/invitehq/invite/invite"
)

// curlCommand is one curl command of the README's API section, with the
// status its comment promises.
type curlCommand struct {
	status  int
	command string
}

// readmeCurls returns the curl commands of the README's "## API" section,
// in order: a command starts at a line that starts with curl and goes on
// to the next blank or comment line; the comment before it starts with
// the status it answers.
func readmeCurls(t *testing.T) []curlCommand {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## API\n")
	if !ok {
		t.Fatal("README.md has no API section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	status := regexp.MustCompile(`^# (\d{3})\b`)
	var (
		out    []curlCommand
		want   int
		cur    []string
		inCode bool
	)
	flush := func() {
		if len(cur) > 0 {
			out = append(out, curlCommand{status: want, command: strings.Join(cur, "\n")})
			cur, want = nil, 0
		}
	}
	for line := range strings.SplitSeq(section, "\n") {
		switch {
		case strings.HasPrefix(line, "```"):
			flush()
			inCode = line == "```sh"
		case !inCode:
		case strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#"):
			flush()
			if m := status.FindStringSubmatch(line); m != nil {
				want, _ = strconv.Atoi(m[1])
			}
		case strings.HasPrefix(line, "curl "):
			flush()
			cur = []string{line}
		case len(cur) > 0:
			cur = append(cur, line)
		}
	}
	flush()
	return out
}

// The README's curl commands run, in order, with the real curl against a
// real server, each answering the status its comment says: the README
// shows what works.
func TestREADMECurl(t *testing.T) {
	const curl = "/usr/bin/curl"
	if _, err := os.Stat(curl); err != nil {
		if strings.Contains(os.Getenv("INVITE_TEST_REQUIRE"), "curl") {
			t.Fatalf("no %s: %v", curl, err)
		}
		t.Skipf("no %s: %v", curl, err)
	}
	cmds := readmeCurls(t)
	if len(cmds) < 7 {
		t.Fatalf("found %d curl commands in the README's API section, want at least 7: %+v", len(cmds), cmds)
	}
	a := newApp(t) // Acme is company 1, with business role 1 and subscription 1
	if a.acme.ID != 1 || a.acme.BusinessRoles[0].ID != 1 || a.acme.Subscriptions[0].ID != 1 {
		t.Fatalf("Acme is %d, with business role %d and subscription %d", a.acme.ID, a.acme.BusinessRoles[0].ID, a.acme.Subscriptions[0].ID)
	}
	token, _, err := a.svc.CreateAPIToken(invite.NewContext(context.Background(), a.root), "README")
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	dir := t.TempDir()
	for i, c := range cmds {
		if c.status == 0 {
			t.Fatalf("no status before %s", c.command)
		}
		// The bounds on mail let one address be sent one mail a minute.
		a.advance(2 * time.Minute)
		out := filepath.Join(dir, strconv.Itoa(i))
		run := func() (string, []byte) {
			t.Helper()
			cmd := exec.Command("/bin/sh", "-c", c.command+` -o "$OUT" -w '%{http_code}'`)
			cmd.Env = []string{"INVITE_URL=" + a.srv.URL, "TOKEN=" + token, "ID=" + id, "OUT=" + out, "PATH=/usr/bin:/bin"}
			code, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v", c.command, err)
			}
			body, _ := os.ReadFile(out)
			return string(code), body
		}
		code, body := run()
		if got, _ := strconv.Atoi(string(code)); got != c.status {
			t.Fatalf("%s\ngot %s, want %d\n%s", c.command, code, c.status, body)
		}
		if id == "" && strings.Contains(c.command, `-X POST "$INVITE_URL/api/v1/invitations"`) {
			var inv struct{ ID int64 }
			if err := json.Unmarshal(body, &inv); err != nil || inv.ID == 0 {
				t.Fatalf("no id in %s: %v", body, err)
			}
			id = strconv.FormatInt(inv.ID, 10)
			// Sent again, it answers the same and makes nothing.
			if again, b := run(); again != "201" || string(b) != string(body) {
				t.Errorf("sent again: %s %s, want 201 %s", again, b, body)
			}
		}
		t.Logf("%d %s", c.status, strings.SplitN(c.command, "\n", 2)[0])
	}
	if id == "" {
		t.Fatal("no curl command made an invitation")
	}
	page, err := a.svc.Invitations(a.global, invite.InvitationFilter{Email: "ada@example.com"})
	if err != nil || len(page.Invitations) != 1 || page.Invitations[0].Status != invite.StatusCanceled || page.Invitations[0].LastName != "King" {
		t.Fatalf("after the README: %+v, %v", page, err)
	}
}
