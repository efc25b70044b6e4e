package httpui

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// joinShownCookie carries a join address just made, from the POST that
// made it to the page that shows it (Post/Redirect/Get: a reload of that
// page must not make another and stop the first), for that page alone.
// It is sealed with a key that only this browser's session gives: the
// session token, of which the database keeps only a hash. So the address
// is in no database and no log, any server instance can open it, and a
// stolen cookie without its session is noise.
const (
	joinShownCookie = "invite_join_address"
	joinShownFor    = 5 * time.Minute
)

// sealKey derives the key of the sealed cookies from the session token.
func sealKey(session string) []byte {
	m := hmac.New(sha256.New, []byte(session))
	m.Write([]byte("invite: join address shown once"))
	return m.Sum(nil)
}

// keepJoinAddress sets the cookie that shows address, of company id, on
// the next page of this session.
func (h *handlers) keepJoinAddress(c echo.Context, id int64, address string) error {
	session, err := c.Cookie(h.cookieName(sessionCookie))
	if err != nil {
		return err
	}
	block, err := aes.NewCipher(sealKey(session.Value))
	if err != nil {
		return err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	plain := strconv.FormatInt(id, 10) + "\n" + address
	sealed := aead.Seal(nonce, nonce, []byte(plain), nil)
	c.SetCookie(&http.Cookie{Name: h.cookieName(joinShownCookie), Value: base64.RawURLEncoding.EncodeToString(sealed),
		Path: "/", HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteStrictMode, MaxAge: int(joinShownFor.Seconds())})
	return nil
}

// takeJoinAddress returns the join address of company id kept by
// keepJoinAddress, and forgets it: it is shown once. It returns "" when
// there is none (shown already, expired, another session's or company's).
func (h *handlers) takeJoinAddress(c echo.Context, id int64) string {
	kept, err := c.Cookie(h.cookieName(joinShownCookie))
	if err != nil {
		return ""
	}
	c.SetCookie(&http.Cookie{Name: h.cookieName(joinShownCookie), Value: "", Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	session, err := c.Cookie(h.cookieName(sessionCookie))
	if err != nil {
		return ""
	}
	plain, err := openSealed(sealKey(session.Value), kept.Value)
	if err != nil {
		return ""
	}
	company, address, ok := strings.Cut(plain, "\n")
	if !ok || company != strconv.FormatInt(id, 10) {
		return ""
	}
	return address
}

func openSealed(key []byte, value string) (string, error) {
	sealed, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		return "", err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	if len(sealed) < aead.NonceSize() {
		return "", errors.New("sealed: too short")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], nil)
	return string(plain), err
}
