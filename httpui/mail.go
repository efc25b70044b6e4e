package httpui

import (
	"net/http"
	"regexp"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

type mailData struct {
	Page    *invite.MessagePage
	NextURL string
}

// mail lists the outbox: what was sent, is queued or failed. Without a mail
// server this is where the invitation links are.
func (h *handlers) mail(c echo.Context) error {
	after, _ := strconv.ParseInt(c.QueryParam("after"), 10, 64)
	page, err := h.svc.Messages(c.Request().Context(), invite.MessageFilter{After: after})
	if err != nil {
		return err
	}
	data := &mailData{Page: page}
	if page.Next != 0 {
		data.NextURL = "/admin/mail?after=" + strconv.FormatInt(page.Next, 10)
	}
	return h.render(c, http.StatusOK, "mail", "", h.newView(c, "mail", "mail_title", data))
}

type messageData struct {
	Msg  *invite.Message
	Link string
}

var linkPattern = regexp.MustCompile(`https?://\S+` + regexp.QuoteMeta(invite.AcceptPath) + `[A-Za-z0-9_-]{43}`)

// mailMessage shows one message with its link.
func (h *handlers) mailMessage(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return invite.ErrInvitationNotFound
	}
	page, err := h.svc.Messages(c.Request().Context(), invite.MessageFilter{After: id + 1, Limit: 1})
	if err != nil {
		return err
	}
	if len(page.Messages) == 0 || page.Messages[0].ID != id {
		return echo.ErrNotFound
	}
	m := page.Messages[0]
	data := &messageData{Msg: m, Link: linkPattern.FindString(m.Text)}
	return h.render(c, http.StatusOK, "message", "", h.newView(c, "mail", "message_title", data))
}
