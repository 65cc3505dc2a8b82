"""Billing (api.md 1.8): `periods` (monthly billing periods and invoice numbers), `charges` (the
charges that follow from a subscription's events), `ledger` (invoices made at period close and
the walk over a period's line items), `lineitems` (reconciliation and consumption line items,
I3-I6), `invoices` (I1, I2, I7, I8 and the PDF statement)."""
