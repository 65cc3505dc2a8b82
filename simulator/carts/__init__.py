"""Carts (K1-K4): `records` (the one owner of the cart kind), `models` (the request body), `rules`
(create, read, update and the idempotent checkout), `render` (the wire shapes) and `endpoints`."""
