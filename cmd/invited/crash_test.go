package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"io"
	"maps"
	"mime"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/invite/smtp/smtptest"
	"github.com/invitehq/invite/store/storetest"
)

// The built server under load, on MariaDB, with mail to a real SMTP
// server: killed and restarted five times (TestKillUnderLoad), stopped with
// SIGTERM (TestTermUnderLoad), and three of it on one database with every
// job running each second (TestThreeServersOnOneDatabase). What a client
// was told was done is done, and its mail goes out, once.

// A killed process (p.cmd.Process.Kill, then p.cmd.Wait) stays harmless to
// the Cleanup runServer registered: Signal on a process that was waited for
// returns os.ErrProcessDone (Go tracks it by pidfd, so no other process is
// signalled), and the second Wait returns at once with an error, which the
// Cleanup ignores.

// crashClients is how many administrators send invitations at once, each
// with a session of their own.
const crashClients = 16

// crashEnv is the environment of the servers of these tests: MariaDB, mail
// to smtpURL, the outbox delivered each second besides at once, and no
// bound on log-ins, invitations or mails, which the load would reach.
func crashEnv(dbURL, smtpURL string, more ...string) []string {
	return append([]string{
		"INVITE_DB=" + dbURL,
		"INVITE_ADMIN_PASSWORD=" + adminPassword,
		"INVITE_SMTP_URL=" + smtpURL,
		"INVITE_OUTBOX_SCHEDULE=@every 1s",
		"INVITE_ATTEMPTS_PER_MINUTE=0",
		"INVITE_INVITATIONS_PER_HOUR=0",
		"INVITE_MAILS_PER_ADDRESS=0",
	}, more...)
}

// TestKillUnderLoad kills the server with SIGKILL five times while 16
// administrators send invitations, and restarts it on the same database
// each time. Every invitation a client was told was sent (303 to the list)
// is in the database with its grants and its message, and its mail
// arrives; a message a killed process had handed to the mail server but not
// recorded as sent is sent again once its claim lapses, a duplicate, and
// there is at most one such a kill.
//
// Found: up to ten a kill (19 after five kills). DeliverOutbox handed ten
// messages to the mailer in one SMTP session and recorded them once the
// session was over; a kill anywhere in that window left every message the
// server had taken claimed and unrecorded, each sent again when the claim
// lapsed. Now each is recorded as the server accepts it (invite.EachMailer).
// The log of the test names, for each kill, the rows its process held and
// the copies of each that arrived.
func TestKillUnderLoad(t *testing.T) {
	const (
		crashes   = 5
		perRound  = 150 // acknowledged invitations before each kill, and after the last restart
		drainWait = 3 * time.Minute
	)
	began := time.Now()
	dbURL := storetest.MySQLURL(t)
	db := openMariaDB(t, dbURL)
	sink := smtptest.Start(t, smtptest.Options{})
	bin := buildServer(t)
	env := crashEnv(dbURL, sink.URL())
	p := runServer(t, bin, env...)
	co := companyThroughPages(t, p.base)

	l := startLoad(t, co, crashClients, 0, "kill", p.base)
	var (
		killedAt []int              // acknowledged invitations at each kill
		claims   []map[int64]string // the messages each killed process held claimed
	)
	for crash := 1; crash <= crashes; crash++ {
		l.waitAcks(t, perRound, time.Minute)
		if err := p.cmd.Process.Kill(); err != nil {
			t.Fatalf("kill %d: %v", crash, err)
		}
		p.cmd.Wait() // "signal: killed"
		killedAt = append(killedAt, l.acked())
		claims = append(claims, claimedRows(t, db))
		p = runServer(t, bin, env...)
		l.moveTo(p.base) // the clients log in again there
	}
	l.waitAcks(t, perRound, time.Minute)
	l.stop()
	loadEnded := time.Now()
	sends := l.results()
	acked := ackedEmails(sends)

	// The outbox drained: every acknowledged address has its mail, and
	// nothing is left queued or claimed (claims of the killed processes
	// lapse after a minute), so that no copy is still to come.
	mail, states := waitDelivered(t, sink, db, acked, drainWait, "the load")
	drained := time.Now()

	stored := storedInvitations(t, db)
	checkStored(t, acked, stored, mail)
	if states["failed"] > 0 {
		t.Errorf("outbox %v: %d messages failed for good", states, states["failed"])
	}
	for id, n := range outboxMessageIDs(t, db) {
		if mail.copies[id] == 0 {
			t.Errorf("outbox message %s (%d rows) is marked sent but never arrived", id, n)
		}
	}
	f := l.figures(sends)
	dups := mail.duplicates()
	t.Logf("%d kills at %v acknowledged; %d sends: %d acknowledged, %d unacknowledged (no answer: the process died with them), %d refused (no server listening), other answers %v; %d log-ins (failed ones: %v)",
		crashes, killedAt, len(sends), f.acked, f.unacked, f.refused, f.others, l.logins.Load(), l.loginFailures())
	t.Logf("%d invitations stored, %d mails received (%d distinct Message-IDs), %d duplicates; outbox %v; what each killed process held claimed, each row with the copies received:%s",
		len(stored), mail.total, len(mail.copies), dups, states, killFigures(claims, mail))
	t.Logf("load %v, drained %v after it, %v in all",
		loadEnded.Sub(began).Round(time.Second), drained.Sub(loadEnded).Round(time.Second), time.Since(began).Round(time.Second))
	checkAnswers(t, sends)
	if dups > crashes {
		t.Errorf("%d duplicate mails after %d kills, want at most one a kill: %v", dups, crashes, mail.duplicated())
	}
}

// claimedRows returns the outbox's rows claimed and not recorded, by
// message ID: right after a kill, those of the process that was killed
// (and of earlier kills whose claims have not lapsed yet).
func claimedRows(t *testing.T, db *sql.DB) map[int64]string {
	t.Helper()
	rows := map[int64]string{}
	query(t, db, `SELECT id, message_id FROM outbox WHERE state = 'sending'`, func(r *sql.Rows) error {
		var id int64
		var messageID string
		err := r.Scan(&id, &messageID)
		rows[id] = strings.Trim(messageID, "<>")
		return err
	})
	return rows
}

// killFigures describes, for each kill, the messages the killed process
// held claimed and how many copies of each arrived: two is a message it
// had sent but not recorded, sent again once its claim lapsed.
func killFigures(claims []map[int64]string, mail mailTally) string {
	var b strings.Builder
	dups := make([]int, len(claims))
	seen := map[int64]bool{}
	for k, claim := range claims {
		ids := slices.Sorted(maps.Keys(claim))
		fmt.Fprintf(&b, "\n  kill %d: ", k+1)
		n := 0
		for _, id := range ids {
			if seen[id] {
				continue // an earlier kill's claim, not lapsed yet
			}
			seen[id] = true
			n++
			copies := mail.copies[claim[id]]
			dups[k] += max(copies-1, 0)
			fmt.Fprintf(&b, "#%d×%d ", id, copies)
		}
		fmt.Fprintf(&b, "(%d claimed, %d sent twice)", n, dups[k])
	}
	return b.String()
}

// TestTermUnderLoad stops the server with SIGTERM while 16 administrators
// send invitations and the outbox has messages claimed: every request in
// flight is answered, the process exits 0 within the request timeout, it
// gives back what it had claimed, and a second server on the database
// sends the rest of the outbox at once, each message once.
func TestTermUnderLoad(t *testing.T) {
	const (
		requestTimeout = 30 * time.Second
		// signalGuard: a request that was begun this long before the
		// signal was read by the server; one begun closer to it may still
		// be on its way to an idle keep-alive connection that the shutdown
		// closes (the server has not read a byte of it: it never accepted
		// it), which a client sees as a connection closed without an
		// answer. Those are counted apart and shown.
		signalGuard = 100 * time.Millisecond
		// deliverBound: the mail the first server claimed and gave back,
		// and what it left queued, all arrives within this of the second
		// server's start. Not a measure of speed: a claim that was not
		// given back would lapse only a minute (the lease) after it was
		// taken, and the claims are taken less than 15 s before the
		// signal, so a bound of 30 s tells a released claim from a lapsed
		// one whatever the speed of the machine.
		deliverBound = 30 * time.Second
	)
	began := time.Now()
	dbURL := storetest.MySQLURL(t)
	db := openMariaDB(t, dbURL)
	sink := smtptest.Start(t, smtptest.Options{})
	gate := startMailGate(t, sink.Addr())
	bin := buildServer(t)
	env := crashEnv(dbURL, "smtp://"+gate.addr()+"?tls=none", "INVITE_REQUEST_TIMEOUT="+requestTimeout.String())
	p := runServer(t, bin, env...)
	co := companyThroughPages(t, p.base)

	l := startLoad(t, co, crashClients, 0, "term", p.base)
	l.waitAcks(t, 100, time.Minute)
	// The mail server stops greeting new connections: the outbox's next
	// claim waits on one, and what is sent meanwhile queues up.
	gate.hold()
	holding := time.Now()
	l.waitAcks(t, 60, 10*time.Second)
	eventually(t, "the outbox to wait on the mail server", func() bool { return gate.heldConns() > 0 })
	if d := time.Since(holding); d > 15*time.Second {
		t.Fatalf("the claim is %v old at the signal; the bound on delivery after it needs it under 15 s", d)
	}
	signalled := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exitBound := requestTimeout + writeSlack + 10*time.Second
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	var exitErr error
	select {
	case exitErr = <-exited:
	case <-time.After(exitBound):
		p.cmd.Process.Kill()
		<-exited
		t.Fatalf("the server did not exit within %v of SIGTERM", exitBound)
	}
	exitTook := time.Since(signalled)
	l.stop()
	sends := l.results()
	acked := ackedEmails(sends)
	if exitErr != nil {
		t.Errorf("the server exited with %v after SIGTERM, want 0", exitErr)
	}

	var inFlight, inFlightAnswered, dropped, atSignal, refusedAfter int
	for _, s := range sends {
		if s.start.Before(signalled) && s.end.After(signalled) {
			inFlight++
			if s.status != 0 {
				inFlightAnswered++
			}
		}
		if s.status != 0 {
			continue
		}
		switch {
		case s.start.Before(signalled.Add(-signalGuard)):
			dropped++
			t.Errorf("%s, begun %v before the signal, got no answer: %v", s.email, signalled.Sub(s.start), s.err)
		case s.start.Before(signalled):
			atSignal++
			t.Logf("%s, begun %v before the signal, got no answer: %v", s.email, signalled.Sub(s.start), s.err)
		default:
			refusedAfter++
		}
	}
	if inFlight == 0 {
		t.Errorf("no request was in flight at the signal: the test tested nothing")
	}

	// What the first server had claimed is given back, none left claimed.
	atExit := outboxStates(t, db)
	givenBack := 0
	if err := db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE state = 'queued' AND attempts > 0`).Scan(&givenBack); err != nil {
		t.Fatal(err)
	}
	if atExit["sending"] > 0 {
		t.Errorf("after a clean exit the outbox is %v: %d messages still claimed by a process that is gone", atExit, atExit["sending"])
	}
	if givenBack == 0 {
		t.Errorf("no message was given back at the exit, though the outbox waited on the mail server: the test tested nothing")
	}
	p.mu.Lock()
	errs := errorLines(p.log.String())
	p.mu.Unlock()
	if len(errs) > 0 {
		t.Errorf("the server logged %d errors through its shutdown, the first: %s", len(errs), errs[0])
	}

	gate.release()
	p2 := runServer(t, bin, env...)
	second := time.Now()
	mail, _ := waitDelivered(t, sink, db, acked, deliverBound, "the second server started")
	delivered := time.Since(second)
	checkStored(t, acked, storedInvitations(t, db), mail)
	f := l.figures(sends)
	t.Logf("SIGTERM with %d requests in flight: %d answered; exit %v after %v; %d sends: %d acknowledged, %d unacknowledged, %d refused, other answers %v; no answer: %d begun before the signal, %d within %v of it, %d after it",
		inFlight, inFlightAnswered, exitErr, exitTook.Round(time.Millisecond), len(sends), f.acked, f.unacked, f.refused, f.others, dropped, atSignal, signalGuard, refusedAfter)
	t.Logf("at the exit %d messages were given back (claimed, cut short) of %d queued; the second server (%s) sent the rest in %v; %d mails, %d duplicates; %v in all",
		givenBack, atExit["queued"], p2.base, delivered.Round(time.Millisecond), mail.total, mail.duplicates(), time.Since(began).Round(time.Second))
	checkAnswers(t, sends)
	if d := mail.duplicates(); d > 0 {
		t.Errorf("%d duplicate mails %v after a clean shutdown, want none", d, mail.duplicated())
	}
}

// TestThreeServersOnOneDatabase runs three servers on one MariaDB database,
// each expiring, reminding and delivering every second, with invitations
// that live 20 s and are reminded 10 s before they expire. Clients send
// through all three; once every invitation has expired, each was expired
// once, reminded once, and each of its two mails arrived once.
func TestThreeServersOnOneDatabase(t *testing.T) {
	const (
		servers   = 3
		clients   = 15
		perClient = 16
		ttl       = 20 * time.Second
	)
	began := time.Now()
	dbURL := storetest.MySQLURL(t)
	db := openMariaDB(t, dbURL)
	sink := smtptest.Start(t, smtptest.Options{})
	bin := buildServer(t)
	env := crashEnv(dbURL, sink.URL(),
		"INVITE_EXPIRE_SCHEDULE=@every 1s", "INVITE_REMIND_SCHEDULE=@every 1s",
		"INVITE_TTL="+ttl.String(), "INVITE_REMIND_BEFORE=10s")
	var procs []*process
	var bases []string
	for range servers {
		p := runServer(t, bin, env...)
		procs, bases = append(procs, p), append(bases, p.base)
	}
	co := companyThroughPages(t, bases[0])

	l := startLoad(t, co, clients, perClient, "three", bases...)
	l.wait() // each client sends its invitations
	sent := time.Now()
	sends := l.results()
	checkAnswers(t, sends)
	acked := ackedEmails(sends)
	if len(acked) != clients*perClient {
		t.Fatalf("%d of %d invitations acknowledged", len(acked), clients*perClient)
	}
	n := len(acked)

	// Past the TTL: every invitation expired, both its mails sent, and
	// every job's run logged.
	var (
		mail   mailTally
		states map[string]int
		jobs   [servers]map[string]int
	)
	done := func() bool {
		var expired int
		if err := db.QueryRow(`SELECT COUNT(*) FROM invitations WHERE status = 'expired'`).Scan(&expired); err != nil {
			t.Fatal(err)
		}
		mail, states = tallyMail(t, sink.Received()), outboxStates(t, db)
		sum := map[string]int{}
		for i, p := range procs {
			jobs[i] = jobCounts(p)
			for k, v := range jobs[i] {
				sum[k] += v
			}
		}
		return expired == n && states["queued"]+states["sending"] == 0 && states["sent"] >= 2*n && mail.total >= 2*n &&
			sum["expire invitations"] >= n && sum["send reminders"] >= n && sum["deliver outbox"] >= 2*n
	}
	deadline := sent.Add(ttl + 90*time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("%v after the last invitation: not all expired and mailed; outbox %v, %d mails, jobs %v", time.Since(sent).Round(time.Second), states, mail.total, jobs)
		}
		time.Sleep(250 * time.Millisecond)
	}
	settled := time.Since(sent)

	stored := storedInvitations(t, db)
	checkStored(t, acked, stored, mail)
	for _, e := range acked {
		inv := stored[e]
		if inv == nil {
			continue // told by checkStored
		}
		if inv.status != "expired" {
			t.Errorf("%s: status %q, want expired", e, inv.status)
		}
		if got := len(inv.messages[invite.KindReminder]); got != 1 {
			t.Errorf("%s: %d reminders in the outbox, want 1", e, got)
		}
		for _, kind := range []invite.MessageKind{invite.KindInvitation, invite.KindReminder} {
			if got := mail.byRecipient[e][kind]; got != 1 {
				t.Errorf("%s: %d %s mails received, want 1", e, got, kind)
			}
		}
	}
	sum := map[string]int{}
	for _, j := range jobs {
		for k, v := range j {
			sum[k] += v
		}
	}
	if sum["expire invitations"] != n {
		t.Errorf("the servers expired %d invitations in all (%v), want each of the %d once", sum["expire invitations"], jobs, n)
	}
	if sum["send reminders"] != n {
		t.Errorf("the servers wrote %d reminders in all (%v), want one for each of the %d", sum["send reminders"], jobs, n)
	}
	if sum["deliver outbox"] != 2*n {
		t.Errorf("the servers delivered %d messages in all (%v), want %d", sum["deliver outbox"], jobs, 2*n)
	}
	if d := mail.duplicates(); d > 0 {
		t.Errorf("%d duplicate mails: %v", d, mail.duplicated())
	}
	if states["failed"] > 0 {
		t.Errorf("outbox %v: messages failed for good", states)
	}
	for i, p := range procs {
		p.mu.Lock()
		errs := errorLines(p.log.String())
		p.mu.Unlock()
		if len(errs) > 0 {
			t.Errorf("server %d logged %d errors, the first: %s", i+1, len(errs), errs[0])
		}
	}
	kinds := map[invite.MessageKind]int{}
	for _, byKind := range mail.byRecipient {
		for k, v := range byKind {
			kinds[k] += v
		}
	}
	f := l.figures(sends)
	t.Logf("%d servers, %d clients: %d invitations sent (%d acknowledged, other answers %v, %d without an answer); all expired %v after the last was sent",
		servers, clients, len(sends), f.acked, f.others, f.unacked+f.refused, settled.Round(time.Second))
	for i, j := range jobs {
		t.Logf("server %d: expired %d, reminded %d, delivered %d", i+1, j["expire invitations"], j["send reminders"], j["deliver outbox"])
	}
	t.Logf("mails received: %d (%d invitations, %d reminders), %d distinct Message-IDs, %d duplicates; outbox %v; %v in all",
		mail.total, kinds[invite.KindInvitation], kinds[invite.KindReminder], len(mail.copies), mail.duplicates(), states, time.Since(began).Round(time.Second))
}

// adminBrowser is a browser of the Global Administrator, with a session
// of its own.
type adminBrowser struct {
	client *http.Client
	base   string
	csrf   string
}

func newAdminBrowser(tr http.RoundTripper) *adminBrowser {
	return &adminBrowser{client: &http.Client{
		Transport: tr, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request, a form when form is set, as a browser does from a
// page of the site. It returns the answer with its body read; a body cut
// short is returned with the error.
func (a *adminBrowser) do(ctx context.Context, method, path string, form url.Values) (*http.Response, []byte, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return nil, nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", a.base)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// logInAt logs in at base with a new session, through the log-in form, and
// reads the CSRF token of its pages. (logIn of load_test.go does the same
// but keeps no session.)
func (a *adminBrowser) logInAt(ctx context.Context, base string) error {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return err
	}
	a.client.Jar, a.base, a.csrf = jar, base, ""
	token := func(path string) (string, error) {
		resp, page, err := a.do(ctx, http.MethodGet, path, nil)
		if err != nil {
			return "", err
		}
		m := csrfInput.FindSubmatch(page)
		if resp.StatusCode != http.StatusOK || m == nil {
			return "", &answerError{"GET " + path, resp.StatusCode}
		}
		return html.UnescapeString(string(m[1])), nil
	}
	csrf, err := token("/login")
	if err != nil {
		return err
	}
	form := url.Values{"email": {"admin@example.com"}, "password": {adminPassword}, "_csrf": {csrf}}
	resp, _, err := a.do(ctx, http.MethodPost, "/login", form)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusSeeOther {
		return &answerError{"POST /login", resp.StatusCode}
	}
	a.csrf, err = token("/admin/invitations/new")
	return err
}

// answerError is an answer other than the one expected.
type answerError struct {
	what   string
	status int
}

func (e *answerError) Error() string { return fmt.Sprintf("%s: %d", e.what, e.status) }

// formCompany is a company as the invite form offers it: the values to
// post for it, its business role and its subscriptions.
type formCompany struct {
	id, role string
	grants   []string
}

var (
	companyOption = regexp.MustCompile(`name="company"[^>]*>\s*<option value="(\d+)"`)
	roleOption    = regexp.MustCompile(`name="business_role"[^>]*>\s*<option value="">[^<]*</option>\s*<option value="(\d+)"`)
	grantBox      = regexp.MustCompile(`type="checkbox" name="grant" value="(\d+)"`)
)

// companyThroughPages registers a company with two subscriptions and a
// business role on the Companies page, as the Global Administrator, and
// reads from the invite form what to post to invite to it.
func companyThroughPages(t *testing.T, base string) *formCompany {
	t.Helper()
	ctx := t.Context()
	a := newAdminBrowser(nil)
	if err := a.logInAt(ctx, base); err != nil {
		t.Fatal(err)
	}
	resp, page, err := a.do(ctx, http.MethodPost, "/admin/companies", url.Values{
		"_csrf": {a.csrf}, "name": {"Acme"}, "default_language": {"en"}, "time_zone": {"UTC"},
		"subscriptions": {"App Designer\nAnalytics"}, "business_roles": {"Operator"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register the company: %d\n%s", resp.StatusCode, page)
	}
	resp, page, err = a.do(ctx, http.MethodGet, "/admin/invitations/new", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the invite form: %v, %v", resp, err)
	}
	co := &formCompany{}
	if m := companyOption.FindSubmatch(page); m != nil {
		co.id = string(m[1])
	}
	if m := roleOption.FindSubmatch(page); m != nil {
		co.role = string(m[1])
	}
	for _, m := range grantBox.FindAllSubmatch(page, -1) {
		co.grants = append(co.grants, string(m[1]))
	}
	if co.id == "" || co.role == "" || len(co.grants) != 2 {
		t.Fatalf("the invite form offers company %q, business role %q, subscriptions %q; want one, one and two:\n%s", co.id, co.role, co.grants, page)
	}
	return co
}

// invite posts the invite form as a browser without JavaScript does, with
// the fields a person fills in and the Send button. It returns the
// answer's status, 0 with the error when none came; 303 to the list is
// the only success.
func (a *adminBrowser) invite(ctx context.Context, co *formCompany, email string) (int, error) {
	form := url.Values{
		"_csrf": {a.csrf}, "company": {co.id}, "first_name": {"Ada"}, "last_name": {"Lovelace"}, "email": {email},
		"business_role": {co.role}, "grant": co.grants, "action": {"send"},
	}
	for _, g := range co.grants {
		form.Set("role_"+g, string(invite.RoleViewer))
	}
	resp, _, err := a.do(ctx, http.MethodPost, "/admin/invitations", form)
	if resp == nil {
		return 0, err
	}
	if resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") != "/admin/invitations?done=invited" {
		return -resp.StatusCode, nil // a redirect elsewhere (to the log-in) is no success
	}
	return resp.StatusCode, nil
}

// send is one invitation a client sent and what came of it.
type send struct {
	email      string
	start, end time.Time
	status     int // 0: no answer, with err
	err        error
}

func (s send) acked() bool { return s.status == http.StatusSeeOther }

// refused reports whether the request reached no server.
func (s send) refused() bool { return s.status == 0 && errors.Is(s.err, syscall.ECONNREFUSED) }

// loadRun is administrators sending invitations to new addresses, each
// with a session of its own, the c-th through bases[c % len(bases)].
type loadRun struct {
	co       *formCompany
	stopping atomic.Bool
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	stopOnce sync.Once
	logins   atomic.Int64

	mu        sync.Mutex
	bases     []string
	gen       int // raised when the servers change: the clients log in again
	sends     []send
	acks      int
	loginErrs map[string]int
}

// startLoad starts clients that send perClient invitations each, or until
// stopped if perClient is 0, to addresses made of prefix.
func startLoad(t *testing.T, co *formCompany, clients, perClient int, prefix string, bases ...string) *loadRun {
	ctx, cancel := context.WithCancel(context.Background())
	l := &loadRun{co: co, cancel: cancel, bases: bases, loginErrs: map[string]int{}}
	tr := &http.Transport{
		Proxy: nil, MaxIdleConns: 8 * clients, MaxIdleConnsPerHost: 4 * clients,
		IdleConnTimeout: time.Minute, DisableCompression: true,
	}
	for c := range clients {
		l.wg.Go(func() { l.client(ctx, tr, c, perClient, prefix) })
	}
	t.Cleanup(l.stop)
	return l
}

func (l *loadRun) client(ctx context.Context, tr http.RoundTripper, c, perClient int, prefix string) {
	a := newAdminBrowser(tr)
	gen := -1
	for i := 0; (perClient == 0 || i < perClient) && !l.stopping.Load(); {
		l.mu.Lock()
		base, g := l.bases[c%len(l.bases)], l.gen
		l.mu.Unlock()
		if g != gen {
			l.logins.Add(1)
			if err := a.logInAt(ctx, base); err != nil {
				l.loginFailed(err)
				pause(ctx, 50*time.Millisecond)
				continue
			}
			gen = g
		}
		s := send{email: fmt.Sprintf("%s-%02d-%05d@example.com", prefix, c, i), start: time.Now()}
		i++
		s.status, s.err = a.invite(ctx, l.co, s.email)
		s.end = time.Now()
		l.mu.Lock()
		l.sends = append(l.sends, s)
		if s.acked() {
			l.acks++
		}
		l.mu.Unlock()
		if s.status == 0 {
			pause(ctx, 50*time.Millisecond) // the server is gone; the next may be up
		}
	}
}

func pause(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func (l *loadRun) loginFailed(err error) {
	var ae *answerError
	what := "no answer"
	switch {
	case errors.As(err, &ae):
		what = ae.Error()
	case errors.Is(err, syscall.ECONNREFUSED):
		what = "refused"
	}
	l.mu.Lock()
	l.loginErrs[what]++
	l.mu.Unlock()
}

func (l *loadRun) loginFailures() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.loginErrs)
}

// moveTo sends the clients to base: each logs in there anew.
func (l *loadRun) moveTo(bases ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bases = bases
	l.gen++
}

func (l *loadRun) acked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.acks
}

// waitAcks waits for n more acknowledged invitations, for at most d.
func (l *loadRun) waitAcks(t *testing.T, n int, d time.Duration) {
	t.Helper()
	want := l.acked() + n
	for deadline := time.Now().Add(d); l.acked() < want; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d invitations acknowledged after %v, want %d; failed log-ins %v", l.acked(), d, want, l.loginFailures())
		}
	}
}

// stop lets each client finish the request it is sending, and waits for
// them to end.
func (l *loadRun) stop() {
	l.stopOnce.Do(func() {
		l.stopping.Store(true)
		l.wg.Wait()
		l.cancel()
	})
}

// wait waits for the clients to send what they were to send.
func (l *loadRun) wait() { l.wg.Wait() }

func (l *loadRun) results() []send {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.sends)
}

// loadFigures counts sends by outcome: acknowledged; sent without an
// answer (unacked), which may or may not have been made; refused, which
// reached no server; and the other answers by status.
type loadFigures struct {
	acked, unacked, refused int
	others                  map[int]int
}

func (l *loadRun) figures(sends []send) loadFigures {
	f := loadFigures{others: map[int]int{}}
	for _, s := range sends {
		switch {
		case s.acked():
			f.acked++
		case s.refused():
			f.refused++
		case s.status == 0:
			f.unacked++
		default:
			f.others[s.status]++
		}
	}
	return f
}

// checkAnswers fails the test on any answer but 303 to the list: a 5xx,
// or a 4xx (the form is valid, the session live).
func checkAnswers(t *testing.T, sends []send) {
	t.Helper()
	bad := map[int][]string{}
	for _, s := range sends {
		if s.status != 0 && !s.acked() {
			bad[s.status] = append(bad[s.status], s.email)
		}
	}
	for status, emails := range bad {
		t.Errorf("%d invitations answered %d (negative: a redirect elsewhere), want 303; the first: %s", len(emails), status, emails[0])
	}
}

func ackedEmails(sends []send) []string {
	var acked []string
	for _, s := range sends {
		if s.acked() {
			acked = append(acked, s.email)
		}
	}
	return acked
}

// openMariaDB opens the test's database to look at what the servers wrote.
func openMariaDB(t *testing.T, dbURL string) *sql.DB {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net, cfg.Addr, cfg.DBName = "tcp", u.Host, strings.TrimPrefix(u.Path, "/")
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// storedInvitation is what the database holds of an invitation: its
// grants, and its messages' IDs by kind.
type storedInvitation struct {
	id       int64
	status   string
	copies   int // invitations to the address
	grants   int
	messages map[invite.MessageKind][]string
}

func storedInvitations(t *testing.T, db *sql.DB) map[string]*storedInvitation {
	t.Helper()
	byEmail := map[string]*storedInvitation{}
	byID := map[int64]*storedInvitation{}
	query(t, db, `SELECT id, email, status FROM invitations`, func(rows *sql.Rows) error {
		inv := &storedInvitation{messages: map[invite.MessageKind][]string{}}
		var email string
		if err := rows.Scan(&inv.id, &email, &inv.status); err != nil {
			return err
		}
		if old := byEmail[email]; old != nil {
			inv.copies = old.copies
		}
		inv.copies++
		byEmail[email], byID[inv.id] = inv, inv
		return nil
	})
	query(t, db, `SELECT invitation_id, COUNT(*) FROM invitation_subscriptions GROUP BY invitation_id`, func(rows *sql.Rows) error {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		if inv := byID[id]; inv != nil {
			inv.grants = n
		}
		return nil
	})
	query(t, db, `SELECT invitation_id, kind, message_id FROM outbox WHERE invitation_id IS NOT NULL`, func(rows *sql.Rows) error {
		var id int64
		var kind, messageID string
		if err := rows.Scan(&id, &kind, &messageID); err != nil {
			return err
		}
		if inv := byID[id]; inv != nil {
			k := invite.MessageKind(kind)
			inv.messages[k] = append(inv.messages[k], strings.Trim(messageID, "<>"))
		}
		return nil
	})
	return byEmail
}

func query(t *testing.T, db *sql.DB, q string, row func(*sql.Rows) error) {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// checkStored checks that each acknowledged invitation is stored once,
// with its two grants and one invitation message, and that the message
// was received.
func checkStored(t *testing.T, acked []string, stored map[string]*storedInvitation, mail mailTally) {
	t.Helper()
	lost := 0
	for _, e := range acked {
		inv := stored[e]
		if inv == nil {
			lost++
			t.Errorf("%s: acknowledged, not in the database", e)
			continue
		}
		if inv.copies != 1 || inv.grants != 2 || len(inv.messages[invite.KindInvitation]) != 1 {
			t.Errorf("%s: %d invitations, %d grants, %d invitation messages; want 1, 2 and 1", e, inv.copies, inv.grants, len(inv.messages[invite.KindInvitation]))
			continue
		}
		if id := inv.messages[invite.KindInvitation][0]; mail.copies[id] == 0 {
			t.Errorf("%s: its message %s never arrived", e, id)
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged invitations lost", lost, len(acked))
	}
}

// outboxStates counts the outbox's messages by state.
func outboxStates(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	states := map[string]int{}
	query(t, db, `SELECT state, COUNT(*) FROM outbox GROUP BY state`, func(rows *sql.Rows) error {
		var state string
		var n int
		err := rows.Scan(&state, &n)
		states[state] = n
		return err
	})
	return states
}

// outboxMessageIDs returns the Message-IDs of the messages marked sent.
func outboxMessageIDs(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	ids := map[string]int{}
	query(t, db, `SELECT message_id FROM outbox WHERE state = 'sent'`, func(rows *sql.Rows) error {
		var id string
		err := rows.Scan(&id)
		ids[strings.Trim(id, "<>")]++
		return err
	})
	return ids
}

// mailTally is what the mail server received: copies of each Message-ID,
// and each recipient's mails by kind, told by the subject (a reminder's
// begins "Reminder:"; the mail carries no kind of its own).
type mailTally struct {
	total       int
	copies      map[string]int
	byRecipient map[string]map[invite.MessageKind]int
}

func tallyMail(t *testing.T, received []smtptest.Received) mailTally {
	t.Helper()
	m := mailTally{total: len(received), copies: map[string]int{}, byRecipient: map[string]map[invite.MessageKind]int{}}
	for _, r := range received {
		msg, err := r.Parse()
		if err != nil {
			t.Fatalf("a mail received does not parse: %v\n%s", err, r.Data)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			t.Fatalf("subject %q: %v", msg.Header.Get("Subject"), err)
		}
		kind := invite.KindInvitation
		if strings.HasPrefix(subject, "Reminder:") {
			kind = invite.KindReminder
		}
		m.copies[strings.Trim(msg.Header.Get("Message-Id"), "<>")]++
		for _, to := range r.To {
			to = strings.ToLower(to)
			if m.byRecipient[to] == nil {
				m.byRecipient[to] = map[invite.MessageKind]int{}
			}
			m.byRecipient[to][kind]++
		}
	}
	return m
}

// duplicates counts the copies received beyond the first of each message.
func (m mailTally) duplicates() int {
	n := 0
	for _, c := range m.copies {
		n += c - 1
	}
	return n
}

// duplicated returns the Message-IDs received more than once, with their
// copies.
func (m mailTally) duplicated() map[string]int {
	d := map[string]int{}
	for id, c := range m.copies {
		if c > 1 {
			d[id] = c
		}
	}
	return d
}

var jobLine = regexp.MustCompile(`msg="job (?:done|failed)" job="([^"]+)".* count=(\d+)$`)

// jobCounts sums the counts of p's logged job runs by job: what each job
// did, failed runs included.
func jobCounts(p *process) map[string]int {
	p.mu.Lock()
	log := p.log.String()
	p.mu.Unlock()
	counts := map[string]int{}
	for line := range strings.Lines(log) {
		if m := jobLine.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			n, _ := strconv.Atoi(m[2])
			counts[m[1]] += n
		}
	}
	return counts
}

func errorLines(log string) []string {
	var errs []string
	for line := range strings.Lines(log) {
		if strings.Contains(line, "level=ERROR") {
			errs = append(errs, strings.TrimSpace(line))
		}
	}
	return errs
}

// mailGate forwards connections to a mail server, and can hold new ones
// before the server's greeting: a mail server that stalls before taking
// anything, so that what the outbox claims meanwhile is neither sent nor
// failed (a stall shorter than the mailer's timeout, 30 s).
type mailGate struct {
	ln     net.Listener
	target string

	mu   sync.Mutex
	open chan struct{} // closed while connections pass
	held int
}

func startMailGate(t *testing.T, target string) *mailGate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &mailGate{ln: ln, target: target, open: make(chan struct{})}
	close(g.open)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go g.forward(c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		g.release()
	})
	return g
}

func (g *mailGate) addr() string { return g.ln.Addr().String() }

// hold makes new connections wait, unanswered, until release.
func (g *mailGate) hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
		g.open = make(chan struct{})
	default:
	}
}

func (g *mailGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

// heldConns returns how many connections have been held.
func (g *mailGate) heldConns() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held
}

func (g *mailGate) forward(c net.Conn) {
	defer c.Close()
	g.mu.Lock()
	open := g.open
	select {
	case <-open:
	default:
		g.held++
	}
	g.mu.Unlock()
	<-open
	up, err := net.Dial("tcp", g.target)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		dst.Close()
		src.Close()
		done <- struct{}{}
	}
	go pipe(up, c)
	go pipe(c, up)
	<-done
	<-done
}

// waitDelivered waits, for at most within after since, until every
// acknowledged address got its invitation mail and the outbox holds
// nothing queued or claimed, and returns the mail and the outbox's states.
func waitDelivered(t *testing.T, sink *smtptest.Server, db *sql.DB, acked []string, within time.Duration, since string) (mailTally, map[string]int) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		mail := tallyMail(t, sink.Received())
		states := outboxStates(t, db)
		missing := 0
		for _, e := range acked {
			if mail.byRecipient[e][invite.KindInvitation] == 0 {
				missing++
			}
		}
		if missing == 0 && states["queued"]+states["sending"] == 0 {
			return mail, states
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v after %s: %d acknowledged addresses without mail; outbox %v", within, since, missing, states)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
