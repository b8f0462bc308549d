/**
 * The interactive API reference: Swagger UI (served from the swagger-ui-dist package by the
 * HTTP server under /api/docs/assets) reading /api/openapi.json. Public: it holds no data.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>254Carbon API reference</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css" />
  <style>body{margin:0} .topbar-note{font:14px system-ui,sans-serif;padding:10px 20px;background:#0f172a;color:#e2e8f0}
  .topbar-note a{color:#7dd3fc}</style>
</head>
<body>
  <div class="topbar-note"><strong>254Carbon API</strong> &middot; OpenAPI document:
    <a href="/api/openapi.json">/api/openapi.json</a> &middot; <a href="/">back to the hub</a></div>
  <div id="swagger-ui"><noscript>The interactive reference needs JavaScript. The OpenAPI document is at
    <a href="/api/openapi.json">/api/openapi.json</a>.</noscript></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>`

export function loader() {
  return new Response(PAGE, { headers: { 'Content-Type': 'text/html; charset=utf-8' } })
}
