// After an action, focus goes to what came of it: the sentence why a form was refused, else the page's notice of
// what was done. Long actions (import, propose, post, close): on submit the button is disabled and says "Working…"
// until the next page arrives. Without JavaScript the form simply posts.
(function () {
  const status = document.getElementById("page-status");
  // reading and tabbing start at the outcome, not at the top of the page
  const outcome = document.querySelector("main .error[role=alert]") || document.querySelector("main [data-focus]");
  if (outcome) {
    outcome.tabIndex = -1;
    outcome.focus();
  }
  // said once: a reload or a bookmark of this address does not announce the action again
  const address = new URL(window.location.href);
  if (address.searchParams.has("done")) {
    address.searchParams.delete("done");
    window.history.replaceState(window.history.state, "", address);
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
