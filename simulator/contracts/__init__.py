"""`pcsim contracts check`: the simulator's answers against the contracts (contracts/*.json) and the recorded
documentation examples (contracts/recorded/), both shipped as the package `pcsim_contracts`. See
contracts/README.md.

`scenario()` drives a fresh in-process app through the purchase path and keeps every (status, body) per
operation id. Per contract: every answer has the contract's status and objectType; every contract path is
present with its type in every answer and array element (`knownGaps` are documented paths the simulator
lacks: reported, not failed); the mean recall over the operation's recorded examples reaches `minRecall`.
Recall is the share of an example's key paths that the best-matching answer has with a compatible type.

`pcsim contracts report` (coverage.py) prints the coverage page, one Markdown row per operation of
endpoints.py: implemented or 501, recall, minRecall, last checked. docs/coverage.md is its output
(`pcsim contracts report --write docs/coverage.md`).
"""
from simulator.contracts.check import (
                                       Result,
                                       best_recall,
                                       check,
                                       check_answers,
                                       compatible,
                                       contracts_home,
                                       default_dirs,
                                       evaluate,
                                       json_type,
                                       key_paths,
                                       lacking,
                                       load,
                                       main,
                                       matches,
                                       object_type,
                                       pascal_copy,
                                       recall,
                                       report,
                                       stands_in,
                                       template,
                                       usable,
                                       values_at,
                                       why_unclaimed,
)
from simulator.contracts.coverage import main as report_main
from simulator.contracts.endpoints import ENDPOINTS, Endpoint
from simulator.contracts.scenario import BASE, START, TENANT, Driver, Reply, drive, scenario

__all__ = ["BASE", "ENDPOINTS", "START", "TENANT", "Driver", "Endpoint", "Reply", "Result", "best_recall", "check",
           "check_answers", "compatible", "contracts_home", "default_dirs", "drive", "evaluate", "json_type",
           "key_paths", "lacking", "load", "main", "matches", "object_type", "pascal_copy", "recall", "report",
           "report_main", "scenario", "stands_in", "template", "usable", "values_at", "why_unclaimed"]
