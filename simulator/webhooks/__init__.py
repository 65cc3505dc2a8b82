"""Partner Center webhooks (api-integration.md §1.16, W1-W7): one registration per partner tenant,
events raised from what happens in the simulation, delivered off the request path as signed HTTP
POSTs to the partner's own URL, retried, and shown by the control API.

- records: the one owner of the stored kinds (registrations, deliveries, the due queue, the clock's
  pointers to subscription renewals);
- events: the event names and payload, and `raise_event`, which the areas call (a leaf: it imports no area);
- rules: registration (W2-W4), test events (W5, W6), what the clock brings (renewals, invoices), control;
- signing: the key and self-signed certificate the deliveries are signed with;
- delivery: the worker that POSTs due deliveries (an asyncio task of the serving loop);
- render, endpoints: the wire.
"""
