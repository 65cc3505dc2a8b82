"""New commerce transitions (N2-N4) and overage (N5, N6). Not simulated yet: see app.DOCUMENTED."""
from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
