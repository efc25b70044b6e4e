package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/invitehq/invite/invite"
)

// An administrator sets a user's access window with the keyboard, on a
// phone's screen: the editor opens in place, the end date is typed into
// its date field, Enter saves, and the row shows the window without
// widening the page.
func TestBrowserAccessWindowKeyboard(t *testing.T) {
	m, base := browserServer(t)
	d := a11ySetup(t, m)
	row, form := fmt.Sprintf("#user-%d", d.member), fmt.Sprintf("#user-u%d-form", d.member)
	until := fmt.Sprintf("f-u%d-access_until", d.member)
	last := time.Now().AddDate(1, 0, 0)

	b := newBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	viewports[1].use(t, b, base+"/admin/users")
	act(t, b, "open the users", openPage(base+"/admin/users", row)...)
	act(t, b, "open the editor", openInPlace(row+` a[href$="/edit"]`, row+`.editing form`)...)
	tabTo(t, b, until, false)
	// A date field takes the month, day and year as typed digits (the
	// browser's own order for en-US).
	press(t, b, last.Format("01"), last.Format("02"), last.Format("2006"))
	if got := value(t, b, until); got != last.Format("2006-01-02") {
		t.Fatalf("the end date reads %q after typing, want %s", got, last.Format("2006-01-02"))
	}
	act(t, b, "press Enter to save",
		markOld(row),
		chromedp.KeyEvent(kb.Enter),
		waitText("#messages", "Grace Hopper has been changed."),
		replaced(row),
	)
	text := get(t, b, "read the row", chromedp.Text(css(row+" .window")))
	if want := "Access until " + last.Format("Jan 2, 2006"); text != want {
		t.Errorf("the row says %q, want %q", text, want)
	}
	checkNoOverflow(t, b, "the users with a window at 375px")
	u, err := m.svc.User(asAdmin(t, m), d.member)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation(u.TimeZone)
	if got := u.AccessUntil.In(loc); got.Format("2006-01-02 15:04") != last.AddDate(0, 0, 1).Format("2006-01-02")+" 00:00" {
		t.Errorf("AccessUntil %v, want the start of the day after %s in %s", got, last.Format("2006-01-02"), u.TimeZone)
	}
	// The editor shows the window as it was set, and is reached again
	// from the row with the keyboard.
	act(t, b, "open the editor again", openInPlace(row+` a[href$="/edit"]`, form)...)
	if got := value(t, b, until); got != last.Format("2006-01-02") {
		t.Errorf("the editor shows the end %q, want %s", got, last.Format("2006-01-02"))
	}
	checkNoOverflow(t, b, "the user editor at 375px")
}

// Without JavaScript an administrator invites with an access window, and
// the invitee, registering before it starts, is told when they may log
// in, on a page that fits a phone; logging in then says so again.
func TestBrowserAccessWindowWithoutJavaScript(t *testing.T) {
	m, base := browserServerWith(t, func(cfg *Config) { cfg.AttemptsPerMinute = 0 })
	d := a11ySetup(t, m)
	ctx := asAdmin(t, m)
	acme, err := m.svc.Company(ctx, d.acme)
	if err != nil {
		t.Fatal(err)
	}
	from, last := time.Now().AddDate(0, 1, 0), time.Now().AddDate(0, 3, 0)

	b := noJSBrowser(t)
	login(t, b, base, "admin@example.com", adminPassword)
	loadPage(t, b, "open the invite form", chromedp.Navigate(base+"/admin/invitations/new"))
	act(t, b, "choose Acme Plant", chromedp.SetValue(css(`#f-company`), fmt.Sprint(acme.ID)))
	loadPage(t, b, "press Choose (the company)", chromedp.Click(css(companyButton)))
	act(t, b, "fill in a contractor with an access window",
		fillInvitee("Con", "Tractor", "con@example.com", acme.BusinessRoles[0].ID, acme.Subscriptions[0].ID, invite.RoleViewer),
		chromedp.SetValue(css(`#f-access_from`), from.Format("2006-01-02")),
		chromedp.SetValue(css(`#f-access_until`), "2020-01-01"),
	)
	// An end before the start is a marked field, and the dates are kept.
	_, text := loadPage(t, b, "press Send Invitation", chromedp.Click(css(sendButton)))
	wantText(t, "the refused form", text, "The end of access must be after its start.")
	if got := fieldValue(t, b, `#f-access_from`); got != from.Format("2006-01-02") {
		t.Errorf("after the error the start reads %q, want %s", got, from.Format("2006-01-02"))
	}
	act(t, b, "correct the end", chromedp.SetValue(css(`#f-access_until`), last.Format("2006-01-02")))
	_, text = loadPage(t, b, "press Send Invitation", chromedp.Click(css(sendButton)))
	wantOnce(t, "after sending", text, "The invitation has been sent.")
	wantText(t, "the invitations", text, "Access "+from.Format("Jan 2, 2006")+" – "+last.Format("Jan 2, 2006"))
	// On a phone the list still fits, window and all.
	act(t, b, "look at the list on a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulatePortrait, chromedp.EmulateMobile))
	_, text = loadPage(t, b, "reload the list", chromedp.Navigate(base+"/admin/invitations"))
	wantText(t, "the invitations at 375px", text, "Access "+from.Format("Jan 2, 2006"))
	checkNoOverflow(t, b, "the invitations with a window at 375px")
	inv := invitationTo(t, ctx, m, "con@example.com")
	if inv.AccessFrom.IsZero() || inv.AccessUntil.IsZero() {
		t.Fatalf("the invitation has no window: %v–%v", inv.AccessFrom, inv.AccessUntil)
	}

	// The invitee registers (a token of their own: the mail's link is
	// not read here) and is not logged in: a page says when.
	in := inv.Input()
	in.CompanyID = 0
	_, token, err := m.svc.Resend(ctx, inv.ID, &in)
	if err != nil {
		t.Fatal(err)
	}
	invitee := noJSBrowser(t)
	act(t, invitee, "look at it on a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulatePortrait, chromedp.EmulateMobile))
	loadPage(t, invitee, "open the link", chromedp.Navigate(base+m.svc.Paths().AcceptInvitation+token))
	act(t, invitee, "fill in the registration",
		chromedp.SendKeys(css(`#f-password`), memberPassword),
		chromedp.SendKeys(css(`#f-password_confirm`), memberPassword),
		chromedp.Click(css(`#f-accept_terms`)),
	)
	_, text = loadPage(t, invitee, "press Complete Registration", chromedp.Click(css(`#join-form button.primary`)))
	if p := pagePath(t, invitee); !strings.HasPrefix(p, "/login/not-yet?") {
		t.Fatalf("after registering the page is %s:\n%s", p, text)
	}
	wantText(t, "the not-yet page", text, "Your access has not started yet", "Your registration is complete.", "You can log in from "+from.Format("Jan 2, 2006"))
	checkNoOverflow(t, invitee, "the not-yet page at 375px")
	_, text = loadPage(t, invitee, "open the home page", chromedp.Navigate(base+"/home"))
	wantText(t, "home before the start", text, "Log in")

	act(t, invitee, "log in before the start",
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(css("#f-email"), "con@example.com"),
		chromedp.SendKeys(css("#f-password"), memberPassword),
	)
	_, text = loadPage(t, invitee, "press Log in", chromedp.Click(css(`#login-form button[type=submit]`)))
	wantText(t, "the log-in before the start", text, "Your access has not started yet", "You can log in from "+from.Format("Jan 2, 2006"))
	if strings.Contains(text, "Your registration is complete.") {
		t.Errorf("the log-in's page says the registration was just completed")
	}
}
