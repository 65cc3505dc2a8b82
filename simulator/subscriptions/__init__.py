"""Subscriptions (api.md 1.5-1.7): `records` (the one owner of subscriptions and their indexes,
transitions, overage and product upgrades; the record made from an order line and the roll-forward
derived from `now`), `dates` (term dates), `rules` (reads, PATCH, activation, provisioning and
registration), `endpoints` (wire and routes), `azure` (Azure plan entitlements), `newcommerce` (custom
term end dates)."""
