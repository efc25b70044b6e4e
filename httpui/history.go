package httpui

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

// The history on the pages: an invitation's page with its timeline, a
// user's history, and the Events page, whose list can be exported as CSV
// or JSON Lines.

// inviterNames returns the names of the inviters of invs, read at once.
func (h *handlers) inviterNames(c echo.Context, invs []*invite.Invitation) (map[int64]invite.UserName, error) {
	ids := make([]int64, len(invs))
	for i, inv := range invs {
		ids[i] = inv.InvitedBy
	}
	return h.svc.UserNames(c.Request().Context(), ids)
}

// userName says who the user with the given ID is, from names: their name
// and address, their address alone, or that they were deleted (or are
// not the viewer's to name); "" for no user (ID 0).
func (v *view) userName(names map[int64]invite.UserName, id int64) string {
	if id == 0 {
		return ""
	}
	n, ok := names[id]
	switch {
	case !ok:
		return v.L.T("user_deleted")
	case n.Name == "":
		return n.Email
	}
	return n.Name + " <" + n.Email + ">"
}

// shortUserName is userName for a list's cell: the name alone, or the
// address of a user who has none.
func (v *view) shortUserName(names map[int64]invite.UserName, id int64) string {
	if n, ok := names[id]; ok && n.Name != "" {
		return n.Name
	}
	return v.userName(names, id)
}

// eventRow is an event as a timeline or the Events list shows it, every
// text ready.
type eventRow struct {
	ID       int64
	At       string // in the reader's time zone
	ISO      string // for <time datetime>
	What     string
	Who      string
	Subject  string // the subject's address (the Events list)
	Link     string // the subject's page, or ""
	Details  []eventDetail
	Company  string // the company's name (the Events list of a Global Administrator)
	KindName string // the stable name of the kind
}

// eventKindKey returns the key of the text of a kind of event:
// "event_invitation_created" for "invitation.created".
func eventKindKey(kind string) string {
	return "event_" + strings.ReplaceAll(kind, ".", "_")
}

// eventDetail is one thing of an event's detail: a label and a value,
// which links to URL if it is not "".
type eventDetail struct{ Label, Value, URL string }

// detailOrder is the order of the details that events record; others
// follow by name. Each is labelled event_detail_KEY, or by the key itself
// for one this version does not know.
var detailOrder = []string{
	"changed", "reason", "cause", "setting", "was", "kind", "message", "attempt", "final", "error",
	"next_attempt_at", "expires_at", "times_sent", "user", "batch", "preset", "action", "renamed_from",
	"added", "deleted", "kinds", "seats", "subscription", "allowed_domains", "language", "built_in",
	"open", "token", "name", "prefix", "session", "client",
}

// eventRows makes the rows of evs; companies names companies for a
// viewer who administers several (nil otherwise).
func (v *view) eventRows(evs []*invite.Event, companies map[int64]string, company func(id int64) *invite.Company) []eventRow {
	L := v.L
	rows := make([]eventRow, len(evs))
	whats := map[invite.EventKind]string{}
	for i, e := range evs {
		r := &rows[i]
		*r = eventRow{ID: e.ID, At: L.Date(e.At), ISO: e.At.UTC().Format(time.RFC3339), Subject: e.Email, KindName: string(e.Kind), Company: companies[e.CompanyID]}
		if r.What = whats[e.Kind]; r.What == "" {
			r.What = L.T(eventKindKey(string(e.Kind)))
			whats[e.Kind] = r.What
		}
		switch {
		case e.Actor == invite.ActorInvitee:
			r.Who = L.T("event_actor_invitee")
		case e.Actor == invite.ActorAnonymous:
			r.Who = L.T("event_actor_anonymous")
		case e.Actor == invite.ActorUser && e.ActorEmail != "":
			r.Who = e.ActorEmail
		case e.Actor == invite.ActorUser:
			r.Who = L.T("user_deleted")
		default:
			r.Who = L.T("event_actor_system")
		}
		switch e.Subject {
		case invite.SubjectInvitation:
			r.Link = fmt.Sprintf("/admin/invitations/%d", e.SubjectID)
		case invite.SubjectUser:
			if e.SubjectID != 0 && e.Kind != invite.EventUserDeleted {
				r.Link = fmt.Sprintf("/admin/users/%d/history", e.SubjectID)
			}
		}
		var co *invite.Company
		if company != nil {
			co = company(e.CompanyID)
		}
		r.Details = v.eventDetails(e, co)
	}
	return rows
}

// eventDetails renders an event's detail readably, in the reader's
// language and time zone: each changed field with its old and new value,
// times, statuses, yes and no, and links to what the detail names. co is
// the event's company, which names its business roles and subscriptions
// (nil: they show as their IDs).
func (v *view) eventDetails(e *invite.Event, co *invite.Company) []eventDetail {
	if len(e.Detail) == 0 {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(e.Detail, &m); err != nil || len(m) == 0 {
		return []eventDetail{{Label: v.L.T("event_detail"), Value: string(e.Detail)}}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		ia, ib := slices.Index(detailOrder, a), slices.Index(detailOrder, b)
		switch {
		case ia >= 0 && ib >= 0:
			return ia - ib
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		return strings.Compare(a, b)
	})
	out := make([]eventDetail, 0, len(keys))
	for _, k := range keys {
		if k == "changed" {
			out = append(out, v.changedDetails(m[k], co)...)
			continue
		}
		d := eventDetail{Label: k, Value: detailText(m[k])}
		if slices.Contains(detailOrder, k) {
			d.Label = v.L.T("event_detail_" + k)
		}
		switch k {
		case "final":
			if d.Value == "true" {
				d.Value = v.L.T("event_final_yes")
			} else {
				d.Value = v.L.T("event_final_no")
			}
		case "built_in", "open", "session":
			d.Value = v.yesNo(d.Value == "true")
		case "error":
			d.Value = v.DeliveryError(d.Value)
		case "message":
			if id, err := strconv.ParseInt(d.Value, 10, 64); err == nil && id > 0 {
				d.URL = fmt.Sprintf("/admin/mail/%d", id)
			}
		case "user":
			if id, err := strconv.ParseInt(d.Value, 10, 64); err == nil && id > 0 {
				d.URL = fmt.Sprintf("/admin/users/%d/history", id)
			}
		case "batch":
			if id, err := strconv.ParseInt(d.Value, 10, 64); err == nil && id > 0 {
				d.URL = fmt.Sprintf("%s/%d", bulkPath, id)
			}
		case "kind":
			if s := v.L.T("mail_kind_" + d.Value); s != "mail_kind_"+d.Value {
				d.Value = s
			}
		case "was":
			d.Value = v.L.T("status_" + d.Value)
		case "cause", "setting", "action":
			if s := v.L.T("event_" + k + "_" + d.Value); s != "event_"+k+"_"+d.Value {
				d.Value = s
			}
		case "expires_at", "next_attempt_at":
			d.Value = v.detailTime(d.Value)
		case "subscription":
			if id, err := strconv.ParseInt(d.Value, 10, 64); err == nil && co != nil {
				if sub, ok := co.Subscription(id); ok {
					d.Value = sub.Name
				}
			}
		}
		out = append(out, d)
	}
	return out
}

// changedDetails renders a "changed" detail, {field: {from, to}}, as one
// detail a field, labelled as the forms label it: "old → new".
func (v *view) changedDetails(raw json.RawMessage, co *invite.Company) []eventDetail {
	var changed map[string]struct {
		From json.RawMessage `json:"from"`
		To   json.RawMessage `json:"to"`
	}
	if err := json.Unmarshal(raw, &changed); err != nil {
		return []eventDetail{{Label: v.L.T("event_detail_changed"), Value: detailText(raw)}}
	}
	fields := slices.Sorted(maps.Keys(changed))
	out := make([]eventDetail, 0, len(fields))
	for _, f := range fields {
		ch := changed[f]
		label := f
		if key, ok := changedLabels[f]; ok {
			label = v.L.T(key)
		}
		from, to := v.fieldValue(f, ch.From, co), v.fieldValue(f, ch.To, co)
		out = append(out, eventDetail{Label: label, Value: v.L.T("event_changed_value", "From", from, "To", to)})
	}
	return out
}

// changedLabels are the keys of the labels of the fields a "changed"
// detail names: the forms' own.
var changedLabels = map[string]string{
	"email": "email_address", "first_name": "first_name", "last_name": "last_name",
	"business_role_id": "business_role", "department": "department", "phone": "phone_number",
	"language": "language", "time_zone": "time_zone", "admin_level": "event_field_admin_level",
	"subscriptions": "subscriptions", "access_from": "access_from", "access_until": "access_until",
	"custom_mail": "customize_email", "name": "event_detail_name",
}

// fieldValue renders one value of a changed field; "—" for none.
func (v *view) fieldValue(field string, raw json.RawMessage, co *invite.Company) string {
	text := detailText(raw)
	switch {
	case text == "" || text == `""` || text == "0" && field == "business_role_id":
		return "—"
	case field == "business_role_id" && co != nil:
		if id, err := strconv.ParseInt(text, 10, 64); err == nil {
			if r, ok := co.BusinessRole(id); ok {
				return r.Name
			}
		}
	case field == "subscriptions":
		return v.grantsText(text, co)
	case field == "admin_level":
		return v.L.T("admin_" + text)
	case field == "custom_mail":
		return v.yesNo(text == "true")
	case field == "access_from" || field == "access_until":
		return v.detailTime(text)
	}
	return text
}

// grantsText renders grants written "subscription:role,..." as
// "App Designer (Viewer), ...".
func (v *view) grantsText(text string, co *invite.Company) string {
	var parts []string
	for g := range strings.SplitSeq(text, ",") {
		sub, role, ok := strings.Cut(g, ":")
		if !ok {
			return text
		}
		name := sub
		if id, err := strconv.ParseInt(sub, 10, 64); err == nil && co != nil {
			if s, ok := co.Subscription(id); ok {
				name = s.Name
			}
		}
		parts = append(parts, name+" ("+v.L.T("role_"+role)+")")
	}
	return strings.Join(parts, ", ")
}

// detailTime renders a time of a detail (RFC 3339) in the reader's zone.
func (v *view) detailTime(text string) string {
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		return text
	}
	return v.L.Date(t)
}

// yesNo is yes or no in the reader's language.
func (v *view) yesNo(b bool) string {
	if b {
		return v.L.T("event_yes")
	}
	return v.L.T("event_no")
}

// detailText is a JSON value as text: a string as it is, a list of
// strings joined by commas, anything else as its JSON.
func detailText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, ", ")
	}
	return string(raw)
}

// invitationPageData is an invitation's page: its details and a page of
// its timeline.
type invitationPageData struct {
	Inv      *invite.Invitation
	Company  string
	Details  []eventDetail
	Events   []eventRow
	NextURL  string
	Manage   bool
	Resend   bool
	CancelQ  string
	Timeline string // the timeline's heading
}

// invitationPage shows an invitation with its timeline, oldest first.
func (h *handlers) invitationPage(c echo.Context) error {
	ctx := c.Request().Context()
	inv, err := h.pathInvitation(c)
	if err != nil {
		return err
	}
	after, err := cursorParam(c)
	if err != nil {
		return err
	}
	page, err := h.svc.Events(ctx, invite.EventFilter{InvitationID: inv.ID, After: after})
	if err != nil {
		return err
	}
	names, err := h.svc.UserNames(ctx, []int64{inv.InvitedBy, inv.LastSentBy, inv.AcceptedBy, inv.CanceledBy})
	if err != nil {
		return err
	}
	companies, err := h.companyNames(c, []*invite.Invitation{inv})
	if err != nil {
		return err
	}
	co, err := h.svc.Company(ctx, inv.CompanyID)
	if err != nil {
		return err
	}
	v := h.newView(c, "invitations", "invitation_title", nil)
	L := v.L
	data := &invitationPageData{Inv: inv, Company: companies[inv.CompanyID], Events: v.eventRows(page.Events, nil, oneCompany(co))}
	add := func(label, value string) {
		if value != "" {
			data.Details = append(data.Details, eventDetail{Label: L.T(label), Value: value})
		}
	}
	add("col_email", inv.Email)
	add("col_name", inv.Name())
	add("col_company", data.Company)
	add("col_status", L.T("status_"+string(inv.Status)))
	add("col_invited", L.Date(inv.CreatedAt))
	add("col_invited_by", v.userName(names, inv.InvitedBy))
	add("col_expires", L.Date(inv.ExpiresAt))
	add("col_times_sent", strconv.Itoa(inv.TimesSent))
	add("col_last_sent", L.Date(inv.LastSentAt))
	if inv.LastSentBy != inv.InvitedBy {
		add("col_last_sent_by", v.userName(names, inv.LastSentBy))
	}
	if d := inv.Delivery; d != nil {
		add("col_delivery", strings.TrimSpace(L.T("delivery_"+string(d.State))+" "+v.DeliveryError(d.Error)))
	}
	if w := inv.Access(); !w.IsZero() {
		add("col_access", windowText(L, w, zoneNamed(inv.TimeZone), noTime))
	}
	add("col_accepted", L.Date(inv.AcceptedAt))
	add("col_accepted_by", v.userName(names, inv.AcceptedBy))
	add("col_canceled", L.Date(inv.CanceledAt))
	add("col_canceled_by", v.userName(names, inv.CanceledBy))
	if v.CanManage(inv) {
		data.Resend = inv.Status == invite.StatusPending || inv.Status == invite.StatusExpired
		if inv.Status == invite.StatusPending {
			data.CancelQ = L.T("cancel_confirm", "Email", inv.Email)
		}
	}
	if page.Next != 0 {
		data.NextURL = fmt.Sprintf("/admin/invitations/%d?after=%d", inv.ID, page.Next)
	}
	v.Data = data
	return h.render(c, http.StatusOK, "invitation", "timeline", v)
}

// userHistoryData is a user's history page.
type userHistoryData struct {
	Target  *invite.User
	Deleted bool // the user is deleted: their history stays
	Events  []eventRow
	NextURL string
}

// userHistory shows what happened to a user, oldest first.
func (h *handlers) userHistory(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := userID(c)
	if err != nil {
		return err
	}
	after, err := cursorParam(c)
	if err != nil {
		return err
	}
	u, err := h.svc.User(ctx, id)
	deleted := errors.Is(err, invite.ErrUserNotFound) && userOf(c).AdminLevel == invite.AdminGlobal
	if err != nil && !deleted {
		return err
	}
	page, err := h.svc.Events(ctx, invite.EventFilter{UserID: id, After: after})
	if err != nil {
		return err
	}
	if deleted {
		// A deleted user's history stays, for a Global Administrator: the
		// user as their last event names them.
		if len(page.Events) == 0 && after == 0 {
			return invite.ErrUserNotFound
		}
		u = &invite.User{ID: id}
		if len(page.Events) > 0 {
			u.Email, u.CompanyID = page.Events[0].Email, page.Events[0].CompanyID
		}
	}
	var co *invite.Company
	if u.CompanyID != 0 {
		if co, err = h.svc.Company(ctx, u.CompanyID); err != nil {
			return err
		}
	}
	v := h.newView(c, "users", "user_history_title", nil)
	data := &userHistoryData{Target: u, Deleted: deleted, Events: v.eventRows(page.Events, nil, oneCompany(co))}
	if page.Next != 0 {
		data.NextURL = fmt.Sprintf("/admin/users/%d/history?after=%d", u.ID, page.Next)
	}
	v.Data = data
	return h.render(c, http.StatusOK, "user_history", "timeline", v)
}

// eventsForm is the Events page's form as typed.
type eventsForm struct {
	Company     string
	From, Until string
	Kinds       []string
}

// Has reports whether kind is chosen.
func (f *eventsForm) Has(kind invite.EventKind) bool { return slices.Contains(f.Kinds, string(kind)) }

// query returns the form as a query, for the next page and the exports.
func (f *eventsForm) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"company": f.Company, "from": f.From, "until": f.Until} {
		if v != "" {
			q.Set(k, v)
		}
	}
	for _, k := range f.Kinds {
		q.Add("kind", k)
	}
	return q
}

// eventsData is the Events page.
type eventsData struct {
	Form      *eventsForm
	Companies []*invite.Company // a Global Administrator's to choose from
	Kinds     []invite.EventKind
	Events    []eventRow
	NextURL   string
	CSVURL    string
	JSONLURL  string
	Shown     bool // the list was asked for
}

// KindText names a kind of event in the reader's language.
func (v *view) KindText(k invite.EventKind) string {
	return v.L.T(eventKindKey(string(k)))
}

// parseEventsForm reads the Events form into a filter. Dates are days in
// the reader's time zone, until included; a field that is not what it
// should be is a field error, and nothing is asked of the service then.
func parseEventsForm(c echo.Context, loc *time.Location) (*eventsForm, invite.EventFilter, map[string]*invite.FieldError) {
	qp := c.QueryParams()
	f := &eventsForm{Company: strings.TrimSpace(qp.Get("company")), From: strings.TrimSpace(qp.Get("from")), Until: strings.TrimSpace(qp.Get("until")), Kinds: qp["kind"]}
	var filter invite.EventFilter
	errs := map[string]*invite.FieldError{}
	if f.Company != "" {
		id, err := strconv.ParseInt(f.Company, 10, 64)
		if err != nil || id < 0 {
			errs["company"] = &invite.FieldError{Field: "company", Reason: invite.ReasonUnknownCompany, Message: "no such company"}
		}
		filter.CompanyID = id
	}
	day := func(field, s string, next bool) time.Time {
		if s == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(dayLayout, s, loc)
		if err != nil || d.Year() < 1900 || d.Year() > 9999 {
			errs[field] = &invite.FieldError{Field: field, Reason: invite.ReasonInvalidDate, Message: "must be a date such as 2026-06-30"}
			return time.Time{}
		}
		if next {
			d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
		}
		return d
	}
	filter.From, filter.Until = day("from", f.From, false), day("until", f.Until, true)
	kinds := slices.Clone(f.Kinds) // each once, however often it came
	slices.Sort(kinds)
	for _, k := range slices.Compact(kinds) {
		filter.Kinds = append(filter.Kinds, invite.EventKind(k))
	}
	if len(errs) > 0 {
		return f, filter, errs
	}
	return f, filter, nil
}

// eventsView returns the Events page's view for the form f.
func (h *handlers) eventsView(c echo.Context, f *eventsForm) (*view, *eventsData, error) {
	data := &eventsData{Form: f, Kinds: invite.EventKinds()}
	if userOf(c).AdminLevel == invite.AdminGlobal {
		cs, err := h.svc.Companies(c.Request().Context())
		if err != nil {
			return nil, nil, err
		}
		data.Companies = cs
	}
	return h.newView(c, "events", "events_title", data), data, nil
}

// eventsInvalid answers the Events form with its field errors, 422.
func (h *handlers) eventsInvalid(c echo.Context, f *eventsForm, err error) error {
	errs := fieldErrors(err)
	if errs == nil {
		return err
	}
	if e := errs["kinds"]; e != nil {
		errs["kind"] = e
	}
	v, _, verr := h.eventsView(c, f)
	if verr != nil {
		return verr
	}
	return h.invalid(c, v, errs, "events", "")
}

// events shows the Events page: the form, and with ?show, a page of the
// events it selects, oldest first.
func (h *handlers) events(c echo.Context) error {
	ctx := c.Request().Context()
	v0 := trOf(c)
	f, filter, errs := parseEventsForm(c, v0.tz)
	if errs != nil {
		return h.eventsInvalid(c, f, invalidFields(errs))
	}
	v, data, err := h.eventsView(c, f)
	if err != nil {
		return err
	}
	q := f.query()
	data.CSVURL = "/admin/events/export?" + withParam(q, "format", "csv").Encode()
	data.JSONLURL = "/admin/events/export?" + withParam(q, "format", "jsonl").Encode()
	if c.QueryParam("show") == "" {
		return h.render(c, http.StatusOK, "events", "", v)
	}
	data.Shown = true
	if filter.After, err = cursorParam(c); err != nil {
		return err
	}
	page, err := h.svc.Events(ctx, filter)
	if err != nil {
		return h.eventsInvalid(c, f, err)
	}
	var companies map[int64]string
	byID := map[int64]*invite.Company{}
	if data.Companies != nil {
		companies = make(map[int64]string, len(data.Companies))
		for _, co := range data.Companies {
			companies[co.ID], byID[co.ID] = co.Name, co
		}
	} else if co, err := h.svc.MyCompany(ctx); err == nil {
		byID[co.ID] = co
	}
	data.Events = v.eventRows(page.Events, companies, func(id int64) *invite.Company { return byID[id] })
	if page.Next != 0 {
		next := withParam(q, "show", "1")
		next.Set("after", strconv.FormatInt(page.Next, 10))
		data.NextURL = "/admin/events?" + next.Encode()
	}
	return h.render(c, http.StatusOK, "events", "", v)
}

// withParam returns a copy of q with k set to v.
func withParam(q url.Values, k, v string) url.Values {
	c := url.Values{}
	for key, vs := range q {
		c[key] = slices.Clone(vs)
	}
	c.Set(k, v)
	return c
}

// invalidFields returns errs as the service's invalid input error.
func invalidFields(errs map[string]*invite.FieldError) error {
	e := *invite.ErrInvalidInput
	for _, name := range []string{"company", "from", "until", "kind", "format"} {
		if f := errs[name]; f != nil {
			e.Fields = append(e.Fields, *f)
		}
	}
	return &e
}

// exportColumns are the export's columns, by their stable names (the
// names of the API's and the webhooks' fields), in the CSV's order.
var exportColumns = []string{"id", "at", "kind", "company_id", "actor", "actor_id", "actor_email", "subject", "subject_id", "email", "detail"}

// exportRecord is an event as a line of the JSON Lines export.
type exportRecord struct {
	ID         int64           `json:"id"`
	At         string          `json:"at"`
	Kind       string          `json:"kind"`
	CompanyID  int64           `json:"company_id"`
	Actor      string          `json:"actor"`
	ActorID    int64           `json:"actor_id,omitempty"`
	ActorEmail string          `json:"actor_email,omitempty"`
	Subject    string          `json:"subject"`
	SubjectID  int64           `json:"subject_id,omitempty"`
	Email      string          `json:"email,omitempty"`
	Detail     json.RawMessage `json:"detail,omitempty"`
}

// exportFlushEvery is how many events the export writes between flushes.
const exportFlushEvery = 1000

// exportEvents streams the events the form selects, as CSV or JSON Lines,
// as they are read (Service.EachEvent, a thousand at a time): it never
// holds more than a chunk, whatever the number of events. A form that is
// not right is answered 422 with the form, before anything is sent. The
// export may outlast the request timeout: each flush gives the client
// that long again to take what was sent, and a client that goes away ends
// it.
func (h *handlers) exportEvents(c echo.Context) error {
	loc := trOf(c).tz
	f, filter, errs := parseEventsForm(c, loc)
	format := c.QueryParam("format")
	if format != "csv" && format != "jsonl" {
		if errs == nil {
			errs = map[string]*invite.FieldError{}
		}
		errs["format"] = &invite.FieldError{Field: "format", Reason: invite.ReasonUnknownExportFormat, Message: "must be csv or jsonl"}
	}
	if errs != nil {
		return h.eventsInvalid(c, f, invalidFields(errs))
	}
	// The request's context with its values (the acting user) but not
	// its deadline; the client's going away, or the server's shutting
	// down, still ends it.
	ctx, cancel := context.WithCancel(context.WithoutCancel(c.Request().Context()))
	defer cancel()
	if parent, ok := c.Get(ctxWithoutDeadline).(context.Context); ok {
		defer context.AfterFunc(parent, cancel)()
	}
	timeout := h.cfg.RequestTimeout
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	res := c.Response()
	rc := http.NewResponseController(res)
	var (
		started bool
		buf     *bufio.Writer
		cw      *csv.Writer
		enc     *json.Encoder
		n       int
		cells   = make([]string, len(exportColumns))
	)
	start := func() error {
		started = true
		name := "events-" + time.Now().UTC().Format("20060102-150405") + "." + format
		res.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		res.Header().Set("X-Content-Type-Options", "nosniff")
		res.Header().Set("Cache-Control", "no-store")
		if format == "csv" {
			res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		} else {
			res.Header().Set(echo.HeaderContentType, "application/jsonl; charset=utf-8")
		}
		_ = rc.SetWriteDeadline(time.Now().Add(timeout))
		res.WriteHeader(http.StatusOK)
		buf = bufio.NewWriterSize(res, 32<<10)
		if format == "csv" {
			buf.WriteString("\uFEFF") // spreadsheets read it as UTF-8
			cw = csv.NewWriter(buf)
			return cw.Write(exportColumns)
		}
		enc = json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		return nil
	}
	flush := func() error {
		if cw != nil {
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
		}
		if err := buf.Flush(); err != nil {
			return err
		}
		_ = rc.SetWriteDeadline(time.Now().Add(timeout)) // the client has that long for the next
		return rc.Flush()
	}
	err := h.svc.EachEvent(ctx, filter, func(e *invite.Event) error {
		if !started {
			if err := start(); err != nil {
				return err
			}
		}
		at := e.At.UTC().Format(time.RFC3339Nano)
		if cw != nil {
			cells[0], cells[1], cells[2] = strconv.FormatInt(e.ID, 10), at, string(e.Kind)
			cells[3], cells[4], cells[5] = strconv.FormatInt(e.CompanyID, 10), string(e.Actor), strconv.FormatInt(e.ActorID, 10)
			cells[6], cells[7], cells[8] = spreadsheetSafe(e.ActorEmail), string(e.Subject), strconv.FormatInt(e.SubjectID, 10)
			cells[9], cells[10] = spreadsheetSafe(e.Email), spreadsheetSafe(string(e.Detail))
			if err := cw.Write(cells); err != nil {
				return err
			}
		} else {
			rec := exportRecord{ID: e.ID, At: at, Kind: string(e.Kind), CompanyID: e.CompanyID, Actor: string(e.Actor), ActorID: e.ActorID,
				ActorEmail: e.ActorEmail, Subject: string(e.Subject), SubjectID: e.SubjectID, Email: e.Email, Detail: e.Detail}
			if err := enc.Encode(&rec); err != nil {
				return err
			}
		}
		if n++; n%exportFlushEvery == 0 {
			return flush()
		}
		return nil
	})
	if err != nil && !started {
		if _, ok := asError(err); ok && fieldErrors(err) != nil {
			return h.eventsInvalid(c, f, err)
		}
		return err
	}
	if err != nil {
		// Half sent: the client must not take it for the whole export.
		// Aborting the handler ends the response without its last chunk.
		if !errors.Is(err, context.Canceled) {
			h.cfg.Logger.Error("export of events cut short", "err", err, "events", n)
		}
		panic(http.ErrAbortHandler)
	}
	if !started {
		if err := start(); err != nil {
			return err
		}
	}
	return flush()
}

// oneCompany returns the lookup of eventRows for the events of one
// company, co (nil for none).
func oneCompany(co *invite.Company) func(int64) *invite.Company {
	return func(id int64) *invite.Company {
		if co != nil && co.ID == id {
			return co
		}
		return nil
	}
}
