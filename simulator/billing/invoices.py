"""Invoices (I1, I2), invoice summaries (I7) and the PDF statement (I8). Being written (issue 6)."""
from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
