/* Kejia: small enhancements on top of htmx. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setRegion(select) {
    // A choice in the division picker writes its code (or, for "— choose —", the level
    // above) into the picker's code input, and drops the levels below it.
    var picker = select.closest("[data-region-picker]");
    if (!picker) return;
    var input = picker.querySelector("[data-region-value]");
    var label = picker.querySelector("[data-region-label]");
    var option = select.options[select.selectedIndex];
    if (select.value) {
      input.value = select.value;
      label.textContent = option.getAttribute("data-label") || option.textContent;
    } else {
      input.value = select.getAttribute("data-parent") || "";
      label.textContent = select.getAttribute("data-parent-label") || "";
      var next = select.parentElement.querySelector(":scope > .rp-next");
      if (next) next.innerHTML = "";
    }
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    } else if (el.matches("select[data-region-select]")) {
      setRegion(el);
    }
  });

  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el.matches("[data-region-value]")) {
      var label = el.closest("[data-region-picker]").querySelector("[data-region-label]");
      if (label) label.textContent = "";
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
