package httpui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/invitehq/invite/invite"
)

// This file is the JSON API's frame: its routes, its authentication by
// API token (never by cookie), its problem details and its JSON helpers.
// Its handlers, in api_*.go, only translate between JSON and the Service,
// which authorizes and validates as it does for the pages.

// apiPrefix is where the API is served.
const apiPrefix = "/api/v1"

// maxAPIBody bounds a request's JSON body.
const maxAPIBody = 1 << 20

// mountAPI adds the API's routes to e.
func (h *handlers) mountAPI(e *echo.Echo) {
	api := e.Group(apiPrefix, noStore)
	api.GET("/openapi.json", h.openAPI)
	a := api.Group("", h.bearer)
	a.GET("/companies", h.apiCompanies)
	a.GET("/companies/:id", h.apiCompany)
	a.GET("/invitations", h.apiInvitations)
	a.POST("/invitations", h.apiCreateInvitation)
	a.GET("/invitations/:id", h.apiInvitation)
	a.POST("/invitations/:id/resend", h.apiResend)
	a.POST("/invitations/:id/cancel", h.apiCancel)
	a.GET("/users", h.apiUsers)
	a.GET("/users/:id", h.apiUser)
	a.PATCH("/users/:id", h.apiChangeUser)
	a.POST("/users/:id/disable", h.apiSetDisabled(true))
	a.POST("/users/:id/enable", h.apiSetDisabled(false))
	a.DELETE("/users/:id", h.apiDeleteUser)
	a.GET("/events", h.apiEvents)
}

// isAPI reports whether the request is the API's, which errors answer as
// problem details.
func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return p == apiPrefix || strings.HasPrefix(p, apiPrefix+"/")
}

// bearer lets in a request with a live API token in its Authorization
// header, acting as the token's creator as they are stored now. Cookies
// are not looked at: a browser's session never authenticates the API,
// so that another site cannot make a browser call it.
func (h *handlers) bearer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		scheme, secret, _ := strings.Cut(c.Request().Header.Get("Authorization"), " ")
		secret = strings.TrimSpace(secret)
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="invite"`)
			return invite.ErrUnauthorized
		}
		ctx := invite.WithClient(c.Request().Context(), client(c))
		ctx, u, err := h.svc.TokenContext(ctx, secret)
		if errors.Is(err, invite.ErrUnauthorized) {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="invite", error="invalid_token"`)
		}
		if err != nil {
			return err
		}
		c.SetRequest(c.Request().WithContext(ctx))
		c.Set(ctxUser, u)
		return next(c)
	}
}

// problem is an error answer of the API: RFC 9457 problem details, with
// the invite reason and the fields that were wrong.
type problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail,omitempty"`
	Reason string         `json:"reason"`
	Errors []problemField `json:"errors,omitempty"`
}

type problemField struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

// problemType is the type URI of a problem with the given reason.
func problemType(reason string) string { return "urn:invite:problem:" + reason }

// httpReasons names echo's own errors (an unknown route, a wrong method,
// a body too large) by status.
var httpReasons = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusServiceUnavailable:    "unavailable",
}

// maxProblemFields bounds the field errors a problem lists: a body of
// thousands of bad grants is told of the first hundred.
const maxProblemFields = 100

// writeProblem answers err, whose status the error handler decided
// (statusOf), as problem details, in English: an API's clients are
// programs, and reason is what they go by.
func writeProblem(c echo.Context, err error, status int) {
	p := problem{Status: status, Title: http.StatusText(status), Reason: "internal"}
	if e, ok := asError(err); ok && !isEchoError(err) {
		if e.Code != invite.CodeInternal {
			p.Reason = e.Reason
		}
		p.Detail = invite.ErrorMessage(err)
		for _, f := range e.Fields[:min(len(e.Fields), maxProblemFields)] {
			p.Errors = append(p.Errors, problemField{Field: apiField(f.Field), Reason: f.Reason, Detail: f.Message})
		}
	} else if he, ok := errors.AsType[*echo.HTTPError](err); ok {
		if r, ok := httpReasons[he.Code]; ok {
			p.Reason = r
		} else {
			p.Reason = strings.ReplaceAll(strings.ToLower(http.StatusText(he.Code)), " ", "_")
		}
		p.Detail = http.StatusText(he.Code)
	} else {
		p.Detail = invite.ErrorMessage(err)
	}
	p.Type = problemType(p.Reason)
	b, merr := json.Marshal(p)
	if merr != nil {
		_ = c.String(http.StatusInternalServerError, "internal error\n")
		return
	}
	_ = c.Blob(status, "application/problem+json", b)
}

func isEchoError(err error) bool {
	_, ok := errors.AsType[*echo.HTTPError](err)
	return ok
}

// apiFields renames the Service's field names to the API's where they
// differ (an ID's field ends in _id).
var apiFields = regexp.MustCompile(`^(company|business_role)$|^(grants\[\d+\]\.subscription)$`)

func apiField(f string) string {
	return apiFields.ReplaceAllString(f, "${1}${2}_id")
}

// errInvalidJSON is the error of a body that is not the JSON an endpoint
// takes.
func errInvalidJSON(detail string, fields ...invite.FieldError) error {
	return &invite.Error{Code: invite.CodeInvalid, Reason: "invalid_json", Message: "The request body is not valid: " + detail, Fields: fields}
}

// readBody returns the request's body, at most maxAPIBody bytes, which
// must be JSON if there is one.
func readBody(c echo.Context) ([]byte, error) {
	r := c.Request()
	b, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, maxAPIBody))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, echo.ErrStatusRequestEntityTooLarge
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		// A client that sends its body too slowly is answered as the
		// server's own slowness is: 503 with Retry-After, not an error.
		return nil, fmt.Errorf("%w: reading the body: %w", invite.ErrBusy, err)
	}
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, echo.ErrUnsupportedMediaType
	}
	if !utf8.Valid(b) || loneSurrogate(b) {
		// JSON is UTF-8; a decoder would put U+FFFD for what is not.
		return nil, &invite.Error{Code: invite.CodeInvalid, Reason: invite.ReasonInvalidUTF8, Message: "The request body is not valid UTF-8 text."}
	}
	return b, nil
}

// loneSurrogate reports whether b escapes half a UTF-16 surrogate pair
// (as "\ud800" without its other half), which decodes to U+FFFD.
func loneSurrogate(b []byte) bool {
	for i := 0; i+6 <= len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if b[i+1] != 'u' {
			i++ // an escape of another character, "\\" included
			continue
		}
		r, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 32)
		switch {
		case err != nil:
		case r >= 0xdc00 && r <= 0xdfff:
			return true // a low half first
		case r >= 0xd800 && r <= 0xdbff:
			if i+12 > len(b) || b[i+6] != '\\' || b[i+7] != 'u' {
				return true
			}
			lo, err := strconv.ParseUint(string(b[i+8:i+12]), 16, 32)
			if err != nil || lo < 0xdc00 || lo > 0xdfff {
				return true
			}
			i += 11
			continue
		}
		i += 5
	}
	return false
}

// readOptionalJSON decodes the request's body into v if it has one, as
// decodeJSON does; no body leaves v as it is.
func readOptionalJSON(c echo.Context, v any) error {
	b, err := readBody(c)
	if err != nil || b == nil {
		return err
	}
	return decodeJSON(b, v)
}

// decodeJSON decodes b, one JSON object, into v, refusing fields v does
// not have: a field a client misspells is not silently left out.
func decodeJSON(b []byte, v any) error {
	if len(b) == 0 {
		return errInvalidJSON("a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON object")
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return errInvalidJSON("not a JSON object")
	case errors.As(err, &typeErr):
		return errInvalidJSON("a field has the wrong type", invite.FieldError{Field: typeErr.Field, Reason: "invalid_type", Message: "must be " + jsonKind(typeErr.Type)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return errInvalidJSON("an unknown field", invite.FieldError{Field: name, Reason: "unknown_field", Message: "is not a field of this request"})
	}
	return errInvalidJSON("not a JSON object")
}

// jsonKind names the JSON value a Go type takes, for a client: "a
// string", "a list", not Go's name of the type.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "an object"
}

// writeJSON answers v as JSON with status.
func writeJSON(c echo.Context, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.JSONBlob(status, b)
}

// pathID returns the route's ID parameter, or notFound if it is not one.
func pathID(c echo.Context, notFound error) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound
	}
	return id, nil
}

// query reads the query parameters of a list, collecting what is wrong
// in one error.
type query struct {
	c      echo.Context
	fields []invite.FieldError
}

func (q *query) bad(name, reason, msg string) {
	q.fields = append(q.fields, invite.FieldError{Field: name, Reason: reason, Message: msg})
}

// id returns an ID parameter, 0 if absent.
func (q *query) id(name string) int64 {
	s := q.c.QueryParam(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		q.bad(name, "invalid_id", "must be a positive integer")
		return 0
	}
	return n
}

// limit returns the page size, 0 for the default.
func (q *query) limit() int {
	s := q.c.QueryParam("limit")
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > invite.MaxPageSize {
		q.bad("limit", invite.ReasonOutOfRange, fmt.Sprintf("must be 1 to %d", invite.MaxPageSize))
		return 0
	}
	return n
}

// time returns a time parameter, in RFC 3339; zero if absent.
func (q *query) time(name string) time.Time {
	s := q.c.QueryParam(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		q.bad(name, "invalid_time", "must be an RFC 3339 time such as 2026-03-01T09:00:00Z")
	}
	return t.UTC()
}

// numCursor returns a cursor that is a number, as users' and events'
// are; 0 if absent.
func (q *query) numCursor() int64 {
	s := q.c.QueryParam("cursor")
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		q.fields = append(q.fields, invite.FieldError{Field: "cursor", Reason: invite.ErrInvalidCursor.Reason, Message: "is not a cursor of this list"})
		return 0
	}
	return n
}

func (q *query) err() error {
	if len(q.fields) == 0 {
		return nil
	}
	return &invite.Error{Code: invite.CodeInvalid, Reason: invite.ErrInvalidInput.Reason, Message: invite.ErrInvalidInput.Message, Fields: q.fields}
}

// page is a page of a list.
type page[T any] struct {
	Items []T `json:"items"`
	// NextCursor is the cursor of the next page; null on the last.
	NextCursor *string `json:"next_cursor"`
}

func nextCursor(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func numNext(n int64) *string {
	if n == 0 {
		return nil
	}
	return nextCursor(strconv.FormatInt(n, 10))
}

// apiTime is a time in JSON: RFC 3339 in UTC, null when zero.
type apiTime time.Time

func (t apiTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(time.Time(t).UTC().Format(time.RFC3339Nano))
}

// parseTime parses an input time, "" for none.
func parseTime(field, s string, fields *[]invite.FieldError) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		*fields = append(*fields, invite.FieldError{Field: field, Reason: "invalid_time", Message: "must be an RFC 3339 time such as 2026-03-01T09:00:00Z"})
	}
	return t.UTC()
}
