"""Subscriptions (api.md 1.5-1.7), read in this order:

- `records`: the one owner of subscriptions and their indexes, transitions, overage and product
  upgrades; the record made from an order line, and the states derived from stored moments and `now`
  (roll-forward, entitlement and upgrade status). Leaves below it: `dates` (term dates), `kinds` (enums).
- rules, one module per feature (plain functions taking a context first, with the wire models they
  take): `rules` (reads, PATCH, activation, registration; what the order rules ask), `rules_azure`
  (Azure plan entitlements), `rules_newcommerce` (custom term end dates, co-term dates),
  `rules_overage`, `rules_productupgrades` (0145P to Azure plan), `rules_transitions` (new commerce
  transitions), `rules_upgrades` (legacy upgrades and trial conversions).
- `render`: every wire shape of the area, one section per feature, in the same order.
- `endpoints`: every route of the area, one section per feature; one `routes` list.
"""
