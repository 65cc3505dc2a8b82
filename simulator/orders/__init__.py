"""Orders (api.md 1.4): `lines` checks purchase lines (shared with carts), `rules` places, lists,
provisions and cancels orders, `endpoints` renders them."""
