// The API's reference page (/api/v1/docs): Swagger UI over the generated document. A file, not an inline
// script, so the Content-Security-Policy needs no 'unsafe-inline'.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("api-reference");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-document"),
    domNode: root,
    deepLinking: true,
    tryItOutEnabled: false,
    validatorUrl: null,
  });
});
