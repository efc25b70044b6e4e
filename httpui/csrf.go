package httpui

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Every request that changes something must pass two checks, each enough
// against forgery on its own in today's browsers:
//
//  1. Fetch Metadata and Origin (net/http's CrossOriginProtection): a
//     browser says when a request comes from another site, and it is
//     refused.
//  2. A token bound to who is asking: the HMAC of the session's token
//     (for someone logged in) or of a random cookie of the browser's (for
//     the log-in, accept and other forms of people not logged in). It
//     is in every form and in htmx's X-CSRF-Token header. Another session's
//     token, or one from before a log-in, does not pass.
//
// Under https the cookies are named with the __Host- prefix, so that no
// other host, a sibling subdomain included, can set them.

// csrfLabel is what the token's HMAC is taken over.
const csrfLabel = "invite csrf token v1"

// csrfTokenBytes is the size of the browser's random cookie.
const csrfTokenBytes = 32

// cookieName returns name as the cookie is called: with the __Host- prefix
// under https.
func (h *handlers) cookieName(name string) string {
	if h.secure {
		return "__Host-" + name
	}
	return name
}

// csrf binds the request's CSRF token (c.Get("csrf")) and checks it on
// every request that is not a safe method.
func (h *handlers) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	origin := http.NewCrossOriginProtection()
	return func(c echo.Context) error {
		req := c.Request()
		key := ""
		if userOf(c) != nil {
			if ck, err := c.Cookie(h.cookieName(sessionCookie)); err == nil {
				key = ck.Value
			}
		}
		if key == "" {
			key = h.browserKey(c)
		}
		mac := hmac.New(sha256.New, []byte(key))
		mac.Write([]byte(csrfLabel))
		want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
		c.Set("csrf", want)
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if err := origin.Check(req); err != nil {
			return echo.ErrForbidden
		}
		got := req.Header.Get("X-CSRF-Token")
		if got == "" {
			got = req.PostFormValue("_csrf")
		}
		if !hmac.Equal([]byte(got), []byte(want)) {
			return echo.ErrForbidden // a missing or wrong token is one answer: the form is stale
		}
		return next(c)
	}
}

// browserKey returns the random key of the browser's CSRF cookie, setting
// a new one if it has none.
func (h *handlers) browserKey(c echo.Context) string {
	name := h.cookieName(csrfCookie)
	if ck, err := c.Cookie(name); err == nil {
		if b, err := base64.RawURLEncoding.DecodeString(ck.Value); err == nil && len(b) == csrfTokenBytes {
			return ck.Value
		}
	}
	b := make([]byte, csrfTokenBytes)
	rand.Read(b) // never fails
	key := base64.RawURLEncoding.EncodeToString(b)
	c.SetCookie(&http.Cookie{
		Name: name, Value: key, Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int((24 * time.Hour).Seconds()),
	})
	return key
}
