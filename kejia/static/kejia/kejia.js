/* Kejia: small enhancements on top of htmx. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The division picker (reference/_region_picker.html) is reloaded by htmx on every change.
  // A level chosen in the cascade wins over a search typed before it: the search and its
  // matches are cleared first (capture phase, so before htmx reads the values).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.matches("select[data-rp-level]")) return;
    var picker = el.closest("[data-region-picker]");
    if (!picker) return;
    picker.querySelectorAll(".rp-query, .rp-pick").forEach(function (input) { input.value = ""; });
    // Levels below the changed one belong to the old choice.
    var below = false;
    picker.querySelectorAll("select[data-rp-level]").forEach(function (select) {
      if (below) select.value = "";
      if (select === el) below = true;
    });
  }, true);

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    }
  });

  // With DEBUG on, django-htmx's script replaces the whole page with any 4xx answer to an htmx
  // request (to show Django's debug pages). Our 4xx answers to htmx are fragments (a field error,
  // "not found") meant to be swapped in place, so they do not reach that listener on `document`.
  document.body.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.status < 500 && !/^\s*<(!doctype|html)/i.test(xhr.responseText || "")) {
      event.stopPropagation();
    }
  });

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.classList.add("done");
      });
    }
  });
})();
