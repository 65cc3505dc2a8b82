"""Subscriptions (api.md 1.5-1.7): `records` (records, term dates, renewals derived from `now`),
`rules` (reads, PATCH, activation, provisioning and registration), `endpoints` (wire and routes),
`azure` (Azure plan entitlements), `newcommerce` (custom term end dates)."""
