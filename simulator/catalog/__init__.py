"""Catalog: products, SKUs, availabilities and the inventory check (api.md 1.1).

`data` is the read-only catalog (the area's records, loaded from fixtures/catalog.json, shared by
all tenants), `rules` the market/view/segment rules and the inventory check, `render` the wire
shapes, `endpoints` the product routes and `inventory` the inventory check's route (with its request
body in `models`, kept off the product routes' imports).
"""
