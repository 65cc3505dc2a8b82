"""Billing (api.md 1.8), read records -> rules -> render -> endpoints: `records` (the one owner of the
ledger, the invoices and the calendar's pointers); the rules of its parts: `periods` (monthly billing
periods and invoice numbers), `charges` (the charges that follow from a subscription's events),
`calendar` (which subscriptions may have lines in a period), `ledger` (invoices made at period close
and the walk over a period's line items); the invoices (I1, I2, I7, I8): `rules`, `render` (wire
shapes), `statement` (the PDF), `endpoints`; and `lineitems` (reconciliation and consumption line
items, I3-I6), a sub-package read the same way (`query` reads the request)."""
