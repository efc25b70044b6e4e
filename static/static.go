// Package static holds the files the pages load: htmx, pinned by version in
// its file name, the style sheet and the small script of the pages (no
// inline script: the Content-Security-Policy allows none).
package static

import "embed"

// Files are the static files, served under /static/.
//
//go:embed *.js *.css *.svg
var Files embed.FS

// HTMX is the file name of the vendored htmx.
const HTMX = "htmx-2.0.11.min.js"
