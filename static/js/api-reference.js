// Starts the vendored Swagger UI on the API reference page (no inline script: the CSP forbids it).
(function () {
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") { return; }
  window.ui = window.SwaggerUIBundle({
    url: node.getAttribute("data-spec-url"),
    domNode: node,
    deepLinking: true,
    validatorUrl: null,  // never ask an outside validator about our document
    tryItOutEnabled: false
  });
}());
