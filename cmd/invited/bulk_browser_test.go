package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/invitehq/invite/invite"
)

// bulkFile writes a CSV file of three people, one of them with an address
// that is not one, and returns its path.
func bulkFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "people.csv")
	data := "\uFEFFemail;first_name;last_name;business_role;subscriptions\n" +
		"ada@example.com;Ada;Lovelace;Plant Operator;App Designer:Viewer\n" +
		"bob@example.com;Bob;Berg;Plant Operator;App Designer:Contributor\n" +
		"not-an-address;Bad;Row;Plant Operator;App Designer:Viewer\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitBody waits until the page's text contains text, for as long as a
// send of a few rows may take, through the page's reloads (a redirect,
// the refresh of a progress page) which end a poll in the page.
func waitBody(text string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		deadline := time.Now().Add(20 * time.Second)
		for {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.body && document.body.innerText.includes(%q)`, text)))
			if err == nil && ok {
				return chromedp.Void{}, nil
			}
			if time.Now().After(deadline) {
				return chromedp.Void{}, fmt.Errorf("the page does not say %q (last error: %v)", text, err)
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// pendingTo counts the pending invitations to the addresses.
func pendingTo(t *testing.T, m *Main, emails ...string) int {
	t.Helper()
	n := 0
	for _, e := range emails {
		page, err := m.svc.Invitations(asAdmin(t, m), invite.InvitationFilter{Email: e, Status: invite.StatusPending})
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Invitations)
	}
	return n
}

// An administrator uploads a file, reads the dry run, sends the valid
// rows, watches the progress end and finds the invitations listed.
func TestBrowserBulkInvite(t *testing.T) {
	m, base := browserServer(t)
	registerAcme(t, m)
	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	act(t, b, "open Invite Users from the invitations",
		chromedp.Navigate(base+"/admin/invitations"),
		through(chromedp.Click(css(`a[href="/admin/invitations/bulk"]`))),
		chromedp.WaitVisible(css(`#f-file`)),
	)
	act(t, b, "upload the file and check it",
		chromedp.SetUploadFiles(css(`#f-file`), []string{bulkFile(t)}),
		waitHTMX(`#bulk-form`),
		chromedp.Click(css(`#bulk-check`)),
		waitBody("3 rows checked: 2 valid, 1 with problems"),
		waitBody("not-an-address"),
	)
	if n := pendingTo(t, m, "ada@example.com", "bob@example.com"); n != 0 {
		t.Fatalf("the dry run sent %d invitations", n)
	}
	act(t, b, "send the valid rows and watch them go",
		chromedp.Click(css(`#bulk-send`)),
		waitBody("Done: 2 of 3 invitations sent; 1 rows not sent."),
	)
	act(t, b, "find them listed",
		through(chromedp.Click(css(`main a.button.primary[href="/admin/invitations"]`))),
		waitBody("ada@example.com"),
		waitBody("bob@example.com"),
	)
	if n := pendingTo(t, m, "ada@example.com", "bob@example.com"); n != 2 {
		t.Fatalf("got %d pending invitations, want 2", n)
	}
}

// The same with the keyboard alone, a pasted list instead of a file.
func TestBrowserBulkKeyboard(t *testing.T) {
	m, base := browserServer(t)
	c := registerAcme(t, m)
	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	act(t, b, "open Invite Users", chromedp.Navigate(base+"/admin/invitations/bulk"), waitHTMX(`#bulk-form`))
	tabTo(t, b, "f-list", false)
	act(t, b, "type a list", chromedp.KeyEvent("Grace Hopper <grace@example.com>"+kb.Enter+"ada.lovelace@example.com"))
	tabTo(t, b, "f-business_role", false)
	act(t, b, "choose the business role", chromedp.KeyEvent(kb.ArrowDown))
	tabTo(t, b, fmt.Sprintf("g-%d", c.Subscriptions[0].ID), false)
	press(t, b, " ")
	tabTo(t, b, "bulk-check", false)
	press(t, b, kb.Enter)
	act(t, b, "the dry run", waitBody("2 rows checked: 2 valid, 0 with problems"))
	tabTo(t, b, "bulk-send", false)
	press(t, b, kb.Enter)
	act(t, b, "the send", waitBody("Done: 2 of 2 invitations sent"))
	if n := pendingTo(t, m, "grace@example.com", "ada.lovelace@example.com"); n != 2 {
		t.Fatalf("got %d pending invitations, want 2", n)
	}
}

// Without JavaScript: the form uploads, the dry run shows, the progress
// page reloads itself until the result.
func TestBrowserBulkNoJS(t *testing.T) {
	m, base := browserServer(t)
	registerAcme(t, m)
	b := noJSBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	act(t, b, "upload the file and check it",
		chromedp.Navigate(base+"/admin/invitations/bulk"),
		chromedp.SetUploadFiles(css(`#f-file`), []string{bulkFile(t)}),
		through(chromedp.Click(css(`#bulk-check`))),
		waitBody("3 rows checked: 2 valid, 1 with problems"),
	)
	checkPage(t, b, "the dry run")
	act(t, b, "send", through(chromedp.Click(css(`#bulk-send`))), waitBody("Done: 2 of 3 invitations sent"))
	text := checkPage(t, b, "the result")
	if !strings.Contains(text, "not-an-address") {
		t.Errorf("the result lacks the refused row:\n%s", text)
	}
	if n := pendingTo(t, m, "ada@example.com", "bob@example.com"); n != 2 {
		t.Fatalf("got %d pending invitations, want 2", n)
	}
}

// The form and a batch's table fit a phone's screen, in every language.
func TestBrowserBulkFits(t *testing.T) {
	m, base := browserServer(t)
	c := registerAcme(t, m)
	in := make([]invite.InvitationInput, 3)
	for i := range in {
		in[i] = inviteInput(c)
		in[i].Email = fmt.Sprintf("a-very-long-address-of-someone-%d@a-long-domain-name.example.com", i)
	}
	in[2].Email = "not an address"
	batch, err := m.svc.PrepareBatch(asAdmin(t, m), in)
	if err != nil {
		t.Fatal(err)
	}
	vp := viewports[1]
	bb := newBrowser(t)
	vp.use(t, bb, base+"/login")
	login(t, bb, base, "admin@example.com", adminPassword)
	for _, lang := range invite.Languages() {
		setLanguage(t, m, lang)
		for _, p := range []struct{ path, sel string }{
			{"/admin/invitations/bulk", "#bulk-form"},
			{fmt.Sprintf("/admin/invitations/bulk/%d", batch.ID), "#bulk-send"},
		} {
			what := fmt.Sprintf("%s in %s", p.path, lang)
			act(t, bb, "open "+what, chromedp.Navigate(base+p.path), chromedp.WaitVisible(css(p.sel)))
			checkNoOverflow(t, bb, what)
		}
	}
}
