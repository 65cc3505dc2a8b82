"""Domains and validation (D1-D5, api-integration.md 1.12): `countries` (the address rules by country, which
customer creation uses too), `domains` (which domains are taken), `records` (the one owner of the
account-status kind), `models` (the address body), `rules` (availability, address validation, country
rules, the partner's validation codes, the account status and the purchase rule it carries), `render` and
`endpoints` (with the control route that sets a customer's account status)."""
