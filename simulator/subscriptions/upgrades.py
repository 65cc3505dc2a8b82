"""Legacy trial conversions (S10, S11), legacy upgrades (S14, S15) and the Azure product upgrade
from MS-AZR-0145P to an Azure plan (A5-A7). Not simulated yet: see app.DOCUMENTED."""
from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
