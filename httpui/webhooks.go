package httpui

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

// webhooksData is a company's webhooks page: its webhooks' rows, the add
// form as typed, and the webhook just added with its secret, shown once.
type webhooksData struct {
	Company *invite.Company
	Rows    []webhookRowView
	URL     string
	Kinds   []kindChoice
	Created *invite.Webhook
	Full    bool // the company has as many webhooks as it may
}

// kindChoice is a checkbox of the add form.
type kindChoice struct {
	Kind    string
	Label   string // the kind in the reader's words
	Checked bool
}

// webhookRowView is a row of the webhooks table, its texts ready.
type webhookRowView struct {
	ID                         int64
	URL, Kinds, Last, Confirm  string
	AddedBy                    string // who registered it, and when
	Delivered, Failed, Pending bool
}

// webhookRows returns the rows of ws for the reader.
func webhookRows(l *tr, ws []*invite.Webhook) []webhookRowView {
	rows := make([]webhookRowView, len(ws))
	for i, w := range ws {
		kinds := make([]string, len(w.Kinds))
		for j, k := range w.Kinds {
			kinds[j] = string(k)
		}
		r := webhookRowView{ID: w.ID, URL: w.URL, Kinds: strings.Join(kinds, ", "), Confirm: l.T("webhook_delete_confirm", "URL", w.URL)}
		switch {
		case w.LastAttemptAt.IsZero():
			r.Last, r.Pending = l.T("webhook_last_never"), true
		case w.Delivered():
			r.Last, r.Delivered = l.T("webhook_last_delivered", "Time", l.Date(w.LastAttemptAt), "Status", w.LastStatus), true
		case w.LastStatus != 0:
			r.Last, r.Failed = l.T("webhook_last_status", "Time", l.Date(w.LastAttemptAt), "Status", w.LastStatus), true
		default:
			r.Last, r.Failed = l.T("webhook_last_error", "Time", l.Date(w.LastAttemptAt), "Error", w.LastError), true
		}
		rows[i] = r
	}
	return rows
}

// kindChoices returns the checkboxes of the add form, those in chosen
// checked.
func kindChoices(chosen []string) []kindChoice {
	out := make([]kindChoice, 0, len(invite.EventKinds()))
	for _, k := range invite.EventKinds() {
		out = append(out, kindChoice{Kind: string(k), Checked: slices.Contains(chosen, string(k))})
	}
	return out
}

// webhooksView returns the webhooks page of company co with the add form
// as data has it.
func (h *handlers) webhooksView(c echo.Context, co *invite.Company, data *webhooksData) (*view, error) {
	ws, err := h.svc.Webhooks(c.Request().Context(), co.ID)
	if err != nil {
		return nil, err
	}
	data.Company = co
	v := h.newView(c, webhooksNav(c), "webhooks_title", data)
	for i := range data.Kinds {
		data.Kinds[i].Label = v.L.T(eventKindKey(data.Kinds[i].Kind))
	}
	data.Rows = webhookRows(v.L, ws)
	ids := make([]int64, len(ws))
	for i, w := range ws {
		ids[i] = w.CreatedBy
	}
	names, err := h.svc.UserNames(c.Request().Context(), ids)
	if err != nil {
		return nil, err
	}
	for i, w := range ws {
		data.Rows[i].AddedBy = v.L.T("webhook_added_by", "Who", v.userName(names, w.CreatedBy), "Time", v.L.Date(w.CreatedAt))
	}
	data.Full = len(ws) >= h.svc.MaxWebhooks()
	return v, nil
}

// webhooksNav is the navigation entry the page belongs to: the companies
// for a Global Administrator, the users (where a company's settings are
// linked) for a Company Administrator.
func webhooksNav(c echo.Context) string {
	if userOf(c).AdminLevel == invite.AdminGlobal {
		return "companies"
	}
	return "users"
}

// webhooks lists a company's webhooks with the form that adds one, and
// the secret of the one just added, once.
func (h *handlers) webhooks(c echo.Context) error {
	co, err := h.pathCompany(c)
	if err != nil {
		return err
	}
	data := &webhooksData{Kinds: kindChoices(nil)}
	v, err := h.webhooksView(c, co, data)
	if err != nil {
		return err
	}
	if id, secret := h.takeWebhookSecret(c, co.ID); secret != "" {
		for _, r := range data.Rows {
			if r.ID == id {
				data.Created = &invite.Webhook{ID: id, CompanyID: co.ID, URL: r.URL, Secret: secret}
			}
		}
	}
	return h.render(c, http.StatusOK, "webhooks", "", v)
}

// createWebhook adds a webhook and leads back to the list, which shows its
// secret this once (Post/Redirect/Get: a reload adds no other): the
// secret goes there sealed in a cookie, as a join address does
// (sealed.go), so that it is in no URL, no log and no database but the
// store's.
func (h *handlers) createWebhook(c echo.Context) error {
	co, err := h.pathCompany(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	chosen := form["kinds"]
	in := invite.WebhookInput{CompanyID: co.ID, URL: c.FormValue("url")}
	for _, k := range chosen {
		in.Kinds = append(in.Kinds, invite.EventKind(k))
	}
	w, err := h.svc.CreateWebhook(c.Request().Context(), in)
	if err != nil {
		errs := fieldErrors(err)
		if errs == nil {
			return err // ErrTooManyWebhooks among them: a page of its own
		}
		v, verr := h.webhooksView(c, co, &webhooksData{URL: in.URL, Kinds: kindChoices(chosen)})
		if verr != nil {
			return verr
		}
		return h.invalid(c, v, errs, "webhooks", "")
	}
	if err := h.keepWebhookSecret(c, w); err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("/admin/companies/%d/webhooks?done=webhook_created", co.ID))
}

// webhookShownCookie carries a webhook's secret from the POST that made it
// to the page that shows it, once, sealed as joinShownCookie is.
const webhookShownCookie = "invite_webhook_secret"

// webhookSealKey derives the key of the secret's cookie from the session
// token.
func webhookSealKey(session string) []byte {
	m := hmac.New(sha256.New, []byte(session))
	m.Write([]byte("invite: webhook secret shown once"))
	return m.Sum(nil)
}

// keepWebhookSecret sets the cookie that shows w's secret on the next page
// of this session.
func (h *handlers) keepWebhookSecret(c echo.Context, w *invite.Webhook) error {
	session, err := c.Cookie(h.cookieName(sessionCookie))
	if err != nil {
		return err
	}
	block, err := aes.NewCipher(webhookSealKey(session.Value))
	if err != nil {
		return err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	plain := fmt.Sprintf("%d\n%d\n%s", w.CompanyID, w.ID, w.Secret)
	sealed := aead.Seal(nonce, nonce, []byte(plain), nil)
	c.SetCookie(&http.Cookie{Name: h.cookieName(webhookShownCookie), Value: base64.RawURLEncoding.EncodeToString(sealed),
		Path: "/", HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteStrictMode, MaxAge: int(joinShownFor.Seconds())})
	return nil
}

// takeWebhookSecret returns the webhook and secret kept by
// keepWebhookSecret for company companyID, and forgets them: the secret
// is shown once. It returns "" when there is none.
func (h *handlers) takeWebhookSecret(c echo.Context, companyID int64) (int64, string) {
	kept, err := c.Cookie(h.cookieName(webhookShownCookie))
	if err != nil {
		return 0, ""
	}
	c.SetCookie(&http.Cookie{Name: h.cookieName(webhookShownCookie), Value: "", Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	session, err := c.Cookie(h.cookieName(sessionCookie))
	if err != nil {
		return 0, ""
	}
	plain, err := openSealed(webhookSealKey(session.Value), kept.Value)
	if err != nil {
		return 0, ""
	}
	parts := strings.SplitN(plain, "\n", 3)
	if len(parts) != 3 || parts[0] != strconv.FormatInt(companyID, 10) {
		return 0, ""
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return 0, ""
	}
	return id, parts[2]
}

// pathWebhook returns the webhook the :id of the path names.
func (h *handlers) pathWebhook(c echo.Context) (*invite.Webhook, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, invite.ErrWebhookNotFound
	}
	return h.svc.Webhook(c.Request().Context(), id)
}

// confirmDeleteWebhook asks before deleting, without JavaScript; htmx
// asks with hx-confirm and posts directly.
func (h *handlers) confirmDeleteWebhook(c echo.Context) error {
	w, err := h.pathWebhook(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "webhook_delete", "", h.newView(c, webhooksNav(c), "webhook_delete_title", w))
}

// deleteWebhook deletes a webhook: under htmx its row goes, with a
// confirmation; otherwise back to the list.
func (h *handlers) deleteWebhook(c echo.Context) error {
	w, err := h.pathWebhook(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteWebhook(c.Request().Context(), w.ID); err != nil {
		return err
	}
	list := fmt.Sprintf("/admin/companies/%d/webhooks", w.CompanyID)
	if !inPlace(c, list) {
		return redirect(c, list+"?done=webhook_deleted")
	}
	v := h.newView(c, webhooksNav(c), "webhooks_title", nil)
	v.Flash = v.L.T("done_webhook_deleted")
	c.Response().Header().Set("HX-Retarget", fmt.Sprintf("#webhook-%d", w.ID))
	c.Response().Header().Set("HX-Reswap", "outerHTML")
	return h.render(c, http.StatusOK, "webhooks", "webhook-row-deleted", v)
}
