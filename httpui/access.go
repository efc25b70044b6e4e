package httpui

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

// Access windows on the pages: the forms take dates (YYYY-MM-DD, what an
// <input type="date"> sends) read in the invitee's or user's time zone;
// the service takes instants. From is the start of its day, until the
// start of the day after it: the last day is included.

const dayLayout = "2006-01-02"

// windowZones keeps the zones that windows are shown and read in.
var windowZones invite.Zones

// zoneNamed returns the time zone of name, or UTC if there is none.
func zoneNamed(name string) *time.Location {
	if name != "" {
		if loc, err := windowZones.Load(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// zone is zoneNamed.
func (h *handlers) zone(name string) *time.Location { return zoneNamed(name) }

// windowDates returns the form's dates of w in loc: the day from starts
// on, and the last day until covers; "" for no bound.
func windowDates(w invite.AccessWindow, loc *time.Location) (from, until string) {
	if !w.From.IsZero() {
		from = w.From.In(loc).Format(dayLayout)
	}
	if !w.Until.IsZero() {
		until = w.Until.Add(-time.Nanosecond).In(loc).Format(dayLayout)
	}
	return from, until
}

// parseWindow reads the form's dates in loc. A date that is no date is a
// field error ("invalid_date"); nothing is sent to the service then.
func parseWindow(from, until string, loc *time.Location) (invite.AccessWindow, map[string]*invite.FieldError) {
	var w invite.AccessWindow
	errs := map[string]*invite.FieldError{}
	day := func(field, s string, next bool) time.Time {
		if s == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(dayLayout, s, loc)
		if err != nil || d.Year() < 1900 || d.Year() > 9999 {
			errs[field] = &invite.FieldError{Field: field, Reason: invite.ReasonInvalidDate, Message: "must be a date such as 2026-06-30"}
			return time.Time{}
		}
		if next { // the start of the next day, whatever its length
			d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
		}
		return d
	}
	w.From = day("access_from", from, false)
	w.Until = day("access_until", until, true)
	if len(errs) > 0 {
		return w, errs
	}
	return w, nil
}

// invalidInput returns errs as the service's invalid input error.
func invalidInput(errs map[string]*invite.FieldError) error {
	e := *invite.ErrInvalidInput
	for _, name := range []string{"access_from", "access_until"} {
		if f := errs[name]; f != nil {
			e.Fields = append(e.Fields, *f)
		}
	}
	return &e
}

// formZone returns the time zone the invitation form's dates are read
// in: the invitee's as typed, or their company's by default.
func (h *handlers) formZone(c echo.Context, f *invitationForm, companyID int64) *time.Location {
	if f.TimeZone != "" {
		if loc, err := windowZones.Load(f.TimeZone); err == nil {
			return loc
		}
	}
	if companyID == 0 {
		companyID = userOf(c).CompanyID
	}
	if companyID != 0 {
		if co, err := h.svc.Company(c.Request().Context(), companyID); err == nil {
			return h.zone(co.TimeZone)
		}
	}
	return time.UTC
}

// withWindow adds the form's access window to in, read in the form's
// time zone; a date that is no date is the error to answer.
func (h *handlers) withWindow(c echo.Context, f *invitationForm, in *invite.InvitationInput, companyID int64) error {
	w, errs := parseWindow(f.AccessFrom, f.AccessUntil, h.formZone(c, f, companyID))
	if errs != nil {
		return invalidInput(errs)
	}
	in.AccessFrom, in.AccessUntil = w.From, w.Until
	return nil
}

// windowText says a window compactly, with dates in loc, for a list:
// "" when it bounds nothing. With now, it says whether the window has
// ended or not started yet.
func windowText(L *tr, w invite.AccessWindow, loc *time.Location, now time.Time) string {
	if w.IsZero() {
		return ""
	}
	day := func(t time.Time) string { return t.In(loc).Format(L.T("day_layout")) }
	var s string
	switch {
	case w.From.IsZero():
		s = L.T("access_until_day", "Until", day(w.Until.Add(-time.Nanosecond)))
	case w.Until.IsZero():
		s = L.T("access_from_day", "From", day(w.From))
	default:
		s = L.T("access_from_until", "From", day(w.From), "Until", day(w.Until.Add(-time.Nanosecond)))
	}
	switch {
	case now.IsZero():
	case !w.Until.IsZero() && !now.Before(w.Until):
		s += " · " + L.T("access_ended")
	case !w.From.IsZero() && now.Before(w.From):
		s += " · " + L.T("access_not_started")
	}
	return s
}

// UserWindow says a user's access window in their time zone, for the
// Users page.
func (d *usersData) UserWindow(v *view, u *invite.User) string {
	return windowText(v.L, u.Access(), d.zone(u.TimeZone), d.now)
}

// UserDates returns the editor's dates of a user's window, in their time
// zone: as sent, when the form is sent back.
func (d *usersData) UserDates(u *invite.User, sent *invitationForm) []string {
	if sent != nil {
		return []string{sent.AccessFrom, sent.AccessUntil}
	}
	from, until := windowDates(u.Access(), d.zone(u.TimeZone))
	return []string{from, until}
}

// notYetData is the page that says when access starts.
type notYetData struct {
	At      string // when access starts, in the user's language and time zone
	Zone    string
	Welcome bool // just registered
}

// notYetURL is the page that says that access starts at at.
func notYetURL(at time.Time, welcome bool) string {
	q := url.Values{"at": {strconv.FormatInt(at.Unix(), 10)}, "zone": {at.Location().String()}}
	if welcome {
		q.Set("welcome", "1")
	}
	return "/login/not-yet?" + q.Encode()
}

// notYet says when a user's access starts: after a log-in before it, or
// right after registering. What it shows comes from its URL and is no
// secret; the log-in told it only to someone who knew the password.
func (h *handlers) notYet(c echo.Context) error {
	sec, err := strconv.ParseInt(c.QueryParam("at"), 10, 64)
	if err != nil || sec <= 0 || sec > 253402300799 {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	loc := h.zone(c.QueryParam("zone"))
	L := trOf(c)
	at := time.Unix(sec, 0).In(loc)
	data := &notYetData{At: at.Format(L.T("date_layout")), Zone: loc.String(), Welcome: c.QueryParam("welcome") == "1"}
	return h.render(c, http.StatusOK, "not_yet", "", h.newView(c, "", "not_yet_title", data))
}

// noTime is the zero time: a window shown without whether it has ended.
var noTime time.Time

// Window says the access window the invitation gives, with its days in
// the invitee's time zone; "" if it gives none.
func (d *joinData) Window(L *tr) string {
	if d.View == nil || d.View.Invitation == nil {
		return ""
	}
	inv := d.View.Invitation
	return windowText(L, inv.Access(), zoneNamed(inv.TimeZone), noTime)
}
