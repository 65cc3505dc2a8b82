"""`pcsim contracts check`: the simulator's answers against the contracts (contracts/) and the recorded
documentation examples (shared/recorded/). See contracts/README.md.

`scenario()` drives a fresh in-process app through the purchase path and keeps every (status, body) per
operation id. Per contract: every answer has the contract's status and objectType; every contract path is
present with its type in every answer and array element (`knownGaps` are documented paths the simulator
lacks: reported, not failed); the mean recall over the operation's recorded examples reaches `minRecall`.
Recall is the share of an example's key paths that the best-matching answer has with a compatible type.

`pcsim contracts report` (coverage.py) prints one Markdown row per endpoint of api.md (endpoints.py):
implemented or 501, recall, minRecall, last checked. README.md's "Coverage" section holds its output.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

# Loaded on first use: the server imports endpoints.py (the api.md table) and must not pay for the
# checker, which brings httpx and the scenario with it.
_HOMES = {
    **dict.fromkeys(["Result", "best_recall", "check", "check_answers", "compatible", "default_dirs", "evaluate",
                     "json_type", "key_paths", "lacking", "load", "main", "matches", "object_type", "pascal_copy",
                     "recall", "report", "stands_in", "template", "usable", "values_at", "why_unclaimed"], "check"),
    **dict.fromkeys(["BASE", "START", "TENANT", "Driver", "Reply", "drive", "scenario"], "scenario"),
    **dict.fromkeys(["ENDPOINTS", "Endpoint"], "endpoints"),
}


def __getattr__(name: str) -> Any:
    if name == "report_main":
        return import_module("simulator.contracts.coverage").main
    if name in _HOMES:
        return getattr(import_module(f"simulator.contracts.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted([*_HOMES, "report_main"])
