// The pages' only script: no inline script runs under the
// Content-Security-Policy. Everything here is an enhancement; the pages
// work without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The e-mail field a placeholder button inserts into: the last one used.
  var lastMailField = null;
  document.addEventListener("focusin", function (e) {
    if (e.target.classList && e.target.classList.contains("mail-field")) lastMailField = e.target;
  });

  // "Copy link": the field is selectable without JavaScript too.
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field) return;
    field.select();
    var done = function () {
      var status = document.getElementById("messages");
      if (status) {
        var p = document.createElement("p");
        p.className = "flash";
        p.setAttribute("role", "status");
        p.textContent = button.getAttribute("data-copied");
        status.replaceChildren(p);
      }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-insert]");
    if (!button) return;
    var panel = button.closest(".mail-panel");
    var field = lastMailField && panel && panel.contains(lastMailField) ? lastMailField : panel && panel.querySelector("textarea.mail-field");
    if (!field) return;
    var text = button.getAttribute("data-insert");
    var start = field.selectionStart == null ? field.value.length : field.selectionStart;
    var end = field.selectionEnd == null ? field.value.length : field.selectionEnd;
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    field.focus();
    field.setSelectionRange(start + text.length, start + text.length);
    field.dispatchEvent(new Event("input", { bubbles: true }));
    var touched = field.form && field.form.querySelector("input[name=mail_touched]");
    if (touched) touched.value = "1";
  });

  document.addEventListener("input", function (e) {
    if (e.target.classList && e.target.classList.contains("mail-field")) {
      var touched = e.target.form && e.target.form.querySelector("input[name=mail_touched]");
      if (touched) touched.value = "1";
    }
    if (e.target.id !== "f-password") return;
    var meter = document.getElementById("strength");
    if (!meter) return;
    var pw = e.target.value, min = parseInt(meter.getAttribute("data-min"), 10) || 12;
    var kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter(function (re) { return re.test(pw); }).length;
    var level = pw.length < min ? "weak" : pw.length >= min + 6 || kinds >= 3 ? "strong" : "fair";
    meter.textContent = pw ? meter.getAttribute("data-" + level) : "";
    meter.className = "strength strength-" + (pw ? level : "none");
  });

  // After htmx swaps in a form with errors, take the keyboard to the first.
  document.addEventListener("htmx:afterSwap", function (e) {
    var invalid = e.detail.target.querySelector && e.detail.target.querySelector("[aria-invalid=true]");
    if (invalid) invalid.focus();
  });
})();
