"""Key paths, recall and the evaluation of answers against contracts and recorded examples."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from simulator.contracts.scenario import Document, Reply, scenario

PLACEHOLDER = re.compile(r"^\s*(<[^<>]*>|\{[^{}]*\})\s*$")
MISSING = object()


# --- key paths and recall -------------------------------------------------------------------

def json_type(value: Any) -> str:
    """The JSON type name; a whole-value doc placeholder (`<etag>`, `{id-for-order}`) is `any`."""
    if isinstance(value, str):
        return "any" if PLACEHOLDER.match(value) else "string"
    if isinstance(value, bool):
        return "boolean"
    return {type(None): "null", int: "number", float: "number", list: "array"}.get(type(value), "object")


def key_paths(body: Any) -> dict[str, set[str]]:
    """Every key path of a body with the types seen there: `a.b`, `items[].id`, `[].id` for a bare array."""
    found: dict[str, set[str]] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                sub = f"{path}.{key}" if path else str(key)
                found.setdefault(sub, set()).add(json_type(item))
                walk(item, sub)
        elif isinstance(value, list):
            for item in value:
                walk(item, path + "[]")

    walk(body, "")
    return found


def compatible(recorded: set[str], produced: set[str] | None) -> bool:
    """null and placeholders in the record match any type; otherwise one type must agree."""
    if produced is None:
        return False
    wanted = recorded - {"null", "any"}
    return not wanted or bool(wanted & produced)


def recall(recorded: Any, produced: Any) -> tuple[float, list[str]]:
    """Share of the recorded body's key paths the produced body has with a compatible type, and the misses."""
    want, have = key_paths(recorded), key_paths(produced)
    misses = sorted(p for p, types in want.items() if not compatible(types, have.get(p)))
    return (1.0 - len(misses) / len(want) if want else 1.0), misses


def best_recall(recorded: Any, replies: list[Reply]) -> tuple[float, list[str]]:
    scored = [recall(recorded, body) for _, body in replies] or [(0.0, sorted(key_paths(recorded)))]
    return max(scored, key=lambda pair: pair[0])


def values_at(body: Any, path: str) -> list[Any]:
    """The value at `path` in every array element it runs through; MISSING where one lacks it."""
    found = [body]
    for part in filter(None, path.replace("[]", ".[]").split(".")):
        step: list[Any] = []
        for value in found:
            if part == "[]":
                step.extend(value if isinstance(value, list) else [MISSING])
            else:
                step.append(value.get(part, MISSING) if isinstance(value, dict) else MISSING)
        found = step
    return found


def lacking(body: Any, path: str, kind: str) -> int:
    """How many places `path` runs through lack it or carry another type (every element counts)."""
    return sum(1 for v in values_at(body, path) if v is MISSING or json_type(v) != kind)


def object_type(body: Any) -> Any:
    return (body.get("attributes") or {}).get("objectType") if isinstance(body, dict) else None



# --- contracts, examples, matching --------------------------------------------------------------

def template(method: str, path: str) -> str:
    """`GET /v1/customers/{}/orders`: placeholders blanked, literal segments lower-cased."""
    parts = ["{}" if p.startswith(("{", "<")) else p.lower() for p in path.split("?")[0].split("/")]
    return f"{method.upper()} {'/'.join(parts).rstrip('/')}"


def load(dirs: list[Path]) -> tuple[list[dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
    """Contracts (`operation` + `paths`) and recorded examples (`endpoint`) from every folder."""
    contracts, examples = [], []
    for folder in dirs:
        for file in sorted(folder.glob("*.json")):
            data = json.loads(file.read_text(encoding="utf-8"))
            if isinstance(data, dict) and "operation" in data and "paths" in data:
                contracts.append(data)
            elif isinstance(data, dict) and "endpoint" in data:
                examples.append((file.name, data))
    return contracts, examples


def usable(example: dict[str, Any], pascal: bool = False) -> bool:
    """An example with a request and a JSON response; a PascalCase response only for a contract that says
    the service answers PascalCase (`"pascalCase": true`: the webhook registration)."""
    response = example.get("response") or {}
    body = response.get("body")
    return example.get("request") is not None and isinstance(body, (dict, list)) and (pascal or not pascal_copy(body))


def pascal_copy(body: Any) -> bool:
    """Doc "responses" that are PascalCase copies of the request (contracts/recorded/README.md: doc
    artefacts; the real service answers camelCase) say nothing about the response's shape."""
    keys = [k for k in body if isinstance(k, str)] if isinstance(body, dict) else []
    return bool(keys) and sum(k[:1].isupper() for k in keys) > len(keys) / 2


def matches(contract: dict[str, Any], example: dict[str, Any]) -> bool:
    """Same route, and the contract's `match` rule (query keys present/absent, body values) holds."""
    method, _, path = example["endpoint"].partition(" ")
    if template(method, path) != template(contract["method"], contract["path"]):
        return False
    rule, request = contract.get("match") or {}, example["request"]
    query = {k.lower() for k in request.get("query") or {}}
    if any(k.lower() not in query for k in rule.get("query", [])):
        return False
    if any(k.lower() in query for k in rule.get("queryAbsent", [])):
        return False
    sent = request.get("body") if isinstance(request.get("body"), dict) else {}
    body = {str(k).lower(): v for k, v in sent.items()}
    return all(str(body.get(k.lower(), "")).lower() == str(v).lower() for k, v in rule.get("body", {}).items())


def why_unclaimed(endpoint: str, contracted: set[str]) -> str:
    """A 501 route, a body variant that answers 501 (order PATCH other than the sandbox cancel), or none."""
    from simulator.routes import not_simulated

    method, _, path = endpoint.partition(" ")
    route = template(method, path)
    if route in {template(m, p) for m, p in not_simulated()}:
        return "not implemented (501)"
    return "not implemented (variant answers 501)" if route in contracted else "no contract"


# --- evaluation ----------------------------------------------------------------------------------

@dataclass
class Result:
    contract: dict[str, Any]
    replies: list[Reply]
    recalls: list[tuple[str, float, list[str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return sum(r for _, r, _ in self.recalls) / len(self.recalls) if self.recalls else None


def stands_in(contract: dict[str, Any], status: int, body: Any) -> bool:
    """The answer is the contract's `simulatedAnswer`: the error the simulator gives in place of a documented
    success it cannot reach yet (S11: the catalog has no legacy trial, so nothing converts)."""
    instead = contract.get("simulatedAnswer") or {}
    code = instead.get("code")
    return bool(instead) and status == instead.get("status") and (
        code is None or (isinstance(body, dict) and body.get("code") == code))


def wrong_media(contract: dict[str, Any], body: Any) -> str:
    """What is wrong with a success answer's media type: JSON unless the contract names another
    (`contentType`, I8's application/pdf), which then comes as a non-empty document."""
    media = contract.get("contentType")
    if media is None:
        return f"answered {body.media_type}, not JSON" if isinstance(body, Document) else ""
    if not isinstance(body, Document) or body.media_type != media or not body.content:
        shown = body.media_type if isinstance(body, Document) else "JSON"
        return f"answered {shown}, not a {media} document"
    return ""


def check_answers(result: Result) -> None:
    contract, wanted = result.contract, result.contract.get("objectType")
    if not result.replies:
        result.problems.append("the scenario produced no answer for this operation")
    instead = contract.get("simulatedAnswer")
    if instead and result.replies:
        standing = sum(stands_in(contract, s, b) for s, b in result.replies)
        result.notes.append(
            f"simulated answer {instead.get('status')} {instead.get('code', '')}".rstrip()
            + f" in place of the documented {contract['status']}: {standing} of {len(result.replies)} answers"
            + ("" if standing else "; every answer is the documented success now, remove simulatedAnswer"))
    for status, body in result.replies:
        if stands_in(contract, status, body):
            continue
        if status != contract["status"]:
            shown = json.dumps(body, default=repr)[:160]
            result.problems.append(f"status {status} (contract {contract['status']}): {shown}")
        elif wrong_media(contract, body):
            result.problems.append(wrong_media(contract, body))
        elif wanted and object_type(body) != wanted:
            result.problems.append(f"attributes.objectType is {object_type(body)!r}, not {wanted}")
    answered = [body for status, body in result.replies if status == contract["status"]]
    for path, kind in contract["paths"].items():
        short = [n for n, body in enumerate(answered) if lacking(body, path, kind)]
        if short:
            result.problems.append(f"contract path {path} ({kind}) missing or mistyped in answer(s) {short}")
    for path, kind in (contract.get("knownGaps") or {}).items() if answered else ():
        fixed = not any(lacking(body, path, kind) for body in answered)
        result.notes.append(f"known gap {path}: " + ("produced everywhere now, move it to paths" if fixed
                                                      else "still missing in some answers (not failed)"))


def evaluate(contract: dict[str, Any], replies: list[Reply], examples: list[tuple[str, dict[str, Any]]]) -> Result:
    result = Result(contract, replies)
    check_answers(result)
    for name, example in examples:
        result.recalls.append((name, *best_recall(example["response"]["body"], replies)))
    if result.recall is not None and result.recall < contract["minRecall"]:
        result.problems.append(f"recall {result.recall:.2f} below minRecall {contract['minRecall']}")
    return result


def check(dirs: list[Path], replies: dict[str, list[Reply]] | None = None) -> tuple[list[Result], list[str]]:
    """Every contract evaluated against the scenario's answers, and the examples no contract claims."""
    contracts, examples = load(dirs)
    replies = scenario() if replies is None else replies
    results: list[Result] = []
    claimed: set[str] = set()
    for contract in sorted(contracts, key=lambda c: (c["id"][:1], int(c["id"][1:] or 0))):
        own = [(n, e) for n, e in examples if usable(e, bool(contract.get("pascalCase"))) and matches(contract, e)]
        claimed.update(n for n, _ in own)
        results.append(evaluate(contract, replies.get(contract["id"], []), own))
    routes = {template(c["method"], c["path"]) for c in contracts}
    leftovers = [f"{why_unclaimed(e['endpoint'], routes)}: {e['endpoint']}  [{n}]"
                 for n, e in examples if n not in claimed and usable(e)]
    leftovers += [f"SCENARIO FAILED: {body}" for _, body in replies.get("!", [])]
    return results, leftovers


def report(results: list[Result], leftovers: list[str]) -> str:
    lines = [f"{'id':<4} {'operation':<100} {'status':<6} {'paths':<6} {'recall':<12} {'ex':<3} result",
             "-" * 142]
    for r in results:
        c = r.contract
        status_ok = bool(r.replies) and all(s == c["status"] or stands_in(c, s, b) for s, b in r.replies)
        paths_ok = bool(r.replies) and not any(p.startswith("contract path") for p in r.problems)
        shown = "n/a" if r.recall is None else f"{r.recall:.2f}"
        lines.append(f"{c['id']:<4} {c['method'] + ' ' + c['path']:<100} {'ok' if status_ok else 'FAIL':<6} "
                     f"{'ok' if paths_ok else 'FAIL':<6} {shown + ' >= ' + str(c['minRecall']):<12} "
                     f"{len(r.recalls):<3} {'FAIL' if r.problems else 'ok'}")
    lines.append("")
    for r in results:
        misses = [f"{n}: recall {s:.2f}, missing {', '.join(m)}" for n, s, m in r.recalls if m]
        if r.problems or r.notes or misses:
            lines.append(f"{r.contract['id']} {r.contract['operation']}:")
            lines.extend(f"    {d}" for d in [*r.problems, *r.notes, *misses])
    if leftovers:
        lines.append("recorded examples without a simulated operation, and scenario failures:")
        lines.extend(f"    {item}" for item in sorted(leftovers))
    return "\n".join(lines)


def contracts_home() -> Path:
    """The contracts: the installed package `pcsim_contracts` (contracts/ of the repository, shipped in the
    wheel), else contracts/ of a source tree run without installing (PYTHONPATH=.)."""
    try:
        return Path(str(resources.files("pcsim_contracts")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "contracts"


def default_dirs() -> list[Path]:
    """The contracts and the recorded documentation examples they are checked against (recorded/ next to
    them), found from the package, never from the working directory."""
    home = contracts_home()
    return [home, home / "recorded"]


def main(dirs: list[Path] | None = None) -> int:
    """Print the table; 0 when every operation meets its contract and the scenario ran to the end."""
    dirs = list(dirs or default_dirs())
    missing = [str(d) for d in dirs if not Path(d).is_dir()]
    if missing:
        print("not a directory: " + ", ".join(missing))
        return 1
    results, leftovers = check(dirs)
    print(report(results, leftovers))
    failed = [r.contract["id"] for r in results if r.problems]
    broken = any(item.startswith("SCENARIO FAILED") for item in leftovers)
    if not results:
        print("no contracts found in " + ", ".join(map(str, dirs)))
        return 1
    print(f"\n{len(results) - len(failed)}/{len(results)} operations meet their contracts"
          + (f"; failing: {', '.join(failed)}" if failed else "") + ("; the scenario failed" if broken else ""))
    return 1 if failed or broken else 0

