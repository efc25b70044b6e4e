package main

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/invitehq/invite/invite"
)

// An invitation's timeline, reached by keyboard alone without JavaScript
// on a phone's 375 px: Tab to the invitee's address on the Invitations
// tab, Enter, and the page tells what happened in words, oldest first,
// and fits. (The events are appended through the store: the service's
// own recording is wired elsewhere.)
func TestBrowserInvitationTimeline(t *testing.T) {
	m, base := browserServer(t)
	acme := registerAcme(t, m)
	ctx := asAdmin(t, m)
	inv, _, err := m.svc.Invite(ctx, invite.InvitationInput{
		CompanyID: acme.ID, Email: "grace@example.com", FirstName: "Grace", LastName: "Hopper", BusinessRoleID: acme.BusinessRoles[0].ID,
		Grants: []invite.Grant{{SubscriptionID: acme.Subscriptions[0].ID, Role: invite.RoleViewer}},
	})
	if err != nil {
		t.Fatal(err)
	}
	about := func(kind invite.EventKind, detail string) *invite.Event {
		e := &invite.Event{At: inv.CreatedAt, Kind: kind, CompanyID: acme.ID, Actor: invite.ActorSystem, Subject: invite.SubjectInvitation, SubjectID: inv.ID, Email: inv.Email}
		if detail != "" {
			e.Detail = json.RawMessage(detail)
		}
		return e
	}
	created := about(invite.EventInvitationCreated, "")
	created.Actor, created.ActorEmail = invite.ActorUser, "admin@example.com"
	failed := about(invite.EventMailFailed, `{"message": 1, "attempt": 2, "final": false, "error": "451-4.7.1 <grace@example.com>: Recipient address temporarily rejected; greylisted, please try again in 300 seconds"}`)
	canceled := about(invite.EventInvitationCanceled, `{"reason": "sent to a personal address by mistake"}`)
	if err := m.db.AppendEvents(ctx, []*invite.Event{created, failed, canceled}); err != nil {
		t.Fatal(err)
	}

	b := noJSBrowser(t)
	act(t, b, "look at it on a phone", chromedp.EmulateViewport(375, 812, chromedp.EmulatePortrait, chromedp.EmulateMobile))
	login(t, b, base, "admin@example.com", adminPassword)
	loadPage(t, b, "open the invitations", chromedp.Navigate(base+"/admin/invitations"))
	link := fmt.Sprintf(`a[href="/admin/invitations/%d"]`, inv.ID)
	var path []string
	for i := 0; ; i++ {
		if i == 40 {
			t.Fatalf("Tab does not reach the invitee's address; it went through:\n    %v", path)
		}
		act(t, b, "press Tab", chromedp.KeyEvent(kb.Tab))
		ok, desc := focusMatches(t, b, link)
		if ok {
			break
		}
		path = append(path, desc)
	}
	_, text := loadPage(t, b, "press Enter on the address", chromedp.KeyEvent(kb.Enter))
	wantText(t, "the invitation's page", text, "Invitation: grace@example.com", "History",
		"Invitation sent", "by admin@example.com", "E-mail delivery failed", "Recipient address temporarily rejected",
		"yes, it will be tried again", "Invitation canceled", "sent to a personal address by mistake", "by System")
	checkNoOverflow(t, b, "the invitation's timeline at 375px")
}
