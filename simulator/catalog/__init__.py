"""Catalog: products, SKUs, availabilities and the inventory check (api.md 1.1).

`data` holds the records (loaded from fixtures/catalog.json), `rules` the market/view/segment
rules, `endpoints` the wire rendering and routes.
"""
