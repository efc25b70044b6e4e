package main

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core's minified build, vendored for the tests only; see
// testdata/axe.LICENSE.txt for its version and licence (MPL-2.0).
//
//go:embed testdata/axe.min.js
var axeSource string

// axeReport is what axeScript answers: the outcome of one axe run, and the
// ids that the document uses more than once.
type axeReport struct {
	Version    string         `json:"version"`
	Passes     int            `json:"passes"`
	Violations []axeViolation `json:"violations"`
	Duplicates []duplicateID  `json:"duplicates"`
}

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

type axeNode struct {
	Target  string `json:"target"`
	HTML    string `json:"html"`
	Summary string `json:"summary"`
}

type duplicateID struct {
	ID       string   `json:"id"`
	Elements []string `json:"elements"`
}

// axeScript runs axe on the whole document and reduces its answer to
// axeReport. It also lists duplicate ids itself: axe 4.x no longer checks
// them by default.
const axeScript = `(async () => {
	const tag = e => { const h = e.outerHTML; return h.slice(0, Math.min(h.indexOf(">") + 1, 200)); };
	const ids = new Map();
	for (const e of document.querySelectorAll("[id]")) {
		if (e.id) ids.set(e.id, [...(ids.get(e.id) || []), tag(e)]);
	}
	const r = await axe.run(document, {resultTypes: ["violations"]});
	return {
		version: r.testEngine.version,
		passes: r.passes.length,
		violations: r.violations.map(v => ({
			id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({
				target: n.target.map(s => Array.isArray(s) ? s.join(" >>> ") : s).join(", "),
				html: n.html.length > 300 ? n.html.slice(0, 300) + "…" : n.html,
				summary: (n.failureSummary || "").replace(/\s+/g, " ").trim(),
			})),
		})),
		duplicates: [...ids].filter(([, es]) => es.length > 1).map(([id, es]) => ({id, elements: es})),
	};
})()`

// checkA11y runs axe-core on the page ctx shows and fails the test with
// every serious or critical violation and every duplicate id; lesser
// violations are logged. what names the page and its state.
func checkA11y(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	// Runtime.evaluate is not subject to the page's Content-Security-Policy;
	// a page that htmx changed in place keeps the axe injected before.
	if !get(t, ctx, what+": look for axe", chromedp.Evaluate[bool](`typeof axe === "object"`)) {
		get(t, ctx, what+": inject axe", chromedp.Evaluate[chromedp.Void](axeSource))
	}
	r := get(t, ctx, what+": run axe", chromedp.Evaluate[axeReport](axeScript, chromedp.EvalAwaitPromise))
	// A run that passed nothing did not look at the page.
	if r.Version == "" || r.Passes == 0 {
		t.Fatalf("%s: axe did not run (version %q, %d rules passed)", what, r.Version, r.Passes)
	}
	for _, v := range r.Violations {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: axe %s [%s]: %s (%s)", what, v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    %s\n      %s\n      %s", n.Target, n.HTML, n.Summary)
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(b.String())
		} else {
			t.Log(b.String())
		}
	}
	for _, d := range r.Duplicates {
		t.Errorf("%s: id %q is used %d times:\n    %s", what, d.ID, len(d.Elements), strings.Join(d.Elements, "\n    "))
	}
}

// overflowReport is what overflowScript answers for a page wider than the
// viewport.
type overflowReport struct {
	ScrollWidth int               `json:"scrollWidth"`
	Viewport    int               `json:"viewport"`
	Elements    []overflowElement `json:"elements"`
}

type overflowElement struct {
	Path  string  `json:"path"`
	HTML  string  `json:"html"`
	Width float64 `json:"width"`
	Right float64 `json:"right"`
}

// overflowScript answers null when the page fits the viewport's width, else
// the elements where the overflow starts (they reach past the viewport,
// their parent does not), rightmost first. Elements inside a box that
// scrolls or clips are left out: they do not widen the page.
const overflowScript = `(() => {
	const root = document.documentElement, viewport = root.clientWidth;
	if (root.scrollWidth <= viewport) return null;
	const tag = e => { const h = e.outerHTML; return h.slice(0, Math.min(h.indexOf(">") + 1, 200)); };
	const name = e => e.localName + (e.id ? "#" + e.id : "") + [...e.classList].map(c => "." + c).join("");
	const path = e => { const p = []; for (; e && e !== root; e = e.parentElement) p.unshift(name(e)); return p.join(" > "); };
	const past = e => e.getBoundingClientRect().right > viewport + 0.5;
	const contained = e => {
		for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
			if (getComputedStyle(a).overflowX !== "visible") return true;
		}
		return false;
	};
	const found = [];
	for (const e of [document.body, ...document.body.querySelectorAll("*")]) {
		const r = e.getBoundingClientRect();
		if (r.width === 0 || !past(e) || (e !== document.body && past(e.parentElement)) || contained(e)) continue;
		found.push({path: path(e), html: tag(e), width: r.width, right: r.right});
	}
	found.sort((a, b) => b.right - a.right);
	return {scrollWidth: root.scrollWidth, viewport, elements: found.slice(0, 10)};
})()`

// checkNoOverflow fails the test when the page ctx shows is wider than the
// viewport, so that a person must scroll sideways, naming the elements that
// make it so.
func checkNoOverflow(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	// clientWidth rather than innerWidth: it leaves out a vertical
	// scroll bar, which would otherwise hide an overflow of its width.
	r := get(t, ctx, what+": measure the width", chromedp.Evaluate[*overflowReport](overflowScript))
	if r == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: the page is %dpx wide in a %dpx viewport; it overflows at:", what, r.ScrollWidth, r.Viewport)
	for _, e := range r.Elements {
		fmt.Fprintf(&b, "\n    %s (%.0fpx wide, right edge at %.0fpx)\n      %s", e.Path, e.Width, e.Right, e.HTML)
	}
	t.Error(b.String())
}

// htmxSettled waits until htmx has had no request, swap or settle going on
// for a moment, as after a page's own loads (a preview) are done.
func htmxSettled() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Evaluate[chromedp.Void](`delete window.__quietSince`),
		chromedp.Poll[chromedp.Void](`(() => {
			const busy = document.readyState !== "complete" || !!document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling");
			if (busy || window.__quietSince === undefined) { window.__quietSince = busy ? undefined : Date.now(); return false; }
			return Date.now() - window.__quietSince >= 300;
		})()`, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)),
	)
}

// viewport is a screen the pages are tried on.
type viewport struct {
	name          string
	width, height int64
	phone         bool
}

// viewports are a desktop's and a phone's.
var viewports = []viewport{
	{"1280px", 1280, 900, false},
	{"375px", 375, 812, true},
}

// use makes b's screen vp, and checks that it is on page (a page of the
// product: one without a viewport of its own is laid out 980px wide on a
// phone).
func (vp viewport) use(t *testing.T, b context.Context, page string) {
	t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateLandscape}
	if vp.phone {
		opts = []chromedp.EmulateViewportOption{chromedp.EmulatePortrait, chromedp.EmulateMobile}
	}
	act(t, b, "set the viewport", chromedp.EmulateViewport(vp.width, vp.height, opts...), chromedp.Navigate(page))
	if w := get(t, b, "measure the viewport", chromedp.Evaluate[int64](`document.documentElement.clientWidth`)); w != vp.width {
		t.Fatalf("the viewport is %dpx wide, want %d", w, vp.width)
	}
}
