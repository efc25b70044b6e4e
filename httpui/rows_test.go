package httpui

import (
	htmltemplate "html/template"
	"strings"
	"testing"

	"github.com/invitehq/invite/invite"
)

// referenceRow is the invitations table's row as the template it was:
// invitationRow.HTML must write what it wrote.
const referenceRow = `{{define "invitation-row"}}{{$l := .L}}
<tr id="inv-{{.ID}}">
  <td class="email" data-label="{{$l.Email}}"><a href="/admin/invitations/{{.ID}}">{{.Email}}</a></td>
  <td data-label="{{$l.Name}}">{{.Name}}</td>
  {{if .ShowCompany}}<td data-label="{{$l.Company}}">{{.Company}}</td>{{end}}
  <td data-label="{{$l.Invited}}">{{.Invited}}</td>
  <td class="email" data-label="{{$l.InvitedBy}}">{{.InvitedBy}}</td>
  <td data-label="{{$l.Status}}"><span class="status status-{{.Status}}">{{.StatusText}}</span>{{with .Asked}} <span class="asked">{{.}}</span>{{end}}{{with .Window}} <span class="window">{{.}}</span>{{end}}</td>
  <td data-label="{{$l.Expires}}">{{.Expires}}</td>
  <td class="num" data-label="{{$l.TimesSent}}">{{.TimesSent}}</td>
  <td data-label="{{$l.Delivery}}">{{with .Delivery}}<span class="delivery delivery-{{.State}}"{{with .Why}} title="{{.}}"{{end}}>{{.Text}}</span>{{with .Why}}<span class="visually-hidden">: {{.}}</span>{{end}}{{end}}</td>
  <td class="row-actions">
    {{if .Resend}}
    <a class="button" href="/admin/invitations/{{.ID}}/resend" hx-get="/admin/invitations/{{.ID}}/resend" hx-target="#inv-{{.ID}}" hx-swap="outerHTML">{{$l.Resend}}</a>
    {{end}}
    {{with .Cancel}}
    {{/* A button: without JavaScript it asks on a page of its own. */}}
    <form class="inline" method="get" action="/admin/invitations/{{$.ID}}/cancel">
      <button type="submit" class="danger" hx-post="/admin/invitations/{{$.ID}}/cancel" hx-target="#inv-{{$.ID}}" hx-swap="outerHTML"
        hx-confirm="{{.}}">{{$l.Cancel}}</button>
    </form>
    {{end}}
  </td>
</tr>
{{end}}`

// FuzzInvitationRowHTML checks that a row written by hand is the row the
// template wrote, escaping included, whatever its texts hold. (It differs
// in one way: html/template also writes "+" as "&#43;", which text and
// quoted attributes need not.)
func FuzzInvitationRowHTML(f *testing.F) {
	f.Add(int64(12), "ann@example.com", "Ann Lee", "Acme", "pending", "Asked on 3 March", "failed", "550 <no such user>", "Cancel the invitation to \"ann\"?", true, true, 3)
	f.Add(int64(1), "<b>&'\"+", "", "", "accepted", "", "", "", "", false, false, 0)
	reference := htmltemplate.Must(htmltemplate.New("row").Parse(referenceRow))
	f.Fuzz(func(t *testing.T, id int64, email, name, company, status, asked, delivery, why, cancel string, showCompany, resend bool, times int) {
		labels := &rowLabels{Email: "E-Mail <", Name: "Name &", Company: "Firma \"", Invited: "Eingeladen '", InvitedBy: "Von <", Status: "Status",
			Expires: "Läuft ab", TimesSent: "Gesendet", Delivery: "Zustellung", Resend: "Erneut +", Cancel: "Stornieren"}
		r := &invitationRow{L: labels, ID: id, Email: email, Name: name, ShowCompany: showCompany, Company: company, Invited: "1. März 2026", InvitedBy: name + " <" + email + ">",
			Status: invite.Status(status), StatusText: status + " text", Asked: asked, Expires: "8. März 2026", TimesSent: times, Resend: resend, Cancel: cancel,
			Window: strings.ToUpper(asked)}
		if delivery != "" {
			r.Delivery = &deliveryCell{State: delivery, Text: delivery + " text", Why: why}
		}
		var want strings.Builder
		if err := reference.ExecuteTemplate(&want, "invitation-row", r); err != nil {
			t.Fatal(err)
		}
		if got, want := string(r.HTML()), strings.ReplaceAll(want.String(), "&#43;", "+"); got != want {
			t.Fatalf("HTML():\n%s\nthe template:\n%s", got, want)
		}
	})
}
