"""Invoice line items (I3, I4, I6) and estimate links (I5). Being written (issue 6)."""
from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
