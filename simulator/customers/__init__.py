"""Customers (U1-U4): `records` (the one owner of the customer, domain and customer-request kinds),
`endpoints` (the rules, wire rendering and routes of create, get, list and the sandbox delete)."""
