// Package httpui serves the product over HTTP with echo: the health check
// now, and the administration and invitee pages as they are built. Every
// error a handler returns reaches one error handler, which alone decides the
// HTTP status from the error's invite.Code.
package httpui

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

// Config is what the handlers need.
type Config struct {
	// Service runs the invitation lifecycle.
	Service *invite.Service
	// Health reports whether the database answers; /healthz calls it.
	// It is required.
	Health func(ctx context.Context) error
	// Logger receives internal errors; slog.Default() when nil.
	Logger *slog.Logger
}

// New returns an echo instance with every route of the product. Another
// program can serve it as it is, or mount it under its own echo app.
func New(cfg Config) *echo.Echo {
	if cfg.Health == nil {
		panic("httpui: Config.Health is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	h := &handlers{cfg: cfg}
	e.HTTPErrorHandler = h.error
	e.GET("/healthz", h.healthz)
	return e
}

type handlers struct {
	cfg Config
}

// healthTimeout bounds how long /healthz waits for the database.
const healthTimeout = 2 * time.Second

// healthz answers 200 when the database answers and 503 otherwise.
func (h *handlers) healthz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), healthTimeout)
	defer cancel()
	c.Response().Header().Set("Cache-Control", "no-store")
	if err := h.cfg.Health(ctx); err != nil {
		h.cfg.Logger.Warn("health check failed", "err", err)
		return c.String(http.StatusServiceUnavailable, "unavailable\n")
	}
	return c.String(http.StatusOK, "ok\n")
}

// statusOf maps an error code to its HTTP status. It is the only place
// that does.
func statusOf(code invite.Code) int {
	switch code {
	case invite.CodeInvalid:
		return http.StatusUnprocessableEntity
	case invite.CodeNotFound:
		return http.StatusNotFound
	case invite.CodeConflict:
		return http.StatusConflict
	case invite.CodeForbidden:
		return http.StatusForbidden
	case invite.CodeUnauthorized:
		return http.StatusUnauthorized
	case invite.CodeExpired:
		return http.StatusGone
	}
	return http.StatusInternalServerError
}

// error is echo's error handler: it answers with the status of the error's
// code and a user-safe message, and logs only internal errors.
func (h *handlers) error(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg := statusOf(invite.ErrorCode(err)), invite.ErrorMessage(err)
	if he, ok := errors.AsType[*echo.HTTPError](err); ok {
		// echo's own errors: unknown route, wrong method, bad request.
		status, msg = he.Code, http.StatusText(he.Code)
	} else if status == http.StatusInternalServerError {
		h.cfg.Logger.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	if err := c.String(status, msg+"\n"); err != nil {
		h.cfg.Logger.Error("write error response", "err", err)
	}
}
