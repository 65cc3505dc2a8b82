"""Orders (api.md 1.4): `records` (the one owner of the order kind), `lines` checks purchase lines
(shared with carts), `rules` places, lists, provisions and cancels orders, `endpoints` renders them."""
