"""Azure consumption and spending (issue 6, api.md 1.9 P1-P11), read records -> rules -> render -> endpoints:
`records` (the one owner of the spending budget), `meters` (the seeded meter catalog) and `rated` (daily
rated usage derived from the Azure subscriptions' records and the clock; billing reads it too) are what
usage knows; `rules` totals spending and pages utilization, `render` makes the wire shapes, `endpoints`
serves them."""
from simulator.usage.endpoints import routes

__all__ = ["routes"]
