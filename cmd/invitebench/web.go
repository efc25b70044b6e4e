package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// newTransport returns the connections every browser of the run shares:
// enough kept open for every client, so that none is dialled per request,
// and never through a proxy the environment may name.
func newTransport(clients int) *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        8 * clients,
		MaxIdleConnsPerHost: 4 * clients,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
}

// browser is one person's browser on the product: its cookies, and the
// CSRF token its pages carry (bound to its session).
type browser struct {
	base   string
	client *http.Client
	csrf   string
}

// requestTimeout bounds a request of a browser. The server answers 503
// after its own timeout (30 s); this only keeps a hung server from hanging
// the run.
const requestTimeout = time.Minute

// logIn logs in through the log-in form, as a browser does without
// JavaScript: the form's page, then its post with the token it carries.
func logIn(ctx context.Context, tr http.RoundTripper, base, email, password string) (*browser, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	b := &browser{base: base, client: &http.Client{
		Jar: jar, Transport: tr, Timeout: requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	page, err := b.page(ctx, "/login")
	if err != nil {
		return nil, err
	}
	f, err := parseForm(page, "/login")
	if err != nil {
		return nil, err
	}
	f.values.Set("email", email)
	f.values.Set("password", password)
	resp, err := b.post(ctx, "/login", f.values, false)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("log in as %s: got %s, want 303 See Other", email, resp.Status)
	}
	return b, nil
}

// logIns logs n browsers in as one person, each with a session of its own,
// as n people sharing an account would.
func logIns(ctx context.Context, tr http.RoundTripper, base, email, password string, n int) ([]*browser, error) {
	bs := make([]*browser, n)
	for i := range bs {
		var err error
		if bs[i], err = logIn(ctx, tr, base, email, password); err != nil {
			return nil, err
		}
	}
	return bs, nil
}

// at returns the browser with its cookies and token, visiting another
// server: another process of the product, which shares its sessions
// through the database. (Cookies are per host, not per port.)
func (b *browser) at(base string) *browser {
	c := *b
	c.base = base
	return &c
}

// page returns the full page at path, which must answer 200.
func (b *browser) page(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return body, nil
}

// visit gets path as page does, reading the answer but keeping none of it:
// what a measured request does.
func (b *browser) visit(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return nil
}

// post posts a form to path, under htmx as htmx 2 posts it (its headers,
// the CSRF token in X-CSRF-Token as the layout's hx-headers says), or as a
// plain browser does. It returns the answer with its body read and closed.
func (b *browser) post(ctx context.Context, path string, form url.Values, htmx bool) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if htmx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Current-URL", b.base+path)
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp, err
}

// form is an HTML form: what submitting it unchanged sends, and the
// values its selects and checkboxes offer, by name.
type form struct {
	id      string
	values  url.Values
	choices map[string][]string
}

// clone returns a copy of the form's values to fill in.
func (f *form) clone() url.Values {
	v := make(url.Values, len(f.values))
	for k, vs := range f.values {
		v[k] = slices.Clone(vs)
	}
	return v
}

// parseForm finds the form of page that posts to action and reads it as a
// browser would submit it: inputs with their values (checkboxes only when
// checked), the selected option of each select (else its first), and the
// text of each textarea; buttons send nothing unless pressed.
func parseForm(page []byte, action string) (*form, error) {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, err
	}
	var found *html.Node
	for n := range doc.Descendants() {
		if n.DataAtom == atom.Form && attr(n, "action") == action && strings.EqualFold(attr(n, "method"), "post") {
			found = n
			break
		}
	}
	if found == nil {
		return nil, fmt.Errorf("no form posting to %s on the page", action)
	}
	f := &form{id: attr(found, "id"), values: url.Values{}, choices: map[string][]string{}}
	for n := range found.Descendants() {
		name := attr(n, "name")
		if n.Type != html.ElementNode || name == "" || hasAttr(n, "disabled") {
			continue
		}
		switch n.DataAtom {
		case atom.Input:
			f.input(n, name)
		case atom.Select:
			f.selection(n, name)
		case atom.Textarea:
			f.values.Add(name, text(n))
		}
	}
	return f, nil
}

func (f *form) input(n *html.Node, name string) {
	value := attr(n, "value")
	switch strings.ToLower(attr(n, "type")) {
	case "submit", "button", "image", "reset", "file":
	case "checkbox", "radio":
		if value == "" {
			value = "on"
		}
		f.choices[name] = append(f.choices[name], value)
		if hasAttr(n, "checked") {
			f.values.Add(name, value)
		}
	default:
		f.values.Add(name, value)
	}
}

func (f *form) selection(n *html.Node, name string) {
	selected := ""
	first := true
	for o := range n.Descendants() {
		if o.DataAtom != atom.Option {
			continue
		}
		v := attr(o, "value")
		if !hasAttr(o, "value") {
			v = strings.TrimSpace(text(o))
		}
		f.choices[name] = append(f.choices[name], v)
		if first || hasAttr(o, "selected") {
			selected, first = v, false
		}
	}
	if len(f.choices[name]) > 0 {
		f.values.Add(name, selected)
	}
}

// choice returns the first non-empty value the select or checkboxes called
// name offer after skip others.
func (f *form) choice(name string, skip int) (string, error) {
	for _, v := range f.choices[name] {
		if v == "" {
			continue
		}
		if skip == 0 {
			return v, nil
		}
		skip--
	}
	return "", fmt.Errorf("the form %q offers too few choices of %s: %q (fields: %v)", f.id, name, f.choices[name], slices.Sorted(maps.Keys(f.values)))
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}

// text returns the text inside n.
func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}
