"""`pcsim contracts check`: the simulator's answers against the contracts (contracts/) and the recorded
documentation examples (shared/recorded/). See contracts/README.md.

`scenario()` drives a fresh in-process app through the purchase path and keeps every (status, body) per
operation id. Per contract: every answer has the contract's status and objectType; every contract path is
present with its type in every answer and array element (`knownGaps` are documented paths the simulator
lacks: reported, not failed); the mean recall over the operation's recorded examples reaches `minRecall`.
Recall is the share of an example's key paths that the best-matching answer has with a compatible type.
"""
from simulator.contracts.check import (Result, best_recall, check, check_answers, compatible, default_dirs, evaluate,
                                       json_type, key_paths, lacking, load, main, matches, object_type, pascal_copy,
                                       recall, report, template, usable, values_at, why_unclaimed)
from simulator.contracts.scenario import BASE, START, TENANT, Driver, Reply, drive, scenario

__all__ = ["BASE", "START", "TENANT", "Driver", "Reply", "Result", "best_recall", "check", "check_answers",
           "compatible", "default_dirs", "drive", "evaluate", "json_type", "key_paths", "lacking", "load", "main",
           "matches", "object_type", "pascal_copy", "recall", "report", "scenario", "template", "usable",
           "values_at", "why_unclaimed"]
