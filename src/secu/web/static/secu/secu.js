// Starts GOV.UK Frontend's components (skip link, service navigation, accordion, error summary…).
// A module of its own, so that no page carries an inline script (for a strict Content-Security-Policy).
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

// What htmx swaps into a page (the simulator's result) gets its components started too.
document.body.addEventListener("htmx:load", (event) => {
  const added = event.detail && event.detail.elt;
  if (added instanceof HTMLElement && added !== document.body) {
    initAll({ scope: added });
  }
});
