"""Every error the simulator returns: one class per condition, rendered by one handler.

Codes and statuses come from the Partner Center docs (error-codes.md and the page of each
operation); where a page documents no code, the class
says which documented code was chosen and why.

The classes live by area in this package (`base`: the root class, generic and control API errors
and the rendering; `sales`; `subscriptions`; `billing`; `directory`: legacy offers, users and
licenses; `integration`: agreements, validation and profiles); `simulator.errors.X` names every one.
"""
from simulator.errors.base import *  # noqa: F403
from simulator.errors.billing import *  # noqa: F403
from simulator.errors.directory import *  # noqa: F403
from simulator.errors.integration import *  # noqa: F403
from simulator.errors.sales import *  # noqa: F403
from simulator.errors.subscriptions import *  # noqa: F403
from simulator.errors.webhooks import *  # noqa: F403
