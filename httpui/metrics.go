package httpui

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// metricsPath is where Config.Metrics is served to a request that carries
// Config.MetricsToken.
const metricsPath = "/metrics"

// metrics serves Config.Metrics to a request with the bearer token
// Config.MetricsToken, and answers 401 to any other. Without a handler or a
// token it is not served at all: 404, as for a page that does not exist.
// A session does not let anyone in; the token is compared in constant time.
func (h *handlers) metrics(c echo.Context) error {
	if h.cfg.Metrics == nil || h.cfg.MetricsToken == "" {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if !bearerIs(c.Request(), h.cfg.MetricsToken) {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
		return c.String(http.StatusUnauthorized, "unauthorized\n")
	}
	h.cfg.Metrics.ServeHTTP(c.Response(), c.Request())
	return nil
}

// bearerIs reports whether r carries the bearer token want. The tokens are
// compared by their hashes, so that the time taken tells nothing of
// either's length.
func bearerIs(r *http.Request, want string) bool {
	scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	g, w := sha256.Sum256([]byte(strings.TrimSpace(got))), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// observe tells Config.Observe of every request once it is answered: its
// method, the pattern of the route that answered it ("" when none did:
// a path of no route, or a method the path does not take), its status and
// how long it took. An error is answered here, by the error handler, so
// that its status is known. The routes are those of e at the first
// request, so that routes a program adds to what New returns count too.
func (h *handlers) observe(e *echo.Echo) echo.MiddlewareFunc {
	routes := sync.OnceValue(func() map[string]bool {
		m := map[string]bool{}
		for _, r := range e.Routes() {
			m[r.Method+" "+r.Path] = true
		}
		return m
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
				c.Error(err)
			}
			route := c.Path()
			if !routes()[c.Request().Method+" "+route] {
				route = ""
			}
			h.cfg.Observe(c.Request().Method, route, c.Response().Status, time.Since(start))
			return nil
		}
	}
}
