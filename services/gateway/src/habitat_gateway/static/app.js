// Live regions refresh without a reload; the submit form shows only the fields of its type.
(function () {
  const live = document.getElementById("live");
  if (live) {
    const seconds = Number(live.dataset.refreshSeconds || 15);
    let shown = null;
    setInterval(async () => {
      const response = await fetch(live.dataset.liveUrl, { credentials: "same-origin" });
      if (!response.ok) return;
      const html = await response.text();
      // the region is aria-live: replaced only when something changed, so nothing is re-announced in vain
      if (html !== shown) live.innerHTML = html;
      shown = html;
    }, seconds * 1000);
  }
  const form = document.getElementById("submit-form");
  if (form) {
    const type = form.querySelector("#type");
    const preview = form.querySelector("#preview");
    const field = (name) => form.querySelector(`[name=${name}]`).value.trim();
    const cents = (text) => (/^\d+(\.\d{1,2})?$/.test(text) ? Math.round(Number(text) * 100) : null);
    const show = () => {
      form.querySelectorAll("fieldset[data-for]").forEach((set) => {
        const active = set.dataset.for === type.value;
        set.hidden = !active;
        set.querySelectorAll("input").forEach((input) => { input.disabled = !active; });
      });
      let value = null;
      if (type.value === "labor") {
        const hours = cents(field("hours"));
        const rate = cents(field("rate") || "100.00");
        if (hours !== null && rate !== null) value = Math.round((hours * rate) / 100);
      } else if (type.value === "capital") {
        value = cents(field("amount"));
      } else {
        value = cents(field("fair_market_value"));
      }
      preview.textContent = value === null ? "—" : (value / 100).toFixed(2);
    };
    form.addEventListener("input", show);
    show();
  }
})();
