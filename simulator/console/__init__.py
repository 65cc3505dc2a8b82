"""The console: pcsim's state in a browser, at /_simulator/console (docs/console.md).

Server-rendered pages (jinja2 templates in templates/, one stylesheet and one small script in static/,
nothing fetched from elsewhere) over the areas' own rules and records: the console keeps no state of
its own beyond a per-process secret (its login cookie and form tokens, access.py).

- access: who may use it (--control-token: a login form and a cookie) and which posts it takes (same
  origin, with the page's form token);
- views: what each page shows, read through the areas' rules and render functions;
- panels: the extra panels other areas plug in (agreements, users, webhooks);
- chart: the daily Azure usage chart, an inline SVG;
- endpoints: the routes, the pages and the actions their forms post.

With --no-control there is no console (its routes are not there, like the rest of /_simulator).
"""
