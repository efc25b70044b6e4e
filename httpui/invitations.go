package httpui

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

type invitationsData struct {
	Status    string
	Email     string
	Page      *invite.InvitationPage
	Rows      template.HTML // the page's rows, written by rowsHTML
	NextURL   string
	Companies map[int64]string // names, when the viewer administers several
	// JoinRequests is how many requests to join wait for an answer.
	JoinRequests int
	After        string // the cursor of the page shown; "" for the first
	// NoCompany is set for a Global Administrator before any company is
	// registered: there is nobody to invite anywhere yet.
	NoCompany bool
}

// invitations lists invitations newest first, filtered by status and
// searched by e-mail, a page at a time by cursor.
func (h *handlers) invitations(c echo.Context) error {
	ctx := c.Request().Context()
	f := invite.InvitationFilter{Status: invite.Status(c.QueryParam("status")), Email: c.QueryParam("email"), After: c.QueryParam("after")}
	page, err := h.svc.Invitations(ctx, f)
	if err != nil {
		return err
	}
	data := &invitationsData{Status: string(f.Status), Email: f.Email, After: f.After, Page: page}
	if page.Next != "" {
		q := url.Values{"after": {page.Next}}
		if f.Status != "" {
			q.Set("status", string(f.Status))
		}
		if f.Email != "" {
			q.Set("email", f.Email)
		}
		data.NextURL = "/admin/invitations?" + q.Encode()
	}
	if data.Companies, err = h.companyNames(c, page.Invitations); err != nil {
		return err
	}
	if data.Companies != nil && len(page.Invitations) == 0 && f == (invite.InvitationFilter{}) {
		cs, err := h.svc.Companies(ctx)
		if err != nil {
			return err
		}
		data.NoCompany = len(cs) == 0
	}
	if !isHTMX(c) { // the table alone is answered under htmx
		reqs, err := h.svc.JoinRequests(ctx, 0)
		if err != nil {
			return err
		}
		data.JoinRequests = len(reqs)
	}
	v := h.newView(c, "invitations", "invitations_title", data)
	inviters, err := h.inviterNames(c, page.Invitations)
	if err != nil {
		return err
	}
	data.Rows = rowsHTML(v.invitationRows(page.Invitations, data.Companies, inviters))
	return h.render(c, http.StatusOK, "invitations", "invitations-table", v)
}

// companyNames returns the names of the companies of invs for a Global
// Administrator, who sees them in a column of their own; nil for a Company
// Administrator.
func (h *handlers) companyNames(c echo.Context, invs []*invite.Invitation) (map[int64]string, error) {
	if userOf(c).AdminLevel != invite.AdminGlobal {
		return nil, nil
	}
	ids := make([]int64, len(invs))
	for i, inv := range invs {
		ids[i] = inv.CompanyID
	}
	return h.svc.CompanyNames(c.Request().Context(), ids)
}

// inviteData is the invite form: the companies to choose from (Global
// Administrator), the chosen company, the form as typed, and the e-mail
// panel.
type inviteData struct {
	Companies    []*invite.Company
	Company      *invite.Company
	Form         *invitationForm
	Placeholders []string
	// Preview is the e-mail the form would send, or PreviewErrors the
	// template's errors: shown as the form comes, with or without
	// JavaScript.
	Preview       *invite.Message
	PreviewErrors map[string]*invite.FieldError
	MailSaved     bool
	Resend        *invite.Invitation // set when resending
	// MailMismatch is set when the e-mail was edited in another language
	// than the invitation's: it is not sent until one is chosen.
	MailMismatch *mailMismatch
	// Chosen is set once a language was chosen for the e-mail: the field
	// the keyboard goes to next (the e-mail's subject, in its open panel,
	// or the language) and what to say.
	Chosen *formNote
	// Presets are the company's presets, offered on the invite form.
	Presets []*invite.Preset
}

// formNote is where the keyboard goes after a form comes back, and what
// is said, as app.js does with data-focus-next and data-say.
type formNote struct{ Focus, Say string }

// mailMismatch names the language an edited e-mail was written for and
// the invitation's, as the form's buttons offer them.
type mailMismatch struct{ Mail, Language string }

// formCompany settles the company a form of invitations is for: the one
// it names, else a Global Administrator's first (the companies they
// choose from are returned when choose is set), else the administrator's
// own; nil when there is none yet.
func (h *handlers) formCompany(c echo.Context, f *invitationForm, choose bool) ([]*invite.Company, *invite.Company, error) {
	ctx := c.Request().Context()
	u := userOf(c)
	var cs []*invite.Company
	if u.AdminLevel == invite.AdminGlobal && choose {
		var err error
		if cs, err = h.svc.Companies(ctx); err != nil {
			return nil, nil, err
		}
		if f.CompanyID == 0 && len(cs) > 0 {
			f.CompanyID = cs[0].ID
		}
	}
	if f.CompanyID == 0 {
		f.CompanyID = u.CompanyID
	}
	if f.CompanyID == 0 {
		return cs, nil, nil
	}
	co, err := h.svc.Company(ctx, f.CompanyID)
	return cs, co, err
}

// inviteView prepares the invite form for f: the company's lists, and the
// language's template in the e-mail panel when it is not customised.
func (h *handlers) inviteView(c echo.Context, f *invitationForm, resend *invite.Invitation) (*view, error) {
	ctx := c.Request().Context()
	data := &inviteData{Form: f, Placeholders: invite.Placeholders(), Resend: resend}
	var err error
	if data.Companies, data.Company, err = h.formCompany(c, f, resend == nil); err != nil {
		return nil, err
	}
	if co := data.Company; co != nil {
		if f.DefaultsOf == 0 {
			f.DefaultsOf = co.ID
		}
		if f.Language == "" {
			f.Language = co.DefaultLanguage
		}
		if f.TimeZone == "" {
			f.TimeZone = co.TimeZone
		}
		if f.MailSubject == "" && f.MailBody == "" {
			t, _, err := h.svc.MailTemplate(ctx, co.ID, f.Language)
			if err != nil {
				return nil, err
			}
			f.MailSubject, f.MailBody, f.MailCompanyID, f.MailLanguage = t.Subject, t.Body, co.ID, f.Language
		}
		if data.Preview, data.PreviewErrors, err = h.previewOf(c, f); err != nil {
			return nil, err
		}
		if resend == nil {
			if err := h.offerPresets(c, data, co); err != nil {
				return nil, err
			}
		}
	}
	title := "invite_title"
	if resend != nil {
		title = "resend_title"
	}
	v := h.newView(c, "invitations", title, data)
	if resend != nil {
		v.Prefix = fmt.Sprintf("r%d-", resend.ID)
	}
	if err := h.withSeats(c, v, f.CompanyID); err != nil {
		return nil, err
	}
	return v, nil
}

func (h *handlers) inviteForm(c echo.Context) error {
	v, err := h.inviteView(c, &invitationForm{CompanyID: formInt(c, "company"), Grants: map[int64]invite.Role{}}, nil)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "invite", "", v)
}

// defaultTemplate returns the template the e-mail panel was filled with.
func (h *handlers) defaultTemplate(c echo.Context, f *invitationForm) invite.Template {
	if f.CompanyID == 0 {
		f.CompanyID = userOf(c).CompanyID
	}
	companyID, lang := f.MailCompanyID, f.MailLanguage
	if companyID == 0 {
		companyID = f.CompanyID
	}
	if lang == "" {
		lang = f.Language
	}
	t, _, err := h.svc.MailTemplate(c.Request().Context(), companyID, lang)
	if err != nil {
		return invite.Template{}
	}
	return t
}

// createInvitation handles the invite form's buttons: "refresh" (another
// company or language was chosen), "save-mail" (keep the customised e-mail
// for this invitation) and "send"; a form with no action or another is
// refused.
func (h *handlers) createInvitation(c echo.Context) error {
	f, err := parseInvitationForm(c)
	if err != nil {
		return err
	}
	action, err := formAction(c, slices.Concat(mailActions, []string{"apply-preset"})...)
	if err != nil {
		return err
	}
	h.followCompany(c, f)
	if action == "apply-preset" {
		return h.applyPreset(c, f)
	}
	if action != "send" {
		return h.mailAction(c, action, f, nil)
	}
	if h.mailLanguageDiffers(c, f) {
		return h.refreshForm(c, f, nil)
	}
	in := f.input(h.defaultTemplate(c, f))
	h.fillFromPreset(c, f, &in)
	if err := h.withWindow(c, f, &in, f.CompanyID); err != nil {
		return h.formError(c, err, f, nil)
	}
	_, _, err = h.svc.Invite(c.Request().Context(), in)
	if err != nil {
		return h.formError(c, err, f, nil)
	}
	return redirect(c, "/admin/invitations?done=invited")
}

// followCompany gives the form of a Global Administrator who chose
// another company that company's default language and time zone, where
// the fields still hold the previous company's (not chosen by hand), as a
// Company Administrator's form has its company's.
func (h *handlers) followCompany(c echo.Context, f *invitationForm) {
	if f.DefaultsOf == 0 || f.CompanyID == 0 || f.DefaultsOf == f.CompanyID {
		return
	}
	ctx := c.Request().Context()
	old, err := h.svc.Company(ctx, f.DefaultsOf)
	if err != nil {
		f.DefaultsOf = 0 // not one of theirs: nothing to follow
		return
	}
	co, err := h.svc.Company(ctx, f.CompanyID)
	if err != nil {
		return // the service says so on send
	}
	if f.Language == old.DefaultLanguage {
		f.Language = co.DefaultLanguage
	}
	if f.TimeZone == old.TimeZone {
		f.TimeZone = co.TimeZone
	}
	f.DefaultsOf = co.ID
}

// formPage is the page of the invite form: inviting, or resending.
func formPage(resend *invite.Invitation) string {
	if resend != nil {
		return "resend"
	}
	return "invite"
}

// mailActions are the buttons of the invite and resend forms.
var mailActions = []string{"send", "refresh", "save-mail", "load-mail", "keep-language"}

// mailAction answers the invite or resend form's buttons other than send.
func (h *handlers) mailAction(c echo.Context, action string, f *invitationForm, resend *invite.Invitation) error {
	switch action {
	case "save-mail":
		return h.saveMailForInvitation(c, f, resend)
	case "load-mail": // the edited e-mail gives way to the language's
		f.MailSubject, f.MailBody, f.MailCompanyID, f.MailLanguage = "", "", 0, ""
		return h.refreshFormNoting(c, f, resend, &formNote{Focus: "mail_subject",
			Say: trOf(c).T("mail_loaded", "Language", trOf(c).T("language_"+f.Language))})
	case "keep-language": // the language goes back to the e-mail's
		if f.MailLanguage != "" {
			f.Language = f.MailLanguage
		}
		return h.refreshFormNoting(c, f, resend, &formNote{Focus: "language",
			Say: trOf(c).T("language_back", "Language", trOf(c).T("language_"+f.Language))})
	}
	return h.refreshForm(c, f, resend)
}

// mailLanguageDiffers reports whether the form's e-mail was edited (it is
// not the template it was filled with) in another language than the
// invitation's: sent, its text would be in one language and what the
// service adds to it (roles, dates, the footer) in the other.
func (h *handlers) mailLanguageDiffers(c echo.Context, f *invitationForm) bool {
	return f.MailLanguage != "" && f.Language != "" && f.MailLanguage != f.Language &&
		!f.input(h.defaultTemplate(c, f)).Mail.IsZero()
}

// refreshForm re-renders the form after another company or language was
// chosen; an e-mail not customised (the template it was filled with)
// follows the new language's template. An edited one stays, and if it
// was written for another language the form says so at the e-mail, with
// buttons to load the new language's e-mail or go back to its language;
// it is not sent like that (422).
func (h *handlers) refreshForm(c echo.Context, f *invitationForm, resend *invite.Invitation) error {
	return h.refreshFormNoting(c, f, resend, nil)
}

// refreshFormNoting is refreshForm, with the form noting where the
// keyboard goes next and what is said.
func (h *handlers) refreshFormNoting(c echo.Context, f *invitationForm, resend *invite.Invitation, note *formNote) error {
	return h.refreshFormWith(c, f, resend, note, nil, "")
}

// refreshFormWith is refreshFormNoting with field errors to mark and a
// problem to say, if any.
func (h *handlers) refreshFormWith(c echo.Context, f *invitationForm, resend *invite.Invitation, note *formNote, errs map[string]*invite.FieldError, problem string) error {
	if f.input(h.defaultTemplate(c, f)).Mail.IsZero() {
		f.MailSubject, f.MailBody = "", ""
	}
	status := http.StatusOK
	if c.FormValue("action") == "send" {
		status = http.StatusUnprocessableEntity
	}
	mismatch := h.mailLanguageDiffers(c, f)
	v, err := h.inviteView(c, f, resend)
	if err != nil {
		return err
	}
	if mismatch {
		h.markMailLanguage(c, v, f)
	}
	v.Data.(*inviteData).Chosen = note
	if errs != nil {
		v.Errors, v.Problem = errs, problem
	}
	return h.render(c, status, formPage(resend), "invite-form", v)
}

// markMailLanguage marks the e-mail's edited fields of the form as
// written for another language, and says so as the form's problem.
func (h *handlers) markMailLanguage(c echo.Context, v *view, f *invitationForm) {
	L := v.L
	m := &mailMismatch{Mail: L.T("language_" + f.MailLanguage), Language: L.T("language_" + f.Language)}
	v.Data.(*inviteData).MailMismatch = m
	msg := L.T("mail_language_mismatch", "Mail", m.Mail, "Language", m.Language)
	def := h.defaultTemplate(c, f)
	if v.Errors == nil {
		v.Errors = map[string]*invite.FieldError{}
	}
	// A reason of this package's own: the message is the translated text.
	if f.MailSubject != def.Subject {
		v.Errors["mail_subject"] = &invite.FieldError{Field: "mail_subject", Reason: "mail_language", Message: msg}
	}
	if f.MailBody != def.Body || v.Errors["mail_subject"] == nil {
		v.Errors["mail_body"] = &invite.FieldError{Field: "mail_body", Reason: "mail_language", Message: msg}
	}
	v.Problem = msg
}

// saveMailForInvitation checks the customised e-mail and re-renders the
// form keeping it, with a confirmation or the template's errors.
func (h *handlers) saveMailForInvitation(c echo.Context, f *invitationForm, resend *invite.Invitation) error {
	v, err := h.inviteView(c, f, resend)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if err := invite.ValidateTemplate(invite.Template{Subject: f.MailSubject, Body: f.MailBody}); err != nil {
		v.Errors, status = mailFieldErrors(err), http.StatusUnprocessableEntity
	} else {
		v.Data.(*inviteData).MailSaved = true
	}
	if h.mailLanguageDiffers(c, f) {
		h.markMailLanguage(c, v, f)
	}
	return h.render(c, status, formPage(resend), "invite-form", v)
}

// mailFieldErrors renames a template's field errors to the form's fields.
func mailFieldErrors(err error) map[string]*invite.FieldError {
	errs := fieldErrors(err)
	for from, to := range map[string]string{"subject": "mail_subject", "body": "mail_body"} {
		if e, ok := errs[from]; ok {
			errs[to] = e
			delete(errs, from)
		}
	}
	return errs
}

// formError re-renders the form with the error: field errors at their
// fields with 422, anything else as a message.
func (h *handlers) formError(c echo.Context, err error, f *invitationForm, resend *invite.Invitation) error {
	errs := fieldErrors(err)
	if errs == nil {
		return err
	}
	v, verr := h.inviteView(c, f, resend)
	if verr != nil {
		return verr
	}
	v.Errors = grantErrors(errs, f.grantList())
	for from, to := range map[string]string{"subject": "mail_subject", "body": "mail_body", "company": "company"} {
		if e, ok := errs[from]; ok {
			v.Errors[to] = e
		}
	}
	v.Problem = v.L.T("form_invalid")
	if e, ok := asError(err); ok && e.Code != invite.CodeInvalid {
		v.Problem = v.L.Error(err) // a conflict named at a field
	} else if msg := unplacedGrantError(v.L, v.Errors, v.Data.(*inviteData).Company); msg != "" {
		v.Problem = msg
	}
	return h.render(c, statusOf(invite.ErrorCode(err)), formPage(resend), "invite-form", v)
}

// preview renders the e-mail the form would send, as the invitee will see
// it, or the template's errors with their positions.
func (h *handlers) preview(c echo.Context) error {
	f, err := parseInvitationForm(c)
	if err != nil {
		return err
	}
	v := h.newView(c, "invitations", "preview_title", nil)
	msg, errs, err := h.previewOf(c, f)
	if err != nil {
		return err
	}
	v.Data, v.Errors = msg, errs
	return h.render(c, http.StatusOK, "preview", "mail-preview", v)
}

// previewOf renders the e-mail form f would send, or the template's
// errors. Fields not valid yet (the form is being filled in) are shown
// with sample values; every other field as typed.
func (h *handlers) previewOf(c echo.Context, f *invitationForm) (*invite.Message, map[string]*invite.FieldError, error) {
	if h.mailLanguageDiffers(c, f) {
		// Found from outside: the preview showed the mail in two
		// languages, one that is never sent; it says why instead.
		L := trOf(c)
		msg := L.T("mail_language_mismatch", "Mail", L.T("language_"+f.MailLanguage), "Language", L.T("language_"+f.Language))
		return nil, map[string]*invite.FieldError{"mail_body": {Field: "mail_body", Reason: "mail_language", Message: msg}}, nil
	}
	in := f.input(invite.Template{})
	if in.Mail.IsZero() {
		in.Mail = invite.Template{Subject: f.MailSubject, Body: f.MailBody}
	}
	msg, err := h.svc.PreviewMail(c.Request().Context(), in)
	if errs := mailFieldErrors(err); errs["mail_subject"] != nil || errs["mail_body"] != nil {
		// Only the template's errors: the others are the form's, told on send.
		out := map[string]*invite.FieldError{}
		for _, name := range []string{"mail_subject", "mail_body"} {
			if e := errs[name]; e != nil {
				out[name] = e
			}
		}
		return nil, out, nil
	}
	if err != nil {
		msg, err = h.previewWithSamples(c, in, err)
	}
	return msg, nil, err
}

// previewWithSamples previews in with a sample value in each field that err
// finds not valid.
func (h *handlers) previewWithSamples(c echo.Context, in invite.InvitationInput, err error) (*invite.Message, error) {
	ctx := c.Request().Context()
	co, cerr := h.svc.Company(ctx, in.CompanyID)
	if errors.Is(cerr, invite.ErrCompanyNotFound) && in.CompanyID == 0 {
		co, cerr = h.svc.MyCompany(ctx)
	}
	if cerr != nil {
		return nil, cerr
	}
	in.CompanyID = co.ID
	errs := fieldErrors(err)
	if errs == nil {
		return nil, err
	}
	L := trOf(c)
	for name := range errs {
		switch {
		case name == "email":
			in.Email = "name@example.com"
		case name == "first_name":
			in.FirstName = L.T("preview_first_name")
		case name == "last_name":
			in.LastName = L.T("preview_last_name")
		case name == "business_role":
			in.BusinessRoleID = co.BusinessRoles[0].ID
		case name == "department":
			in.Department = ""
		case name == "phone":
			in.Phone = ""
		case name == "language":
			in.Language = co.DefaultLanguage
		case name == "time_zone":
			in.TimeZone = ""
		case name == "admin_level":
			in.AdminLevel = invite.AdminNone
		case strings.HasPrefix(name, "grants"):
			in.Grants = sampleGrants(co, in.Grants)
		}
	}
	return h.svc.PreviewMail(ctx, in)
}

// sampleGrants keeps the grants of gs that name a subscription of co with
// a role, or, if none does, offers co's first subscription to view.
func sampleGrants(co *invite.Company, gs []invite.Grant) []invite.Grant {
	var out []invite.Grant
	for _, g := range gs {
		if _, ok := co.Subscription(g.SubscriptionID); ok && g.Role.Valid() {
			out = append(out, g)
		}
	}
	if len(out) == 0 {
		out = []invite.Grant{{SubscriptionID: co.Subscriptions[0].ID, Role: invite.RoleViewer}}
	}
	return out
}

// invitationID reads the :id of the path.
func invitationID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, invite.ErrInvitationNotFound
	}
	return id, nil
}

// pathInvitation returns the invitation the :id of the path names.
func (h *handlers) pathInvitation(c echo.Context) (*invite.Invitation, error) {
	id, err := invitationID(c)
	if err != nil {
		return nil, err
	}
	return h.svc.Invitation(c.Request().Context(), id)
}

// invitationRow is a row of the invitations table with every text of it
// ready: its template only places strings, so that a page of rows costs
// no lookups of texts, method calls or maps per row.
type invitationRow struct {
	L           *rowLabels
	ID          int64
	Email, Name string
	ShowCompany bool // the viewer administers several companies
	Company     string
	Invited     string
	InvitedBy   string // the inviter's name (their address if they have none), or that they were deleted
	Status      invite.Status
	StatusText  string
	Asked       string // when the invitee asked for a new invitation, or ""
	Expires     string
	TimesSent   int
	Delivery    *deliveryCell
	Resend      bool   // the viewer may resend it
	Cancel      string // the question before canceling, when the viewer may cancel it
	Window      string // the access window it gives, or ""
}

// HTML returns the row as the invitations table shows it. It is written
// here rather than by a template: html/template spent about a
// microsecond on each of a row's two dozen values, most of a page's time.
// Every value is escaped as html/template escapes text and quoted
// attributes, which the row's values only ever are (its URLs hold only
// its ID); TestInvitationRowHTML holds it to the template it replaces.
func (r *invitationRow) HTML() template.HTML {
	esc := template.HTMLEscapeString
	l := r.L
	id := strconv.FormatInt(r.ID, 10)
	var b strings.Builder
	b.Grow(1500)
	for _, s := range []string{
		"\n<tr id=\"inv-", id, "\">\n",
		"  <td class=\"email\" data-label=\"", esc(l.Email), "\"><a href=\"/admin/invitations/", id, "\">", esc(r.Email), "</a></td>\n",
		"  <td data-label=\"", esc(l.Name), "\">", esc(r.Name), "</td>\n  ",
	} {
		b.WriteString(s)
	}
	if r.ShowCompany {
		b.WriteString("<td data-label=\"" + esc(l.Company) + "\">" + esc(r.Company) + "</td>")
	}
	for _, s := range []string{
		"\n  <td data-label=\"", esc(l.Invited), "\">", esc(r.Invited), "</td>\n",
		"  <td class=\"email\" data-label=\"", esc(l.InvitedBy), "\">", esc(r.InvitedBy), "</td>\n",
		"  <td data-label=\"", esc(l.Status), "\"><span class=\"status status-", esc(string(r.Status)), "\">", esc(r.StatusText), "</span>",
	} {
		b.WriteString(s)
	}
	if r.Asked != "" {
		b.WriteString(" <span class=\"asked\">" + esc(r.Asked) + "</span>")
	}
	if r.Window != "" {
		b.WriteString(" <span class=\"window\">" + esc(r.Window) + "</span>")
	}
	for _, s := range []string{
		"</td>\n",
		"  <td data-label=\"", esc(l.Expires), "\">", esc(r.Expires), "</td>\n",
		"  <td class=\"num\" data-label=\"", esc(l.TimesSent), "\">", strconv.Itoa(r.TimesSent), "</td>\n",
		"  <td data-label=\"", esc(l.Delivery), "\">",
	} {
		b.WriteString(s)
	}
	if d := r.Delivery; d != nil {
		b.WriteString("<span class=\"delivery delivery-" + esc(d.State) + "\"")
		if d.Why != "" {
			b.WriteString(" title=\"" + esc(d.Why) + "\"")
		}
		b.WriteString(">" + esc(d.Text) + "</span>")
		if d.Why != "" {
			b.WriteString("<span class=\"visually-hidden\">: " + esc(d.Why) + "</span>")
		}
	}
	b.WriteString("</td>\n  <td class=\"row-actions\">\n    ")
	if r.Resend {
		b.WriteString("\n    <a class=\"button\" href=\"/admin/invitations/" + id + "/resend\" hx-get=\"/admin/invitations/" + id +
			"/resend\" hx-target=\"#inv-" + id + "\" hx-swap=\"outerHTML\">" + esc(l.Resend) + "</a>\n    ")
	}
	b.WriteString("\n    ")
	if r.Cancel != "" {
		// A button: without JavaScript it asks on a page of its own.
		b.WriteString("\n    \n    <form class=\"inline\" method=\"get\" action=\"/admin/invitations/" + id + "/cancel\">\n" +
			"      <button type=\"submit\" class=\"danger\" hx-post=\"/admin/invitations/" + id + "/cancel\" hx-target=\"#inv-" + id + "\" hx-swap=\"outerHTML\"\n" +
			"        hx-confirm=\"" + esc(r.Cancel) + "\">" + esc(l.Cancel) + "</button>\n    </form>\n    ")
	}
	b.WriteString("\n  </td>\n</tr>\n")
	return template.HTML(b.String())
}

// rowsHTML writes rows one after the other: a page's rows are placed in
// the table at once, not one template call each.
func rowsHTML(rows []invitationRow) template.HTML {
	var b strings.Builder
	for i := range rows {
		b.WriteString(string(rows[i].HTML()))
	}
	return template.HTML(b.String())
}

// deliveryCell is the state of a row's latest e-mail, and why it failed.
type deliveryCell struct{ State, Text, Why string }

// rowLabels are the texts every row repeats: the column names (each cell
// is labelled for narrow screens, where rows are cards) and the actions.
type rowLabels struct {
	Email, Name, Company, Invited, InvitedBy, Status, Expires, TimesSent, Delivery, Resend, Cancel string
}

// invitationRows makes the rows of invs for the viewer of v; companies
// names the companies of a viewer who administers several, and is nil
// otherwise; inviters names the inviters (see inviterNames).
func (v *view) invitationRows(invs []*invite.Invitation, companies map[int64]string, inviters map[int64]invite.UserName) []invitationRow {
	L := v.L
	labels := &rowLabels{
		Email: L.T("col_email"), Name: L.T("col_name"), Company: L.T("col_company"), Invited: L.T("col_invited"),
		InvitedBy: L.T("col_invited_by"), Status: L.T("col_status"), Expires: L.T("col_expires"), TimesSent: L.T("col_times_sent"), Delivery: L.T("col_delivery"),
		Resend: L.T("resend"), Cancel: L.T("cancel"),
	}
	statuses := map[invite.Status]string{}
	rows := make([]invitationRow, len(invs))
	for i, inv := range invs {
		r := &rows[i]
		*r = invitationRow{
			L: labels, ID: inv.ID, Email: inv.Email, Name: inv.Name(),
			ShowCompany: companies != nil, Company: companies[inv.CompanyID],
			Invited: L.Date(inv.CreatedAt), InvitedBy: v.shortUserName(inviters, inv.InvitedBy), Status: inv.Status, Expires: L.Date(inv.ExpiresAt), TimesSent: inv.TimesSent,
		}
		if r.StatusText = statuses[inv.Status]; r.StatusText == "" {
			r.StatusText = L.T("status_" + string(inv.Status))
			statuses[inv.Status] = r.StatusText
		}
		if w := inv.Access(); !w.IsZero() {
			r.Window = windowText(L, w, zoneNamed(inv.TimeZone), noTime)
		}
		if inv.RenewalAsked() {
			r.Asked = L.T("renewal_asked", "Date", L.Date(inv.RenewalRequestedAt))
		}
		if d := inv.Delivery; d != nil {
			r.Delivery = &deliveryCell{State: string(d.State), Text: L.T("delivery_" + string(d.State)), Why: v.DeliveryError(d.Error)}
		}
		if v.CanManage(inv) {
			r.Resend = inv.Status == invite.StatusPending || inv.Status == invite.StatusExpired
			if inv.Status == invite.StatusPending {
				r.Cancel = L.T("cancel_confirm", "Email", inv.Email)
			}
		}
	}
	return rows
}

// resendForm shows an invitation's details for optional changes: under
// htmx as an editing row in place, otherwise as a page.
func (h *handlers) resendForm(c echo.Context) error {
	inv, err := h.pathInvitation(c)
	if err != nil {
		return err
	}
	if !invite.CanManageInvitation(userOf(c), inv) {
		return invite.ErrInvitationAboveYou
	}
	v, err := h.inviteView(c, h.formWithWindow(inv), inv)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "resend", "resend-row", v)
}

// resend sends an invitation again with the details of the form.
func (h *handlers) resend(c echo.Context) error {
	inv, err := h.pathInvitation(c)
	if err != nil {
		return err
	}
	f, err := parseInvitationForm(c)
	if err != nil {
		return err
	}
	f.CompanyID = inv.CompanyID
	action, err := formAction(c, mailActions...)
	if err != nil {
		return err
	}
	if action != "send" {
		return h.mailAction(c, action, f, inv)
	}
	if h.mailLanguageDiffers(c, f) {
		return h.refreshForm(c, f, inv)
	}
	in := f.input(h.defaultTemplate(c, f))
	in.CompanyID = 0
	if err := h.withWindow(c, f, &in, inv.CompanyID); err != nil {
		return h.formError(c, err, f, inv)
	}
	resent, _, err := h.svc.Resend(c.Request().Context(), inv.ID, &in)
	if err != nil {
		return h.formError(c, err, f, inv)
	}
	return h.rowDone(c, resent, "resent")
}

// rowDone answers a row action: under htmx on the list the changed row
// and a confirmation, otherwise (without JavaScript, or from the action's
// own page) a redirect to the list with it.
func (h *handlers) rowDone(c echo.Context, inv *invite.Invitation, done string) error {
	if !inPlace(c, "/admin/invitations") {
		return redirect(c, "/admin/invitations?done="+done)
	}
	names, err := h.companyNames(c, []*invite.Invitation{inv})
	if err != nil {
		return err
	}
	inviters, err := h.inviterNames(c, []*invite.Invitation{inv})
	if err != nil {
		return err
	}
	v := h.newView(c, "invitations", "invitations_title", nil)
	v.Data = &v.invitationRows([]*invite.Invitation{inv}, names, inviters)[0]
	v.Flash = v.L.T("done_"+done+"_email", "Email", inv.Email)
	c.Response().Header().Set("HX-Retarget", fmt.Sprintf("#inv-%d", inv.ID))
	c.Response().Header().Set("HX-Reswap", "outerHTML")
	return h.render(c, http.StatusOK, "invitations", "row-done", v)
}

// cancelForm asks for confirmation without JavaScript; htmx asks with
// hx-confirm and posts directly.
func (h *handlers) cancelForm(c echo.Context) error {
	inv, err := h.pathInvitation(c)
	if err != nil {
		return err
	}
	if !invite.CanManageInvitation(userOf(c), inv) {
		return invite.ErrInvitationAboveYou
	}
	return h.render(c, http.StatusOK, "cancel", "", h.newView(c, "invitations", "cancel_title", &cancelData{Invitation: inv}))
}

// cancelData is what the page that confirms a cancel shows: the
// invitation, and the reason typed so far.
type cancelData struct {
	*invite.Invitation
	Reason string
}

// cancel cancels an invitation, with the reason the confirmation page
// asks for (htmx's confirmation posts none).
func (h *handlers) cancel(c echo.Context) error {
	id, err := invitationID(c)
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	inv, err := h.svc.CancelBecause(c.Request().Context(), id, reason)
	if errs := fieldErrors(err); errs != nil {
		inv, ierr := h.pathInvitation(c)
		if ierr != nil {
			return ierr
		}
		v := h.newView(c, "invitations", "cancel_title", &cancelData{Invitation: inv, Reason: reason})
		return h.invalid(c, v, errs, "cancel", "cancel-form")
	}
	if err != nil {
		return err
	}
	return h.rowDone(c, inv, "canceled")
}
