"""`pcsim contracts report`: the coverage page, one row per operation of simulator.contracts.endpoints.

Each row says whether the running app implements the operation or answers 501 (from the app's own routes and
`simulator.routes.not_simulated()`, never from a hand-kept list), the operation's contract recall against the
recorded documentation examples (contracts/recorded/), its `minRecall` and the contract's `lastChecked`. The
output depends only on the code, the contracts and the recorded examples: no run date, no timing. It is the
whole Markdown page docs/coverage.md, which `--write docs/coverage.md` writes and
tests/test_coverage_report.py compares with what the command prints.
"""
from __future__ import annotations

import sys
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.contracts.check import Result, check, default_dirs, load, matches, template, usable
from simulator.contracts.endpoints import ENDPOINTS, SECTIONS, Endpoint

PAGE = Path("docs") / "coverage.md"  # in the repository
REGENERATE = "pcsim contracts report --write docs/coverage.md"
IMPLEMENTED, NOT_SIMULATED, NOT_ROUTED = "implemented", "501 not simulated", "not routed"
PARTIAL = "implemented (some variants 501)"
DASH = "—"


def served_routes(app: Any = None) -> set[str]:
    """`METHOD /path` templates of every route the app serves (501 stubs included)."""
    from starlette.routing import Mount, Route

    if app is None:
        from simulator.app import create_app
        from simulator.contracts.scenario import START
        from simulator.settings import from_env

        app = create_app(from_env({}, start_time=START))
    inner = app
    while not hasattr(inner, "routes") and hasattr(inner, "app"):  # through the ASGI middleware
        inner = inner.app
    found: set[str] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if isinstance(route, Route):
                found.update(template(m, prefix + route.path) for m in route.methods or ())
            elif isinstance(route, Mount):
                walk(route.routes, prefix + route.path)

    walk(list(getattr(inner, "routes", [])), "")
    return found


def stub_routes() -> set[str]:
    """`METHOD /path` templates of the documented operations that answer 501."""
    from simulator.routes import not_simulated

    return {template(method, path) for method, path in not_simulated()}


def variant_routes(contracts: list[dict[str, Any]], examples: list[tuple[str, dict[str, Any]]]) -> set[str]:
    """Implemented routes with a recorded variant no contract claims: the checker's "variant answers 501"
    (the order PATCH add-on purchase and billing-cycle change share O4's route)."""
    contracted = {template(c["method"], c["path"]) for c in contracts}
    found = set()
    for _, example in examples:
        if usable(example) and not any(matches(c, example) for c in contracts):
            method, _, path = example["endpoint"].partition(" ")
            found.add(template(method, path))
    return found & contracted


def statuses(served: set[str] | None = None, stubs: set[str] | None = None,
             variants: Collection[str] = ()) -> dict[str, str]:
    """Per operation id: implemented (some variants 501 when `variants` names its route), 501 not simulated,
    or not routed at all."""
    served = served_routes() if served is None else served
    stubs = stub_routes() if stubs is None else stubs
    found = {}
    for endpoint in ENDPOINTS:
        route = template(endpoint.method, endpoint.route)
        found[endpoint.id] = (NOT_SIMULATED if route in stubs else NOT_ROUTED if route not in served
                              else PARTIAL if route in variants else IMPLEMENTED)
    return found


@dataclass
class Row:
    endpoint: Endpoint
    status: str
    result: Result | None  # the checker's result for the endpoint's contract, None without one

    @property
    def implemented(self) -> bool:
        return self.status in (IMPLEMENTED, PARTIAL)

    @property
    def recall(self) -> str:
        if not self.implemented:
            return DASH
        if self.result is None:
            return "no contract"
        value, examples = self.result.recall, len(self.result.recalls)
        return "n/a" if value is None else f"{value:.2f} ({examples} example{'s' if examples != 1 else ''})"

    @property
    def min_recall(self) -> str:
        return DASH if self.result is None or not self.implemented else f"{self.result.contract['minRecall']:.2f}"

    @property
    def last_checked(self) -> str:
        return DASH if self.result is None else str(self.result.contract.get("lastChecked") or DASH)

    def cells(self) -> list[str]:
        e = self.endpoint
        return [e.id, e.name, f"`{e.method} {e.path}`", self.status, self.recall, self.min_recall, self.last_checked]


def rows(results: list[Result], found: dict[str, str] | None = None) -> list[Row]:
    found = statuses() if found is None else found
    by_id = {r.contract["id"]: r for r in results}
    return [Row(e, found[e.id], by_id.get(e.id)) for e in ENDPOINTS]


def summary(table: list[Row]) -> str:
    implemented = [r for r in table if r.implemented]
    stubbed = sum(r.status == NOT_SIMULATED for r in table)
    recalls = [r.result.recall for r in implemented if r.result is not None and r.result.recall is not None]
    partial = sum(r.status == PARTIAL for r in table)
    line = (f"**{len(implemented)} of {len(table)}** operations implemented"
            + (f" ({partial} with some variants answering 501)" if partial else "")
            + f", {stubbed} answer 501 (not simulated); {len(recalls)} of the implemented have recorded examples, "
            "mean recall "
            + (f"{sum(recalls) / len(recalls):.2f}" if recalls else "n/a") + ".")
    uncontracted = [r.endpoint.id for r in implemented if r.result is None]
    unrouted = [r.endpoint.id for r in table if r.status == NOT_ROUTED]
    if uncontracted:
        line += f" Implemented without a contract: {', '.join(uncontracted)}."
    if unrouted:
        line += f" Not routed at all: {', '.join(unrouted)}."
    return line


HEADER = "| id | operation | method and path | status | recall (examples) | minRecall | last checked |"
INTRO = f"""\
# Coverage

<!-- Generated by `{REGENERATE}` (from the repository root): do not edit.
     tests/test_coverage_report.py fails while this page differs from what the command prints. -->

Every Partner Center operation pcsim knows of, under the id that the code, the tests and the contracts use
(`C1`, `U3`, `K4`, `S8`…). The list is data in
[`simulator/contracts/endpoints.py`](../simulator/contracts/endpoints.py); the sections keep its numbering
1.1–1.10, which comments in the code cite as "api.md 1.x", and 1.11–1.13, api-integration.md's.

Per operation: whether pcsim implements it or answers 501 (read from the app's routes), its **recall**, the
mean over the operation's recorded documentation examples
([`contracts/recorded/`](../contracts/recorded/README.md)) of the share of an example's key paths that
pcsim's best answer carries with a compatible type (`n/a` without a usable example), the lowest recall its
contract accepts (`minRecall`) and the date the contract was last checked. Each contract is
`contracts/<id>.json`, described in [`contracts/README.md`](../contracts/README.md); `pcsim contracts check`
shows the details behind every row."""


def markdown(table: list[Row]) -> str:
    """The whole page: the introduction, the summary line, then one table per section."""
    parts = [INTRO, summary(table)]
    for section, title in SECTIONS.items():
        own = [row for row in table if row.endpoint.section == section]
        lines = [f"## {section} {title}", "", HEADER, "|---|---|---|---|---|---|---|"]
        parts.append("\n".join(lines + ["| " + " | ".join(row.cells()) + " |" for row in own]))
    return "\n\n".join(parts)


def build(dirs: list[Path]) -> tuple[str, list[Result], list[str], int]:
    """The Markdown page, the checker's results and leftovers, and how many recorded examples were read."""
    contracts, examples = load(dirs)
    results, leftovers = check(dirs)
    found = statuses(variants=variant_routes(contracts, examples))
    return markdown(rows(results, found)), results, leftovers, len(examples)


def write_page(path: Path, page: str) -> bool:
    """Writes the page to `path` unless it already holds it; whether it wrote."""
    text = page + "\n"
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def main(dirs: list[Path] | None = None, write: Path | None = None) -> int:
    """Print the coverage page, or with `write` write it to that file instead. Exits as `contracts check`
    does: 0 only when every operation meets its contract and the scenario ran to the end."""
    dirs = list(dirs or default_dirs())
    missing = [str(d) for d in dirs if not Path(d).is_dir()]
    if missing:
        print("not a directory: " + ", ".join(missing), file=sys.stderr)
        return 1
    if write is not None and not load(dirs)[1]:
        print(f"no recorded examples in {', '.join(map(str, dirs))}: {write} not written (its table would "
              "have no recall)", file=sys.stderr)
        return 2
    page, results, leftovers, _ = build(dirs)
    if write is None:
        print(page)
    else:
        print(f"{write}: {'written' if write_page(write, page) else 'unchanged'}", file=sys.stderr)
    failed = [r.contract["id"] for r in results if r.problems]
    broken = any(item.startswith("SCENARIO FAILED") for item in leftovers)
    if failed or broken:
        print("contracts check fails" + (f" for {', '.join(failed)}" if failed else "")
              + (" (the scenario failed)" if broken else "") + "; run `pcsim contracts check` for details",
              file=sys.stderr)
        return 1
    return 0
