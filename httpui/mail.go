package httpui

import (
	"net/http"
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
	after, err := cursorParam(c)
	if err != nil {
		return err
	}
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

// mailMessage shows one message. An invitation link in it is shown, to
// copy, only to whoever could have sent it (see invite.Service.Message).
func (h *handlers) mailMessage(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return invite.ErrMessageNotFound
	}
	mv, err := h.svc.Message(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "message", "", h.newView(c, "mail", "message_title", mv))
}
