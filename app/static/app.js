// AP Hub's only script: start GOV.UK Frontend's components. Loaded as a module from base.html (a static file,
// no inline script, for the Content-Security-Policy). Pages work without it: it only enhances them.
import { initAll } from "./govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled");

// The attendance page puts the focus on the next row to confirm with autofocus; browsers skip autofocus in some
// cases (e.g. after history navigation), so make sure of it.
const wanted = document.querySelector("[autofocus]");
if (wanted && document.activeElement !== wanted) {
  wanted.focus();
}
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
  initAll();
}

// A long job's progress page (issue 14 item 7) asks to be reloaded every few seconds while the job runs; without
// script, its "Refresh" link does the same.
const refreshing = document.querySelector("[data-refresh-seconds]");
if (refreshing) {
  window.setTimeout(() => window.location.reload(), 1000 * Number(refreshing.dataset.refreshSeconds));
}
