package httpui

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPIDocument describes every route under apiPrefix; a test holds it
// to the router's routes.
//
//go:embed api/openapi.json
var openAPIDocument []byte

// OpenAPI returns the API's OpenAPI 3.1 document, as served at
// /api/v1/openapi.json.
func OpenAPI() []byte { return append([]byte(nil), openAPIDocument...) }

// openAPI serves the document; it needs no token.
func (h *handlers) openAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/json", openAPIDocument)
}
