package main

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/invitehq/invite/invite"
)

// Seats by keyboard: a Global Administrator sets them, the invite form
// tells their use beside the subscription, and an invitation past them
// comes back with the numbers at the subscription, which has the focus.
func TestBrowserKeyboardSeats(t *testing.T) {
	m, base := browserServer(t)
	c := registerAcme(t, m)
	app := c.Subscriptions[0].ID
	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	act(t, b, "open the seats",
		chromedp.Navigate(fmt.Sprintf("%s/admin/companies/%d/seats", base, c.ID)),
		waitHTMX("#seats-form"),
		htmxSettled(),
		chromedp.Focus(css("a.skip")),
	)
	tabTo(t, b, fmt.Sprintf("f-seats_%d", app), false)
	press(t, b, "1")
	act(t, b, "press Enter", markOld("#seats-form"), chromedp.KeyEvent(kb.Enter), replaced("#seats-form"), waitText("#seats-form", "The seats have been saved."))
	if uses, err := m.svc.Seats(asAdmin(t, m), c.ID); err != nil || uses[0].Subscription.Seats != 1 {
		t.Fatalf("seats after Enter: %+v, %v", uses, err)
	}

	send := func(email string, enter chromedp.Action[chromedp.Void]) {
		t.Helper()
		act(t, b, "open the invite form",
			chromedp.Navigate(fmt.Sprintf("%s/admin/invitations/new?company=%d", base, c.ID)),
			waitHTMX("#invite-form"),
			htmxSettled(),
			chromedp.Focus(css("#f-first_name")),
		)
		press(t, b, "Grace", kb.Tab, "Hopper")
		tabTo(t, b, "f-email", false)
		press(t, b, email)
		tabTo(t, b, "f-business_role", false)
		press(t, b, kb.ArrowDown)
		tabTo(t, b, fmt.Sprintf("g-%d", app), false)
		press(t, b, " ")
		act(t, b, "press Enter", enter)
	}
	act(t, b, "read the seats on the form",
		chromedp.Navigate(fmt.Sprintf("%s/admin/invitations/new?company=%d", base, c.ID)),
		waitText("#invite-form", "0 of 1 seats used, 0 pending, 1 free"),
	)
	send("grace@example.com", through(chromedp.KeyEvent(kb.Enter)))
	act(t, b, "wait for the confirmation", waitText("#messages", "The invitation has been sent."))
	send("ada@example.com", chromedp.Steps(markOld("#invite-form"), chromedp.KeyEvent(kb.Enter), replaced("#invite-form")))
	act(t, b, "wait for the refusal", waitText("#invite-form", "App Designer: 0 of 1 seats used, 1 pending."))
	if id, desc := active(t, b); id != fmt.Sprintf("g-%d", app) {
		t.Errorf("after the refusal the focus is on %s, want the App Designer checkbox", desc)
	}
	page, err := m.svc.Invitations(asAdmin(t, m), invite.InvitationFilter{Email: "ada@example.com"})
	if err != nil || len(page.Invitations) != 0 {
		t.Fatalf("an invitation past the seats: %+v, %v", page, err)
	}
}
