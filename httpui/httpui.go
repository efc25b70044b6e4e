// Package httpui serves the product's pages with echo and html/template:
// administration (log-in, companies, users, invitations, customised e-mail,
// sent mail) and the invitee's way from the e-mail link to being logged in.
// Every page works as a full page; under htmx it answers with the part that
// changed. No business rule lives here: every decision is the invite
// Service's. Every error a handler returns reaches one error handler, which
// alone decides the HTTP status from the error's invite.Code.
package httpui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/invitehq/invite/invite"
	"github.com/invitehq/invite/static"
)

// Config is what the handlers need.
type Config struct {
	// Service runs the invitation lifecycle. It is required; the pages that
	// its links lead to are served at its Paths, whose Users and
	// Invitations must be DefaultPaths' (New panics otherwise).
	Service *invite.Service
	// Health reports whether the database answers: /readyz calls it when
	// Ready is nil. It is required. (/healthz is liveness: it answers 200
	// while the process serves, whatever the database does, so that an
	// outage of the database restarts no server.)
	Health func(ctx context.Context) error
	// Ready reports whether the database takes a write (store.DB.Ready);
	// /readyz calls it, or Health when it is nil. A load balancer sends
	// traffic to a server that is ready.
	Ready func(ctx context.Context) error
	// BaseURL is the public URL of the server. Under https, cookies are
	// Secure and HSTS is sent.
	BaseURL string
	// Logger receives internal errors; slog.Default() when nil.
	Logger *slog.Logger
	// Panicked, if set, counts a request whose handler panicked and
	// returns the count so far; the panic is logged with its stack and
	// answered 500, and the server goes on.
	Panicked func() int64
	// RequestTimeout is how long a request may take, waiting for a
	// database connection or a turn to check a password included; past it
	// the answer is 503 with Retry-After. DefaultRequestTimeout when 0.
	RequestTimeout time.Duration
	// Metrics, if set with MetricsToken, is served at /metrics to a
	// request with the header "Authorization: Bearer MetricsToken"; any
	// other is answered 401. Without both, /metrics is 404.
	Metrics      http.Handler
	MetricsToken string
	// Observe, if set, is told of every request once it is answered: its
	// method, the pattern of the route that answered it (as
	// "/admin/invitations/:id/resend"; "" when no route did, so that the
	// values are bounded whatever is asked), its status and how long it
	// took. It must not block.
	Observe func(method, route string, status int, took time.Duration)
	// Starting, if set, reports whether the server is still starting (its
	// database being migrated): while it does, /readyz answers 503 and
	// every page invite.ErrStarting (503, Retry-After); /healthz answers
	// as ever, so that a process busy migrating is not taken for dead.
	Starting func() bool
}

// DefaultRequestTimeout is Config.RequestTimeout's default.
const DefaultRequestTimeout = 30 * time.Second

// The cookies, named with the __Host- prefix under https (cookieName).
const (
	sessionCookie = "invite_session"
	csrfCookie    = "invite_csrf"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// New returns an echo instance with every route of the product. Another
// program can serve it as it is, or mount it under its own echo app.
func New(cfg Config) *echo.Echo {
	if cfg.Service == nil {
		panic("httpui: Config.Service is required")
	}
	if cfg.Health == nil {
		panic("httpui: Config.Health is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ps, err := parsePages()
	if err != nil {
		panic(err) // embedded templates; a test parses them
	}
	txt, err := newTexts()
	if err != nil {
		panic(err) // embedded texts; a test loads them
	}
	// The pages that links lead to are where the Service's links say; the
	// administrators' lists are where this package serves them.
	paths := cfg.Service.Paths()
	if d := invite.DefaultPaths(); paths.Users != d.Users || paths.Invitations != d.Invitations {
		panic(fmt.Sprintf("httpui: the Service's Paths.Users and Paths.Invitations are %q and %q; its pages are at %q and %q",
			paths.Users, paths.Invitations, d.Users, d.Invitations))
	}
	secure := strings.HasPrefix(cfg.BaseURL, "https://")
	h := &handlers{cfg: cfg, svc: cfg.Service, pages: ps, texts: txt, secure: secure, zones: timeZones(),
		secretPaths: secretPaths(paths), unservedLog: rate.Sometimes{Interval: time.Second}}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPDirect() // headers can be forged
	e.HTTPErrorHandler = h.error
	if cfg.Observe != nil {
		e.Use(h.observe(e))
	}
	secureHeaders := middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: contentSecurityPolicy,
	}
	if secure {
		secureHeaders.HSTSMaxAge = 31536000
	}
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: true, // the panic becomes an error for h.error
		DisableStackAll:     true,
		StackSize:           16 << 10,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			var total int64
			if cfg.Panicked != nil {
				total = cfg.Panicked()
			}
			cfg.Logger.Error("request panicked", "method", c.Request().Method, "path", h.logPath(c), "err", err, "panics", total, "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.SecureWithConfig(secureHeaders), h.deadline)
	ready := h.cfg.Ready
	if ready == nil {
		ready = h.cfg.Health
	}
	if starting := h.cfg.Starting; starting != nil {
		e.Use(h.whileStarting)
		ready = func(ctx context.Context) error {
			if starting() {
				return invite.ErrStarting
			}
			return h.cfgReady(ctx)
		}
	}
	e.GET("/healthz", h.live)
	e.HEAD("/healthz", h.live)
	e.GET("/readyz", h.probe(ready))
	e.HEAD("/readyz", h.probe(ready))
	e.GET(metricsPath, h.metrics)
	e.StaticFS("/static", static.Files)
	// Browsers ask for /favicon.ico whatever the page names.
	e.GET("/favicon.ico", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, "/static/favicon.svg")
	})

	app := e.Group("", noStore, emptyQuery, h.forms, h.session, h.csrf)
	limit := h.attempt
	app.GET("/", h.root)
	app.GET("/login", h.loginForm)
	app.POST("/login", h.login, limit)
	app.GET("/login/not-yet", h.notYet)
	app.POST("/logout", h.logout)
	app.GET("/home", h.home, h.requireUser)
	app.GET("/profile", h.profile, h.requireUser)
	app.POST("/profile", h.saveProfile, h.requireUser)
	app.GET("/profile/password", h.passwordForm, h.requireUser)
	app.POST("/profile/password", h.changePassword, h.requireUser, limit)
	app.GET("/forgot", h.forgotForm)
	app.POST("/forgot", h.forgot, limit)
	app.GET(paths.RequestToJoin+":key", h.requestForm)
	app.POST(paths.RequestToJoin+":key", h.request, limit)
	app.GET(paths.ResetPassword+":token", h.resetForm)
	app.POST(paths.ResetPassword+":token", h.reset, limit)
	app.GET(paths.AcceptInvitation+":token", h.joinForm)
	app.POST(paths.AcceptInvitation+":token", h.join, limit)
	app.POST(paths.AcceptInvitation+":token/renew", h.renew)

	adm := app.Group("/admin", h.requireAdmin)
	adm.GET("/users", h.users)
	adm.GET("/users/:id/edit", h.editUser)
	adm.POST("/join-requests/:id/approve", h.approve)
	adm.POST("/join-requests/:id/decline", h.decline)
	adm.POST("/companies/:id/join/open", h.openJoin)
	adm.GET("/companies/:id/join", h.joinAddress)
	adm.POST("/companies/:id/join/close", h.closeJoin)
	adm.POST("/users/:id", h.saveUser)
	adm.GET("/users/:id/disable", h.confirmUser("disable"))
	adm.POST("/users/:id/disable", h.setDisabled(true))
	adm.POST("/users/:id/enable", h.setDisabled(false))
	adm.GET("/users/:id/delete", h.confirmUser("delete"), h.requireGlobal)
	adm.POST("/users/:id/delete", h.deleteUser, h.requireGlobal)
	adm.GET("/invitations", h.invitations)
	adm.GET("/invitations/new", h.inviteForm)
	adm.GET(strings.TrimPrefix(bulkPath, "/admin"), h.bulkForm)
	adm.POST(strings.TrimPrefix(bulkPath, "/admin"), h.checkBulk)
	adm.GET(strings.TrimPrefix(bulkPath, "/admin")+"/invite-users.csv", h.bulkTemplateCSV)
	adm.GET(strings.TrimPrefix(bulkPath, "/admin")+"/:id", h.batch)
	adm.POST(strings.TrimPrefix(bulkPath, "/admin")+"/:id/confirm", h.confirmBatch)
	adm.GET(strings.TrimPrefix(bulkPath, "/admin")+"/:id/results.csv", h.batchCSV)
	adm.POST("/invitations", h.createInvitation)
	adm.POST("/invitations/preview", h.preview)
	adm.GET("/invitations/:id", h.invitationPage)
	adm.GET("/invitations/:id/resend", h.resendForm)
	adm.POST("/invitations/:id/resend", h.resend)
	adm.GET("/invitations/:id/cancel", h.cancelForm)
	adm.POST("/invitations/:id/cancel", h.cancel)
	adm.GET("/companies", h.companies, h.requireGlobal)
	adm.POST("/companies", h.createCompany, h.requireGlobal)
	adm.GET("/companies/:id/seats", h.seatsPage)
	adm.POST("/companies/:id/seats", h.saveSeats, h.requireGlobal)
	adm.GET("/companies/:id/terms", h.termsForm)
	adm.POST("/companies/:id/terms", h.saveTerms)
	adm.GET("/companies/:id/domains", h.domainsForm, h.requireGlobal)
	adm.POST("/companies/:id/domains", h.saveDomains, h.requireGlobal)
	adm.GET("/companies/:id/templates/:lang", h.templateForm)
	adm.POST("/companies/:id/templates/:lang", h.saveTemplate)
	adm.GET("/mail", h.mail)
	adm.GET("/mail/:id", h.mailMessage)
	adm.GET("/users/:id/history", h.userHistory)
	adm.GET("/events", h.events)
	adm.GET("/events/export", h.exportEvents)
	adm.GET("/presets", h.presets)
	adm.GET("/presets/new", h.newPreset)
	adm.POST("/presets", h.createPreset)
	adm.GET("/presets/:id/edit", h.editPreset)
	adm.POST("/presets/:id", h.savePreset)
	adm.GET("/presets/:id/delete", h.confirmDeletePreset)
	adm.POST("/presets/:id/delete", h.deletePreset)
	adm.GET("/companies/:id/webhooks", h.webhooks)
	adm.POST("/companies/:id/webhooks", h.createWebhook)
	adm.GET("/webhooks/:id/delete", h.confirmDeleteWebhook)
	adm.POST("/webhooks/:id/delete", h.deleteWebhook)
	h.mountTokens(app)
	h.mountAPI(e)
	return e
}

type handlers struct {
	cfg    Config
	svc    *invite.Service
	pages  pages
	texts  *texts
	secure bool
	zones  []string
	// secretPaths matches the paths of the Service's links: see logPath.
	secretPaths *regexp.Regexp

	// Requests answered 503 are logged at most once a second, with how
	// many there were: a flood of them must not flood the log too.
	unserved    atomic.Int64
	unservedLog rate.Sometimes
}

// Keys of values in the echo context.
const (
	ctxUser = "user"
	ctxTr   = "tr"
)

// session loads the user of the session cookie, puts them in the request's
// context for the service, and picks the language: the user's, or the
// browser's before log-in.
func (h *handlers) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := invite.WithClient(c.Request().Context(), client(c))
		var u *invite.User
		if ck, err := c.Cookie(h.cookieName(sessionCookie)); err == nil {
			var sctx context.Context
			sctx, u, err = h.svc.SessionContext(ctx, ck.Value)
			switch {
			case errors.Is(err, invite.ErrUnauthorized):
				h.clearSession(c)
			case err != nil:
				return err
			default:
				ctx = sctx
			}
		}
		c.SetRequest(c.Request().WithContext(ctx))
		lang, tz := h.texts.negotiate(c.Request()), "UTC"
		if u != nil {
			lang, tz = u.Language, u.TimeZone
			c.Set(ctxUser, u)
		}
		c.Set(ctxTr, h.texts.translator(lang, tz))
		return next(c)
	}
}

func (h *handlers) setSession(c echo.Context, token string) {
	c.SetCookie(&http.Cookie{
		Name: h.cookieName(sessionCookie), Value: token, Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(invite.SessionTTL / time.Second),
	})
}

func (h *handlers) clearSession(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: h.cookieName(sessionCookie), Value: "", Path: "/", HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

func userOf(c echo.Context) *invite.User {
	u, _ := c.Get(ctxUser).(*invite.User)
	return u
}

func trOf(c echo.Context) *tr { return c.Get(ctxTr).(*tr) }

// requireUser sends a visitor who is not logged in to the log-in page.
func (h *handlers) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if userOf(c) == nil {
			return redirect(c, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		return next(c)
	}
}

// requireAdmin lets only administrators through. The service decides again
// on every call; this only spares others a page they cannot use.
func (h *handlers) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return h.requireUser(func(c echo.Context) error {
		if l := userOf(c).AdminLevel; l != invite.AdminGlobal && l != invite.AdminCompany {
			return invite.ErrForbidden
		}
		return next(c)
	})
}

func (h *handlers) requireGlobal(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if userOf(c).AdminLevel != invite.AdminGlobal {
			return invite.ErrForbidden
		}
		return next(c)
	}
}

// attempt counts a submission of a form people guess with against the
// client (invite.Limits.Attempts, kept in the database, so the bound holds
// across processes).
func (h *handlers) attempt(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := h.svc.Attempt(c.Request().Context(), client(c)); err != nil {
			return err
		}
		return next(c)
	}
}

// client names the client for the bounds on guessing: the connection's
// address (behind a proxy every client shares the proxy's), an IPv6 one by
// its /64, which one subscriber usually holds whole.
func client(c echo.Context) string {
	ip, err := netip.ParseAddr(c.RealIP())
	if err != nil {
		return c.RealIP()
	}
	if ip.Is6() && !ip.Is4In6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.Unmap().String()
}

// newView returns the view of the request with the page's navigation entry.
func (h *handlers) newView(c echo.Context, nav, title string, data any) *view {
	v := &view{L: trOf(c), User: userOf(c), Nav: nav, Data: data, Paths: h.svc.Paths(), zones: h.zones}
	v.Title = v.L.T(title)
	if tok, ok := c.Get("csrf").(string); ok {
		v.CSRF = tok
	}
	// A redirect names what was done (?done=user_saved); the texts that
	// name a person take data that a redirect does not carry.
	if done := c.QueryParam("done"); done != "" && !namesSomeone(done) {
		if s := v.L.T("done_" + done); s != "done_"+done {
			v.Flash = s
		}
	}
	return v
}

// namesSomeone reports whether the confirmation done names a person or an
// address, which only an answer under htmx knows.
func namesSomeone(done string) bool {
	return strings.HasSuffix(done, "_name") || strings.HasSuffix(done, "_email")
}

// emptyQuery sends a GET whose URL ends in an empty query ("?": a form
// without fields sent by GET, as the no-JS Disable, Delete and Cancel
// buttons are) to the same URL without it.
func emptyQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method == http.MethodGet && r.URL.ForceQuery && r.URL.RawQuery == "" {
			return c.Redirect(http.StatusSeeOther, r.URL.EscapedPath())
		}
		return next(c)
	}
}

// healthTimeout bounds how long /healthz waits for the database.
const healthTimeout = 2 * time.Second

// probe answers 200 when check passes within healthTimeout and 503
// otherwise: /healthz (the database answers) and /readyz (it takes a
// write).
func (h *handlers) probe(check func(context.Context) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), healthTimeout)
		defer cancel()
		c.Response().Header().Set("Cache-Control", "no-store")
		if err := check(ctx); err != nil {
			if !errors.Is(err, invite.ErrStarting) {
				h.cfg.Logger.Warn("health check failed", "path", c.Path(), "err", err)
			}
			c.Response().Header().Set("Retry-After", retryAfter)
			return c.String(http.StatusServiceUnavailable, "unavailable\n")
		}
		return c.String(http.StatusOK, "ok\n")
	}
}

// live answers /healthz: the process serves.
func (h *handlers) live(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.String(http.StatusOK, "ok\n")
}

// cfgReady is the readiness check of the configuration: Ready, or
// Health.
func (h *handlers) cfgReady(ctx context.Context) error {
	if h.cfg.Ready != nil {
		return h.cfg.Ready(ctx)
	}
	return h.cfg.Health(ctx)
}

// whileStarting answers ErrStarting to every request but the probes
// while Config.Starting says the server is starting.
func (h *handlers) whileStarting(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; p == "/healthz" || p == "/readyz" || !h.cfg.Starting() {
			return next(c)
		}
		return invite.ErrStarting
	}
}

// noStore keeps every answer of the pages out of caches: each is
// someone's (their data, a form with its token, a link's invitation).
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// secretPaths matches the paths whose last part is a secret: an
// invitation's or a reset link's token, a join page's key.
func secretPaths(p invite.Paths) *regexp.Regexp {
	return regexp.MustCompile("^(" + regexp.QuoteMeta(p.AcceptInvitation) + "|" + regexp.QuoteMeta(p.ResetPassword) + "|" + regexp.QuoteMeta(p.RequestToJoin) + ")[^/?#]+")
}

// logPath returns the request's path for a log line, with its secret, if it
// has one, replaced: logs are read by more people than links are sent to.
func (h *handlers) logPath(c echo.Context) string {
	return h.secretPaths.ReplaceAllString(c.Request().URL.Path, "${1}[redacted]")
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
	case invite.CodeLimited:
		return http.StatusTooManyRequests
	case invite.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// retryAfter is what a 503 tells the client to wait, in seconds.
const retryAfter = "5"

// error is echo's error handler. It answers with the status of the error's
// code and a translated, user-safe message: a page, or under htmx a message
// swapped into the page's message area. Only internal errors are logged.
func (h *handlers) error(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		// Out of time for this request (the client may be gone): the
		// server is too busy, or the database too slow, to answer now.
		err = fmt.Errorf("%w: %w", invite.ErrBusy, err)
	}
	status := statusOf(invite.ErrorCode(err))
	switch status {
	case http.StatusServiceUnavailable:
		c.Response().Header().Set("Retry-After", retryAfter)
		h.unserved.Add(1)
		h.unservedLog.Do(func() {
			h.cfg.Logger.Warn("requests not served", "count", h.unserved.Swap(0), "method", c.Request().Method, "path", h.logPath(c), "err", err)
		})
	case http.StatusTooManyRequests:
		if e, ok := asError(err); ok && e.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
		}
	}
	he, isHTTP := errors.AsType[*echo.HTTPError](err)
	if isHTTP {
		status = he.Code // echo's own: unknown route, wrong method, CSRF
	} else if status == http.StatusInternalServerError {
		h.cfg.Logger.Error("request failed", "method", c.Request().Method, "path", h.logPath(c), "err", err)
	}
	if isAPI(c) {
		writeProblem(c, err, status) // JSON for programs (api.go)
		return
	}
	t, _ := c.Get(ctxTr).(*tr)
	if t == nil {
		t = h.texts.translator(h.texts.negotiate(c.Request()), "UTC")
		c.Set(ctxTr, t)
	}
	msg := t.Error(err)
	if isHTTP {
		msg = t.T(fmt.Sprintf("http_%d", status))
		if strings.HasPrefix(msg, "http_") {
			msg = http.StatusText(status)
		}
		if status == http.StatusRequestEntityTooLarge && uploadForms[c.Path()] {
			msg = t.T("bulk_err_too_big", "Max", maxBulkBytes>>20)
		}
	}
	if p := c.Request().URL.Path; strings.HasPrefix(p, "/healthz") || strings.HasPrefix(p, "/static/") || p == metricsPath {
		_ = c.String(status, msg+"\n")
		return
	}
	v := h.newView(c, "", "error_title", nil)
	v.Problem, v.Status = msg, status
	if isHTMX(c) {
		c.Response().Header().Set("HX-Retarget", "#messages")
		c.Response().Header().Set("HX-Reswap", "innerHTML")
	}
	if err := h.render(c, status, "error", "messages", v); err != nil {
		h.cfg.Logger.Error("render error page", "err", err)
		_ = c.String(status, msg+"\n")
	}
}
