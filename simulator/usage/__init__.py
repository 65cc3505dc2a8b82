"""Azure consumption and spending (issue 6): a seeded meter catalog, daily rated usage derived from the
Azure subscriptions' records and the clock (rated.py, which billing reads too), and the spending
operations P1-P11 of api.md 1.9 (summaries.py, utilization.py, render.py, endpoints.py)."""
from simulator.usage.endpoints import routes

__all__ = ["routes"]
