"""Agreements (G1-G5, api-integration.md 1.11): `records` (the one owner of the confirmation, the
direct-acceptance and the document-link kinds), `models` (the confirmation body), `rules` (metadata,
confirmations, the template document, the direct-signed status and the purchase rule 13605), `render`
(the wire shapes) and `endpoints` (the routes, and the control route for a customer's own acceptance)."""
