"""Customers (U1-U4): `records` (the one owner of the customer, domain and customer-request kinds),
`models` (the request bodies), `rules` (create, read, list and the sandbox delete), `render` (the
wire shapes) and `endpoints` (the routes)."""
