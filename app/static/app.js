// AP Hub's only script: start GOV.UK Frontend's components. Loaded as a module from base.html (a static file,
// no inline script, for the Content-Security-Policy). Pages work without it: it only enhances them.
import { initAll } from "./govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
  initAll();
}
