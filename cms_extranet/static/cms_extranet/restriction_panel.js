// The restriction panel: the profile boxes only while "Secured" is chosen. Without this
// script they are always there, and the server ignores them for "inherit" and "public".
(function () {
  function update(form) {
    const chosen = form.querySelector("input[name=restriction]:checked");
    const box = form.querySelector("input[name=restriction_profiles]");
    const field = box && (box.closest("[data-field-wrapper]") || box.closest("fieldset"));
    if (field) field.hidden = !chosen || chosen.value !== "profiles";
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "restriction" && event.target.form) update(event.target.form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[name=restriction]").forEach(function (input) {
      if (input.form) update(input.form);
    });
  });
})();
