// Follows and unfollows in place; without this script the forms post and come back.
(function () {
  if (window.extranetFollow) return;
  window.extranetFollow = true;

  document.addEventListener("submit", async function (event) {
    const form = event.target.closest("[data-follow-toggle]");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("button");
    const input = form.querySelector("input[name=volgen]");
    const status = (form.closest("section") || form).querySelector("[data-follow-status]");
    // Busy, not disabled: a disabled button loses the keyboard focus (WCAG 2.4.3).
    if (button.getAttribute("aria-disabled") === "true") return;
    button.setAttribute("aria-disabled", "true");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(response.status);
      const result = await response.json();
      const label = result.following ? button.dataset.labelFollowing : button.dataset.labelNotFollowing;
      input.value = result.following ? "0" : "1";
      const text = button.querySelector("[data-follow-label]");
      if (text) {
        text.textContent = label;
        button.dataset.following = String(result.following);
      } else {
        button.setAttribute("aria-label", label);
      }
      const row = form.closest("[data-follow-row]");
      if (row) row.classList.toggle("is-removed", !result.following);
      if (status) status.textContent = result.message;
    } catch (error) {
      if (status) status.textContent = button.dataset.labelFailed;
    } finally {
      button.removeAttribute("aria-disabled");
    }
  });
})();
