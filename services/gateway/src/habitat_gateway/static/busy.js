// After a refused form, focus goes to the sentence why. Long actions (import, propose, post, close): on submit the
// button is disabled and says "Working…" until the next page arrives. Without JavaScript the form simply posts.
(function () {
  const status = document.getElementById("page-status");
  // a form that came back refused: reading and tabbing start at the sentence why, not at the top of the page
  const refusal = document.querySelector("main .error[role=alert]");
  if (refusal) {
    refusal.tabIndex = -1;
    refusal.focus();
  }
  document.querySelectorAll("form[data-busy]").forEach((form) => {
    form.addEventListener("submit", () => {
      const button = form.querySelector("button[type=submit]");
      if (!button || button.disabled) return;
      // disabled after this event so the submission itself is not cancelled
      setTimeout(() => {
        button.dataset.label = button.textContent;
        button.disabled = true;
        button.textContent = "Working…";
        form.setAttribute("aria-busy", "true");
        if (status) status.textContent = form.dataset.busy || "Working…";
      }, 0);
    });
  });
  // a page restored from the back/forward cache must not keep a dead button
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-busy] button[data-label]").forEach((button) => {
      button.disabled = false;
      button.textContent = button.dataset.label;
      button.closest("form").removeAttribute("aria-busy");
    });
    if (status) status.textContent = "";
  });
})();
