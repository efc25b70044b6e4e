package httpui_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/invitehq/invite/invite"
)

// upload sends the Invite Users form with a file (name, content) and
// fields, as a browser sends it, with the form page's CSRF token.
func (b *browser) upload(fields url.Values, name string, content []byte) page {
	b.t.Helper()
	p := b.get("/admin/invitations/bulk")
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("no CSRF field on the form (status %d)", p.status)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", html.UnescapeString(m[1]))
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if name != "" {
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(content)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.a.srv.URL+"/admin/invitations/bulk", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept-Language", b.lang)
	if b.htmx {
		req.Header.Set("HX-Request", "true")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

var batchPath = regexp.MustCompile(`^/admin/invitations/bulk/(\d+)$`)

// A file is checked, shown row by row with nothing sent, then sent on
// confirmation, once however often the confirmation comes.
func TestBulkUpload(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
	b.get("/admin/invitations").want(t, http.StatusOK, `href="/admin/invitations/bulk"`, "Invite Users")
	file := "\uFEFFemail;first_name;last_name;subscriptions\n" +
		"ada@example.com;Ada;Lovelace;App Designer:Contributor\n" +
		"ADA@example.com;Ada;Again;\n" +
		"eve@example.com;\"=HYPERLINK(\"\"http://x\"\")\";Evil;\n" +
		"bob@example.com;Bob;Berg;\n"
	fields := url.Values{"company": {fmt.Sprint(a.acme.ID)}, "action": {"check"}, "business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)},
		"grant": {fmt.Sprint(a.acme.Subscriptions[1].ID)}, fmt.Sprintf("role_%d", a.acme.Subscriptions[1].ID): {"viewer"}}
	p := b.upload(fields, "people.csv", []byte(file))
	p.want(t, http.StatusSeeOther)
	where := p.header.Get("Location")
	if !batchPath.MatchString(where) {
		t.Fatalf("redirected to %q, want a batch's page", where)
	}
	b.get(where).want(t, http.StatusOK, "4 rows checked: 2 valid, 2 with problems", "This address is already in line 2.",
		"spreadsheet formula", "Send the valid rows (2)", `name="mode"`)
	if n := a.invitationCount(); n != 0 {
		t.Fatalf("the dry run sent %d invitations", n)
	}
	// The results as CSV hold no cell a spreadsheet would run.
	csv := b.get(where + "/results.csv")
	csv.want(t, http.StatusOK, `'=HYPERLINK`)
	if strings.Contains(csv.body, `,=HYPERLINK`) || strings.Contains(csv.body, `,"=HYPERLINK`) {
		t.Fatalf("the export has a formula cell:\n%s", csv.body)
	}
	// An unknown choice is refused; the valid rows, twice.
	b.post(where, where+"/confirm", url.Values{"mode": {"everything"}}).want(t, http.StatusBadRequest)
	b.post(where, where+"/confirm", url.Values{"mode": {"valid"}}).want(t, http.StatusSeeOther)
	b.get(where).want(t, http.StatusOK, "Sending: 0 of 4 rows done.", `hx-trigger="every 1s"`, `<noscript><meta http-equiv="refresh"`)
	if _, err := a.svc.RunBatches(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.post(where, where+"/confirm", url.Values{"mode": {"all"}}).want(t, http.StatusSeeOther)
	b.get(where).want(t, http.StatusOK, "Done: 2 of 4 invitations sent; 2 rows not sent.")
	if n := a.invitationCount(); n != 2 {
		t.Fatalf("sent %d invitations, want 2", n)
	}
	// The form lists it, to be found again.
	b.get("/admin/invitations/bulk").want(t, http.StatusOK, "Recent batches", "4 rows: 2 sent, 2 refused", `href="`+where+`"`)
	// Polling under htmx ends in a refresh of the whole page.
	b.htmx = true
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+where, nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "batch-progress")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("HX-Refresh") != "true" {
		t.Fatalf("polling a finished batch: got %d without HX-Refresh", resp.StatusCode)
	}
}

// A file the page cannot read is refused at its field, with why, and
// nothing is kept.
func TestBulkUploadRefused(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
	fields := url.Values{"company": {fmt.Sprint(a.acme.ID)}, "action": {"check"}}
	tests := []struct {
		name, file string
		content    []byte
		list       string
		want       string
	}{
		{"Binary", "x.csv", []byte("email\n\x00\x01PK"), "", "Line 2 holds a NUL byte"},
		{"Latin1", "x.csv", []byte("email,first_name\na@example.com,J\xf6rg\n"), "", "Line 2 is not valid UTF-8"},
		{"TooManyRows", "x.csv", []byte("email\n" + strings.Repeat("a@example.com\n", 100000)), "", "The list has 100000 rows; at most 10000"},
		{"Nothing", "", nil, "", "Choose a CSV file or paste a list"},
		{"Both", "x.csv", []byte("email\na@example.com\n"), "b@example.com", "not both"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range fields {
				f[k] = v
			}
			if tc.list != "" {
				f.Set("list", tc.list)
			}
			b.upload(f, tc.file, tc.content).want(t, http.StatusUnprocessableEntity, tc.want, `aria-invalid="true"`)
		})
	}
	// 50 MB is refused before it is read.
	big := b.upload(fields, "big.csv", bytes.Repeat([]byte("a@example.com\n"), 50<<20/14))
	big.want(t, http.StatusRequestEntityTooLarge, "larger than 8 MB")
	if n := a.invitationCount(); n != 0 {
		t.Fatalf("refused files sent %d invitations", n)
	}
}

// A pasted list makes rows of "Name <address>" and bare addresses.
func TestBulkList(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.login("root@example.com", adminPassword).want(t, http.StatusSeeOther)
	fields := url.Values{"company": {fmt.Sprint(a.acme.ID)}, "action": {"check"}, "business_role": {fmt.Sprint(a.acme.BusinessRoles[0].ID)},
		"grant": {fmt.Sprint(a.acme.Subscriptions[0].ID)}, fmt.Sprintf("role_%d", a.acme.Subscriptions[0].ID): {"viewer"},
		"list": {"Grace Hopper <grace@example.com>\nada.lovelace@example.com\nbob@example.com\n"}}
	p := b.upload(fields, "", nil)
	p.want(t, http.StatusSeeOther)
	b.get(p.header.Get("Location")).want(t, http.StatusOK, "3 rows checked: 2 valid, 1 with problems", "Ada Lovelace", "Grace Hopper")
}

func (a *app) invitationCount() int {
	a.t.Helper()
	invs, err := a.db.Invitations(context.Background(), invite.InvitationQuery{Limit: 1 << 20})
	if err != nil {
		a.t.Fatal(err)
	}
	return len(invs)
}
