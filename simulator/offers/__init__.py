"""The legacy offer catalog (L1-L6): offers by market, by id, their add-ons and the offer categories,
partner- and customer-scoped. Derived from the catalog fixture's legacy offers; nothing is stored."""
