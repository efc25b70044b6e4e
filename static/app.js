// The pages' only script: no inline script runs under the
// Content-Security-Policy. Everything here is an enhancement; the pages
// work without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // say puts a confirmation in the page's live region, which stays in
  // place, so that it is announced once.
  function say(text) {
    var box = document.getElementById("messages");
    if (!box) return;
    var p = document.createElement("p");
    p.className = "flash";
    p.textContent = text;
    box.replaceChildren(p);
  }

  // "Copy link": the field is selectable without JavaScript too.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) return;
    field.select();
    var done = function () { say(button.getAttribute("data-copied")); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  });

  // Placeholder buttons insert at the caret of the e-mail field last used,
  // as it was left; into a field not used yet, at its end.
  var lastMailField = null;
  var carets = new WeakMap();
  document.addEventListener("focusout", function (e) {
    var f = e.target;
    if (!f.classList || !f.classList.contains("mail-field")) return;
    lastMailField = f;
    carets.set(f, { start: f.selectionStart, end: f.selectionEnd });
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-insert]");
    if (!button) return;
    var panel = button.closest(".mail-panel");
    if (!panel) return;
    var field = lastMailField && panel.contains(lastMailField) ? lastMailField : panel.querySelector("textarea.mail-field");
    if (!field) return;
    var text = button.getAttribute("data-insert");
    var at = carets.get(field) || { start: field.value.length, end: field.value.length };
    field.value = field.value.slice(0, at.start) + text + field.value.slice(at.end);
    field.focus();
    field.setSelectionRange(at.start + text.length, at.start + text.length);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // fold lowers the case of s as the server's strings.ToLower does: each
  // character by itself, to one character. toLowerCase on the whole text
  // makes "İ" two ("i" and a combining dot) and a final "Σ" "ς", so that
  // a password the server refuses for holding the address looked Strong.
  function fold(s) {
    return Array.from(s, function (ch) { return ch === "\u0130" ? "i" : ch.toLowerCase(); }).join("");
  }

  // The strength of a new password, by the rules the server checks.
  function strength(pw, meter) {
    var n = Array.from(pw).length;
    var name = fold(meter.getAttribute("data-name") || "");
    if (n < (parseInt(meter.getAttribute("data-min"), 10) || 12)) return "weak";
    if (n > (parseInt(meter.getAttribute("data-max"), 10) || 128)) return "long";
    if (name && fold(pw).indexOf(name) >= 0) return "has-name";
    var kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter(function (re) { return re.test(pw); }).length;
    return n >= 18 || kinds >= 3 ? "strong" : "fair";
  }
  document.addEventListener("input", function (e) {
    if (e.target.id !== "f-password") return;
    var meter = document.getElementById("strength");
    if (!meter) return;
    var pw = e.target.value;
    var level = pw ? strength(pw, meter) : "none";
    var text = pw ? meter.getAttribute("data-" + level) : "";
    if (meter.textContent !== text) meter.textContent = text; // announced when it changes only
    meter.className = "strength strength-" + level;
  });

  // Focus after htmx swaps content in. A form sent back with errors takes
  // the keyboard to its first invalid field. Otherwise, when the swap took
  // away the focused element (htmx keeps it when the new content has its
  // id), it goes to the control that asked (a language or company choice),
  // else to the heading of what opened (an editor), else to the first
  // action of the row that came back, else to the new content itself.
  var opener = null;
  // The row the request came from, and its neighbours: when the answer
  // takes the row away (a user deleted), the keyboard goes on to the next
  // row, else the one before, else the page's heading.
  var openerRow = null, rowAfter = null, rowBefore = null;
  // A form's buttons wait while its request runs, so that a second click
  // (or Enter) does not send it again: found from outside, three quick
  // clicks on Resend sent three mails.
  var waiting = [];
  document.addEventListener("htmx:afterRequest", function () {
    waiting.forEach(function (b) { b.disabled = false; });
    waiting = [];
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (!elt || (elt.classList && elt.classList.contains("mail-preview"))) return;
    var form = elt.tagName === "FORM" ? elt : elt.closest && elt.closest("form");
    if (form) {
      form.querySelectorAll("button:not([disabled])").forEach(function (b) {
        b.disabled = true;
        waiting.push(b);
      });
    }
    opener = elt;
    openerRow = elt.closest ? elt.closest("tr[id]") : null;
    rowAfter = openerRow ? openerRow.nextElementSibling : null;
    rowBefore = openerRow ? openerRow.previousElementSibling : null;
    // What the last action said is not about this one.
    var box = document.getElementById("messages");
    if (box && (elt.tagName === "FORM" || elt.tagName === "BUTTON")) box.replaceChildren();
  });
  var focusable = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";
  function rowGone() {
    if (!openerRow || document.getElementById(openerRow.id)) return false;
    openerRow = null;
    var next = [rowAfter, rowBefore].find(function (r) { return r && document.contains(r); });
    var to = next ? next.querySelector(focusable) : null;
    if (!to) {
      var main = document.getElementById("main");
      to = main && main.querySelector("h1");
      if (to && !to.hasAttribute("tabindex")) to.setAttribute("tabindex", "-1");
    }
    if (to) to.focus();
    return true;
  }
  // A swap that leaves nothing in place of the row fires its events on the
  // row, out of the page, where no listener hears them; the message that
  // comes with it is swapped first, in the page, so the check waits for
  // the row's swap.
  document.addEventListener("htmx:oobAfterSwap", function () {
    setTimeout(function () {
      if (openerRow && !document.getElementById(openerRow.id)) rowGone();
    }, 0);
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    if (rowGone()) return;
    // An answer may say where the keyboard goes next, and what to say.
    var marked = document.querySelector("[data-focus-next]");
    if (marked) {
      var next = document.getElementById(marked.getAttribute("data-focus-next"));
      if (marked.hasAttribute("data-say")) say(marked.getAttribute("data-say"));
      marked.removeAttribute("data-focus-next");
      marked.removeAttribute("data-say");
      if (next) return next.focus();
    }
    var root = e.target;
    var invalidField = "[aria-invalid=true]";
    if (root && document.contains(root) && opener && opener.tagName === "FORM") {
      var invalid = root.querySelector(invalidField);
      if (invalid) return invalid.focus();
    }
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    if (!root || !document.contains(root) || root.id === "messages") root = document.getElementById("main");
    if (!root) return;
    var asker = opener && opener.id ? document.getElementById(opener.id) : null;
    var to = root.querySelector(invalidField) ||
      (asker && asker.matches(focusable) ? asker : null) ||
      root.querySelector("[tabindex='-1']:is(h1, h2, h3)") ||
      root.querySelector(".row-actions " + focusable.split(", ").join(", .row-actions "));
    if (!to) {
      to = root;
      if (!to.matches(focusable) && !to.hasAttribute("tabindex")) to.setAttribute("tabindex", "-1");
    }
    to.focus();
  });

  // A page that shows a secret once (a join address) is not shown again
  // from the back-forward cache: it is asked for again, and says it was
  // shown.
  window.addEventListener("pageshow", function (e) {
    if (e.persisted && document.getElementById("join-address")) location.reload();
  });
})();
