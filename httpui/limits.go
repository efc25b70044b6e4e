package httpui

import (
	"context"
	"errors"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"
)

// Bounds of what a form may send. The forms that carry an e-mail template
// (10,000 characters of body, each up to 4 bytes of UTF-8 and 3 characters
// of URL encoding per byte) get more room than the rest.
const (
	maxFormBytes     = 64 << 10
	maxTemplateBytes = 256 << 10
)

// templateForms are the routes whose forms carry an e-mail template.
var templateForms = map[string]bool{
	"/admin/invitations":                   true,
	"/admin/invitations/preview":           true,
	"/admin/invitations/:id/resend":        true,
	"/admin/companies/:id/templates/:lang": true,
}

// forms reads the form of every request that changes something, before
// anything else looks at it: only what the pages' forms send is accepted
// (application/x-www-form-urlencoded, else 415), within the route's bound
// (else 413), and well formed (else 400). Nothing past the bound is read.
func (h *handlers) forms(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
		if err == nil && mt == "multipart/form-data" && uploadForms[c.Path()] {
			return uploadForm(c, next)
		}
		if err != nil || mt != "application/x-www-form-urlencoded" {
			return echo.NewHTTPError(http.StatusUnsupportedMediaType)
		}
		limit := int64(maxFormBytes)
		if templateForms[c.Path()] {
			limit = maxTemplateBytes
		}
		if req.ContentLength > limit {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		if err := req.ParseForm(); err != nil {
			if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
			}
			return echo.NewHTTPError(http.StatusBadRequest)
		}
		return next(c)
	}
}

// uploadForms are the routes whose forms upload a file.
var uploadForms = map[string]bool{bulkPath: true}

// uploadForm reads a form that uploads a file, as forms reads the others:
// an upload past maxBulkBytes (and the form's own room) is refused, 413,
// before it is read, and nothing past the bound is read. Files up to the
// bound are kept in memory: the bound is small.
func uploadForm(c echo.Context, next echo.HandlerFunc) error {
	req := c.Request()
	limit := int64(maxBulkBytes + maxFormBytes)
	if req.ContentLength > limit {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
	if err := req.ParseMultipartForm(limit); err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	return next(c)
}

// deadline gives every request RequestTimeout to be answered in, so that a
// database that does not answer, or a queue of log-ins, ends in 503 rather
// than in requests that hang on.
// ctxWithoutDeadline is the key under which deadline keeps the request's
// context as it was: the export of events streams for as long as it takes,
// ended by the client's going away rather than by the request timeout.
const ctxWithoutDeadline = "ctx-without-deadline"

func (h *handlers) deadline(next echo.HandlerFunc) echo.HandlerFunc {
	timeout := h.cfg.RequestTimeout
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	return func(c echo.Context) error {
		c.Set(ctxWithoutDeadline, c.Request().Context()) // for the export of events, which may take longer
		ctx, cancel := context.WithTimeout(c.Request().Context(), timeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}
