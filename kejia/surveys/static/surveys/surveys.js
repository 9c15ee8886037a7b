// Conditional display on the answering page: a question with data-show-if="q3:0,2" shows only
// while question q3 has one of those answers. The server applies the same rule on submission.
(function () {
  function values(form, key) {
    var out = [];
    form.querySelectorAll('[name="' + key + '"]').forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value !== "") out.push(String(el.value));
    });
    return out;
  }
  function update(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      var parts = box.getAttribute("data-show-if").split(":");
      var source = form.querySelector('[data-key="' + parts[0] + '"]');
      var wanted = parts[1].split(",");
      var shown = !(source && source.classList.contains("sv-hidden")) && values(form, parts[0]).some(function (v) { return wanted.indexOf(v) >= 0; });
      box.classList.toggle("sv-hidden", !shown);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-survey]").forEach(function (form) {
      form.querySelectorAll(".sv-condition").forEach(function (el) { el.hidden = true; });
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  });
})();
