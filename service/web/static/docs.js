// Starts Swagger UI on /schema from the vendored bundle (no inline script: the page's CSP
// allows scripts from this origin only).
window.addEventListener('DOMContentLoaded', () => {
  const container = document.getElementById('swagger-container');
  window.SwaggerUIBundle({
    url: container.dataset.spec,
    dom_id: '#swagger-container',
    deepLinking: true,
    validatorUrl: null, // no badge fetched from validator.swagger.io
    showExtensions: true,
    showCommonExtensions: true,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
});
