package httpui

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

// bulkPath is the Invite Users page: its form, and where it is sent.
const bulkPath = "/admin/invitations/bulk"

// bulkPageRows is how many rows a page of a batch's table shows; the
// whole table is in its CSV download.
const bulkPageRows = 200

// bulkData is the Invite Users form: the company (a Global Administrator
// chooses it), the list as pasted, and the defaults for every row.
type bulkData struct {
	Companies []*invite.Company
	Company   *invite.Company
	Form      *invitationForm // the defaults: business role, grants, language, time zone
	List      string
	Preset    string
	// Presets are the company's, which the defaults may name.
	Presets []*invite.Preset
	// Recent are the latest batches, so that one left on its way (the
	// page closed during the dry run or the send) is found again.
	Recent []recentBatch
}

// recentBatch is one line of the latest batches, its texts computed once.
type recentBatch struct {
	ID                         int64
	When, Company, State       string
	Rows, Valid, Invalid, Sent int
}

// recentBatches returns the latest batches the reader sees.
func (h *handlers) recentBatches(c echo.Context, v *view) ([]recentBatch, error) {
	ctx := c.Request().Context()
	bs, err := h.svc.Batches(ctx, 0, 10)
	if err != nil || len(bs) == 0 {
		return nil, err
	}
	var names map[int64]string
	if userOf(c).AdminLevel == invite.AdminGlobal {
		ids := make([]int64, len(bs))
		for i, b := range bs {
			ids[i] = b.CompanyID
		}
		if names, err = h.svc.CompanyNames(ctx, ids); err != nil {
			return nil, err
		}
	}
	out := make([]recentBatch, len(bs))
	for i, b := range bs {
		r := recentBatch{ID: b.ID, When: v.L.Date(b.CreatedAt), Company: names[b.CompanyID], State: v.L.T("bulk_state_" + string(b.State)), Rows: len(b.Outcomes)}
		r.Valid, r.Invalid, r.Sent = b.Counts()
		out[i] = r
	}
	return out, nil
}

// bulkForm shows the Invite Users form.
func (h *handlers) bulkForm(c echo.Context) error {
	d := &bulkData{Form: &invitationForm{CompanyID: formInt(c, "company"), Grants: map[int64]invite.Role{}}}
	v, err := h.bulkView(c, d)
	if err != nil {
		return err
	}
	if d.Recent, err = h.recentBatches(c, v); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "bulk", "", v)
}

// bulkView prepares the form: the companies to choose from and the
// chosen one's lists.
func (h *handlers) bulkView(c echo.Context, d *bulkData) (*view, error) {
	ctx := c.Request().Context()
	f := d.Form
	var err error
	if d.Companies, d.Company, err = h.formCompany(c, f, true); err != nil {
		return nil, err
	}
	if co := d.Company; co != nil {
		if d.Presets, err = h.svc.Presets(ctx, co.ID); err != nil {
			return nil, err
		}
	}
	v := h.newView(c, "invitations", "bulk_title", d)
	if err := h.withSeats(c, v, f.CompanyID); err != nil {
		return nil, err
	}
	return v, nil
}

// checkBulk reads the uploaded file or the pasted list and keeps it as a
// checked batch (the dry run), then shows it: nothing is sent yet. A
// file or list that cannot be read comes back at its field, with why.
func (h *handlers) checkBulk(c echo.Context) error {
	f, err := parseInvitationForm(c)
	if err != nil {
		return err
	}
	action, err := formAction(c, "check", "refresh")
	if err != nil {
		return err
	}
	d := &bulkData{Form: f, List: c.FormValue("list"), Preset: strings.TrimSpace(c.FormValue("preset"))}
	v, err := h.bulkView(c, d)
	if err != nil {
		return err
	}
	if action == "refresh" || d.Company == nil {
		return h.render(c, http.StatusOK, "bulk", "bulk-form", v)
	}
	refuse := func(field, id string, args ...any) error {
		return h.invalid(c, v, map[string]*invite.FieldError{field: {Field: field, Reason: "bulk_" + field, Message: v.L.T(id, args...)}}, "bulk", "bulk-form")
	}
	if errs := bulkDefaultErrors(c, d); errs != nil {
		return h.invalid(c, v, errs, "bulk", "bulk-form")
	}
	var data []byte
	file, ferr := c.FormFile("file")
	switch {
	case ferr == nil && file.Size > 0:
		if strings.TrimSpace(d.List) != "" {
			return refuse("list", "bulk_err_both")
		}
		if file.Size > maxBulkBytes {
			return refuse("file", "bulk_err_too_big", "Max", maxBulkBytes>>20)
		}
		r, err := file.Open()
		if err != nil {
			return err
		}
		data, err = io.ReadAll(io.LimitReader(r, maxBulkBytes+1))
		r.Close()
		if err != nil {
			return err
		}
	case strings.TrimSpace(d.List) == "":
		return refuse("file", "bulk_err_nothing")
	}
	def := bulkDefaults{BusinessRoleID: f.BusinessRoleID, Grants: f.grantList(), Preset: d.Preset, Language: f.Language, TimeZone: f.TimeZone}
	reader := h.texts.bulkReader(d.Company, def)
	var rows []bulkRow
	var berr *bulkError
	field := "file"
	if data != nil {
		rows, berr = reader.readCSV(data)
	} else {
		field = "list"
		rows, berr = reader.readList(d.List)
	}
	if berr != nil {
		return refuse(field, berr.ID, berr.Args...)
	}
	inputs := make([]invite.InvitationInput, len(rows))
	lines := make([]int, len(rows))
	for i, r := range rows {
		inputs[i], lines[i] = r.Input, r.Line
	}
	b, err := h.svc.PrepareBatch(c.Request().Context(), inputs, invite.SourceLines(lines))
	if errs := fieldErrors(err); errs != nil {
		return h.invalid(c, v, errs, "bulk", "bulk-form")
	}
	if err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("%s/%d", bulkPath, b.ID))
}

// bulkDefaultErrors checks the defaults for every row against the chosen
// company, before any row: a Global Administrator names the company, and
// a default business role, subscription, role or language is one there
// is. (A wrong default would refuse every row; the rows' own values are
// the service's to check.)
func bulkDefaultErrors(c echo.Context, d *bulkData) map[string]*invite.FieldError {
	errs := map[string]*invite.FieldError{}
	add := func(field, reason string) {
		errs[field] = &invite.FieldError{Field: field, Reason: reason, Message: reason}
	}
	f, co := d.Form, d.Company
	if userOf(c).AdminLevel == invite.AdminGlobal && formInt(c, "company") != co.ID {
		add("company", invite.ReasonRequired)
	}
	if _, ok := co.BusinessRole(f.BusinessRoleID); f.BusinessRoleID != 0 && !ok {
		add("business_role", invite.ReasonUnknownBusinessRole)
	}
	for id, role := range f.Grants {
		if _, ok := co.Subscription(id); !ok {
			add("grants", invite.ReasonUnknownSubscription)
		} else if !slices.Contains(invite.Roles(), role) {
			add(fmt.Sprintf("role_%d", id), invite.ReasonInvalidRole)
		}
	}
	if f.Language != "" && !slices.Contains(invite.Languages(), f.Language) {
		add("language", invite.ReasonUnsupportedLanguage)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// batchRow is one row of a batch's table, its texts computed once.
type batchRow struct {
	Line    int
	Email   string
	Name    string
	Outcome string // "valid", "sent", "refused", "waiting"
	Label   string
	Reason  string
}

// batchData is a batch's page: its dry run, its progress or its result.
type batchData struct {
	Batch                  *invite.Batch
	Company                string
	Rows                   []batchRow
	Valid, Invalid, Sent   int
	Total, Done, Percent   int
	Refused                bool   // only refused rows are shown
	PrevURL, NextURL, Base string // paging of the table
	From, To, Of           int    // the rows shown
}

// batchID reads the batch of the path.
func batchID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, invite.ErrBatchNotFound
	}
	return id, nil
}

// batch shows a batch: its dry run with the choice of how to send it, its
// progress while it is sent (polled every second under htmx, refreshed by
// the page itself without JavaScript), and its result.
func (h *handlers) batch(c echo.Context) error {
	id, err := batchID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	b, err := h.svc.Batch(ctx, id)
	if err != nil {
		return err
	}
	d := &batchData{Batch: b, Total: len(b.Rows), Done: b.Done, Refused: c.QueryParam("show") == "refused"}
	d.Valid, d.Invalid, d.Sent = b.Counts()
	if d.Total > 0 {
		d.Percent = d.Done * 100 / d.Total
	}
	if names, err := h.svc.CompanyNames(ctx, []int64{b.CompanyID}); err == nil {
		d.Company = names[b.CompanyID]
	}
	v := h.newView(c, "invitations", "bulk_batch_title", d)
	sending := b.State == invite.BatchQueued || b.State == invite.BatchSending
	if sending {
		v.Refresh = 2
	}
	if sending && isHTMX(c) && c.Request().Header.Get("HX-Target") == "batch-progress" {
		return h.render(c, http.StatusOK, "bulk_batch", "batch-progress", v)
	}
	if !sending && isHTMX(c) && c.Request().Header.Get("HX-Target") == "batch-progress" {
		c.Response().Header().Set("HX-Refresh", "true") // done: the whole page shows the result
		return c.NoContent(http.StatusNoContent)
	}
	page, _ := strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	var idx []int
	for i, o := range b.Outcomes {
		if !d.Refused || o.Code != "" {
			idx = append(idx, i)
		}
	}
	d.Of = len(idx)
	// A page past the last is the last (found from outside: a page number
	// near the largest int overflowed the multiplication below into a
	// panic).
	page = min(page, max(1, (len(idx)+bulkPageRows-1)/bulkPageRows))
	from := min((page-1)*bulkPageRows, len(idx))
	to := min(from+bulkPageRows, len(idx))
	d.From, d.To = from+1, to
	for _, i := range idx[from:to] {
		d.Rows = append(d.Rows, v.batchRow(b, i))
	}
	q := url.Values{}
	if d.Refused {
		q.Set("show", "refused")
	}
	d.Base = fmt.Sprintf("%s/%d", bulkPath, b.ID)
	if page > 1 {
		q.Set("page", strconv.Itoa(page-1))
		d.PrevURL = d.Base + "?" + q.Encode()
	}
	if to < len(idx) {
		q.Set("page", strconv.Itoa(page+1))
		d.NextURL = d.Base + "?" + q.Encode()
	}
	return h.render(c, http.StatusOK, "bulk_batch", "", v)
}

// batchRow returns the texts of row i of b, in the reader's language.
func (v *view) batchRow(b *invite.Batch, i int) batchRow {
	in, o := b.Rows[i], b.Outcomes[i]
	r := batchRow{Line: b.Line(i), Email: in.Email, Name: strings.TrimSpace(in.FirstName + " " + in.LastName)}
	switch {
	case o.Code != "":
		r.Outcome, r.Reason = "refused", v.reason(o)
	case o.Sent():
		r.Outcome = "sent"
	case b.State == invite.BatchChecked:
		r.Outcome = "valid"
	case i >= b.Done:
		r.Outcome = "waiting"
	default:
		r.Outcome = "valid"
	}
	r.Label = v.L.T("bulk_outcome_" + r.Outcome)
	return r
}

// reason says why a row was refused: each field's label and message, or
// the error's message.
func (v *view) reason(o invite.RowOutcome) string {
	if len(o.Fields) == 0 {
		return v.L.Error(o.Err())
	}
	parts := make([]string, len(o.Fields))
	for i, f := range o.Fields {
		parts[i] = v.L.Field(&f)
		if label := v.L.T(fieldLabel(f.Field)); label != fieldLabel(f.Field) {
			parts[i] = label + ": " + parts[i]
		}
	}
	return strings.Join(parts, " ")
}

// fieldLabel returns the ID of the text that names an input field of the
// service (grants[1].role is the subscriptions').
func fieldLabel(field string) string {
	switch {
	case strings.HasPrefix(field, "grants"):
		return "subscriptions"
	case field == "email":
		return "email_address"
	case field == "phone":
		return "phone_number"
	case field == "preset":
		return "bulk_col_preset"
	case field == "admin_level":
		return "admin_company"
	}
	return field
}

// confirmBatch sends a checked batch: all its rows or none ("all"), or
// its valid ones ("valid"); any other choice is refused. Sent twice, it
// lands on the same batch, sent once.
func (h *handlers) confirmBatch(c echo.Context) error {
	id, err := batchID(c)
	if err != nil {
		return err
	}
	mode := c.FormValue("mode")
	if mode != "all" && mode != "valid" {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	if _, err := h.svc.ConfirmBatch(c.Request().Context(), id, mode == "all"); err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("%s/%d", bulkPath, id))
}

// batchCSV downloads a batch's rows with their outcomes, in the reader's
// language. A cell a spreadsheet would take for a formula is written as
// text.
func (h *handlers) batchCSV(c echo.Context) error {
	id, err := batchID(c)
	if err != nil {
		return err
	}
	b, err := h.svc.Batch(c.Request().Context(), id)
	if err != nil {
		return err
	}
	v := h.newView(c, "", "bulk_batch_title", nil)
	var buf bytes.Buffer
	buf.WriteString("\uFEFF") // spreadsheets read it as UTF-8
	w := csv.NewWriter(&buf)
	L := v.L
	_ = w.Write([]string{L.T("bulk_col_line"), L.T("email_address"), L.T("first_name"), L.T("last_name"), L.T("bulk_col_outcome"), L.T("bulk_col_reason")})
	for i := range b.Rows {
		r := v.batchRow(b, i)
		in := b.Rows[i]
		row := []string{strconv.Itoa(r.Line), in.Email, in.FirstName, in.LastName, r.Label, r.Reason}
		for j := range row {
			row[j] = spreadsheetSafe(row[j])
		}
		_ = w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="invitations-%d.csv"`, b.ID))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// bulkTemplateCSV downloads an empty file with every column, headed in
// the reader's language, and one example row.
func (h *handlers) bulkTemplateCSV(c echo.Context) error {
	L := trOf(c)
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	head := make([]string, len(bulkColumns))
	for i, col := range bulkColumns {
		head[i] = L.T(bulkLabels[col][0])
	}
	_ = w.Write(head)
	_ = w.Write([]string{"grace.hopper@example.com", "Grace", "Hopper", "", "", "", "en", "America/New_York",
		"App Designer:" + L.T("role_contributor") + ";Data Stream Designer:" + L.T("role_viewer"), "", L.T("bulk_no")})
	w.Flush()
	c.Response().Header().Set("Content-Disposition", `attachment; filename="invite-users.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
