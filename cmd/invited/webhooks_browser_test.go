package main

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserWebhooks adds a webhook as a person does, from the companies
// page: the secret is shown once and gone on reload; deleting asks first
// (hx-confirm, answered yes) and takes the row away in place.
func TestBrowserWebhooks(t *testing.T) {
	m, base := browserServer(t)
	c := registerAcme(t, m)
	ctx := newBrowser(t)
	login(t, ctx, base, "admin@example.com", adminPassword)
	page := fmt.Sprintf("/admin/companies/%d/webhooks", c.ID)
	act(t, ctx, "open Webhooks from Companies",
		chromedp.Navigate(base+"/admin/companies"),
		chromedp.WaitVisible(css(`a[href="`+page+`"]`)),
		through(chromedp.Click(css(`a[href="`+page+`"]`))),
		chromedp.WaitVisible(css("#webhook-form")),
	)
	act(t, ctx, "add a webhook",
		chromedp.SendKeys(css("#f-url"), "https://hooks.example.com/invite-events"),
		chromedp.Click(css(`#webhook-form input[value="invitation.created"]`)),
		chromedp.Click(css(`#webhook-form input[value="invitation.accepted"]`)),
		through(chromedp.Click(css("#webhook-form button.primary"))),
		chromedp.WaitVisible(css("#webhook-secret")),
		waitText("#webhooks-table", "invitation.created, invitation.accepted"),
		waitText("#webhooks-table", "None yet"),
	)
	secret := get(t, ctx, "read the secret", chromedp.Evaluate[string](`document.querySelector("#webhook-secret").value`))
	if len(secret) < 40 {
		t.Fatalf("secret %q", secret)
	}
	screenshot(t, ctx, "webhooks")
	act(t, ctx, "reload", through(chromedp.Reload()), chromedp.WaitVisible(css("#webhooks-table")))
	if n := get(t, ctx, "look for the secret", chromedp.Evaluate[int](`document.querySelectorAll("#webhook-secret").length`)); n != 0 {
		t.Fatal("the secret is shown again after a reload")
	}
	act(t, ctx, "delete it",
		waitHTMX("#webhooks-table button.danger"),
		chromedp.Click(css("#webhooks-table button.danger")),
		waitText("#messages", "The webhook has been deleted."),
	)
	if n := get(t, ctx, "count the rows", chromedp.Evaluate[int](`document.querySelectorAll("#webhooks-table tbody tr").length`)); n != 0 {
		t.Errorf("%d rows left", n)
	}
	if ws, _ := m.svc.Webhooks(asAdmin(t, m), c.ID); len(ws) != 0 {
		t.Errorf("%d webhooks left", len(ws))
	}
}
