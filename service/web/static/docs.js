// Starts Swagger UI on /schema from the vendored bundle (no inline script: the page's CSP
// allows scripts from this origin only).
window.addEventListener('DOMContentLoaded', () => {
  const container = document.getElementById('swagger-container');
  window.SwaggerUIBundle({
    url: container.dataset.spec,
    dom_id: '#swagger-container',
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
});
