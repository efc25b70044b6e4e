package httpui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

// seatsData is a company's seats: their use, and for a Global
// Administrator the numbers being set, as typed, by subscription.
type seatsData struct {
	Company *invite.Company
	Uses    []invite.SeatUse
	Typed   map[int64]string
}

// Value returns the seats of a subscription as the form shows them: as
// typed when the form came back, else as kept ("" for no bound).
func (d *seatsData) Value(u invite.SeatUse) string {
	if s, ok := d.Typed[u.Subscription.ID]; ok {
		return s
	}
	if !u.Limited() {
		return ""
	}
	return strconv.Itoa(u.Subscription.Seats)
}

// seatsPage shows a company's seats to its administrators; a Global
// Administrator sets them there.
func (h *handlers) seatsPage(c echo.Context) error {
	co, err := h.pathCompany(c)
	if err != nil {
		return err
	}
	uses, err := h.svc.Seats(c.Request().Context(), co.ID)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "seats", "", h.newView(c, "users", "seats_title", &seatsData{Company: co, Uses: uses}))
}

// saveSeats sets the seats of every subscription of a company, as a Global
// Administrator typed them (empty: no bound). Every number is checked
// before any is saved.
func (h *handlers) saveSeats(c echo.Context) error {
	co, err := h.pathCompany(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	data := &seatsData{Company: co, Typed: map[int64]string{}}
	v := h.newView(c, "users", "seats_title", data)
	seats := make(map[int64]int, len(co.Subscriptions))
	errs := map[string]*invite.FieldError{}
	for _, s := range co.Subscriptions {
		name := "seats_" + strconv.FormatInt(s.ID, 10)
		typed := strings.TrimSpace(c.FormValue(name))
		data.Typed[s.ID] = typed
		n := 0
		if typed != "" {
			// 0 is no number of seats but no bound, to the service: typed,
			// it is refused, where it was taken for no limit (found from
			// outside). No limit is an empty field.
			if n, err = strconv.Atoi(typed); err != nil || n < 1 || n > invite.MaxSeats {
				errs[name] = &invite.FieldError{Field: name, Reason: invite.ReasonOutOfRange, Args: map[string]any{"Min": 1, "Max": invite.MaxSeats}}
				continue
			}
		}
		seats[s.ID] = n
	}
	if len(errs) == 0 {
		for _, s := range co.Subscriptions {
			if s.Seats == seats[s.ID] {
				continue
			}
			if err := h.svc.SetSeats(ctx, co.ID, s.ID, seats[s.ID]); err != nil {
				return err
			}
		}
	}
	if data.Uses, err = h.svc.Seats(ctx, co.ID); err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.invalid(c, v, errs, "seats", "seats-form")
	}
	data.Typed = nil
	v.Flash = v.L.T("done_seats_saved")
	return h.render(c, http.StatusOK, "seats", "seats-form", v)
}

// withSeats gives v the seats of the company's subscriptions, which the
// grants it shows tell beside each subscription.
func (h *handlers) withSeats(c echo.Context, v *view, companyID int64) error {
	if companyID == 0 {
		return nil
	}
	uses, err := h.svc.Seats(c.Request().Context(), companyID)
	if err != nil {
		return err
	}
	v.Seats = make(map[int64]invite.SeatUse, len(uses))
	for _, u := range uses {
		v.Seats[u.Subscription.ID] = u
	}
	return nil
}

// Seat returns the use of a subscription's seats if it has a number of
// them, nil otherwise.
func (v *view) Seat(subscriptionID int64) *invite.SeatUse {
	if u, ok := v.Seats[subscriptionID]; ok && u.Limited() {
		return &u
	}
	return nil
}
