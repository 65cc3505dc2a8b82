"""Invoice line items and estimate links (api.md 1.8):

- I3 `GET /v1/invoices/{invoice-id}/lineitems?provider=&invoicelineitemtype=` (get-invoiceline-items.md,
  get-invoice-billed-consumption-lineitems.md): a billed invoice's reconciliation or consumption lines;
- I4 `GET /v1/invoices/{invoice-id}/lineitems/{billing-provider}/{invoice-line-item-type}`: the older path
  form of I3 (the invoice's `invoiceDetails` link to it); OneTime pages also carry `continuationToken`;
- I5 `GET /v1/invoices/estimates/links?currencycode=` (get-invoice-estimate-links.md): where the unbilled
  line items of the current and previous period are;
- I6 `GET /v1/invoices/unbilled/lineitems` (get-invoice-unbilled-recon-lineitems.md,
  get-invoice-unbilled-consumption-lineitems.md): the charges and usage no invoice holds yet.

`query` reads what a request asks for (the provider x line item type matrix, period, page, token),
`rules` picks the window (an invoice's period, or the open one) and pages the ledger's walk over it,
`render` turns ledger lines into the five documented line item shapes, `endpoints` serves them.
"""
from __future__ import annotations

from simulator.billing.lineitems.endpoints import routes

__all__ = ["routes"]
