"""Carts (K1-K4): `records` (the one owner of the cart kind), `endpoints` (the rules, wire rendering
and routes of create, read, update and checkout)."""
