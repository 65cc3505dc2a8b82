"""The OpenAPI document (`GET /openapi.json`), made from the routes the app actually serves.

Nothing here is a second description of the API:
- the paths and methods are the app's own routes (the 501 ones included, documented as such),
  spelled as the real service spells them (the contracts' paths);
- request bodies are the JSON schemas of the very models the endpoints parse with, and the query
  parameters and headers are those declared next to each endpoint (`@wire.operation`);
- success bodies come from the operation's contract (contracts/*.json): the key paths and types
  the documentation shows, which the suite checks against every answer (tests/test_contracts.py)
  and which schemathesis checks again against whatever it generates (tests/test_schemathesis.py).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.routing import BaseRoute, Route

from simulator import wire
from simulator.contracts.endpoints import ENDPOINTS
from simulator.paths import covers, shape

PARAM = re.compile(r"\{([^}]+)\}")
ERROR_STATUSES = (400, 401, 403, 404, 409)


# --- contracts ----------------------------------------------------------------------------

def contracts_dir() -> Path:
    """contracts/ of a source checkout, else the copy installed as the package `pcsim_contracts`."""
    here = Path(__file__).resolve().parents[1] / "contracts"
    if here.is_dir():
        return here
    return Path(str(resources.files("pcsim_contracts")))


def load_contracts(folder: Path | None = None) -> list[dict[str, Any]]:
    found = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((folder or contracts_dir()).glob("*.json"))]
    return [c for c in found if isinstance(c, dict) and "method" in c and "path" in c]


# --- schemas from a contract's key paths --------------------------------------------------

LEAF: dict[str, dict[str, Any]] = {
    "string": {"type": "string"}, "number": {"type": "number"}, "boolean": {"type": "boolean"},
    "null": {"nullable": True}, "object": {"type": "object"}, "array": {"type": "array"}}


def schema_from_paths(required: dict[str, str], optional: dict[str, str] | None = None) -> dict[str, Any]:
    """A JSON schema for the bodies that carry `required` key paths (`items[].links.self.uri`), with
    `optional` ones described but not required. Objects stay open: the service adds fields."""
    root: dict[str, Any] = {}
    for paths, must in ((required, True), (optional or {}, False)):
        for path, kind in paths.items():
            _insert(root, path, kind, must)
    return _finish(root)


def _insert(root: dict[str, Any], path: str, kind: str, must: bool) -> None:
    node = root
    tokens = path.split(".") if path else []
    if path.startswith("[]"):
        node = _as(node, "array").setdefault("items_node", {})
        tokens = path[3:].split(".") if len(path) > 2 else []
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        arrays = 0
        while token.endswith("[]"):
            token, arrays = token[:-2], arrays + 1
        obj = _as(node, "object")
        if must:
            obj.setdefault("required", set()).add(token)
        child = obj.setdefault("props", {}).setdefault(token, {})
        for _ in range(arrays):
            child = _as(child, "array").setdefault("items_node", {})
        if last:
            child.setdefault("kind", kind)
        node = child


def _as(node: dict[str, Any], kind: str) -> dict[str, Any]:
    node.setdefault("kind", kind)
    return node


def _finish(node: dict[str, Any]) -> dict[str, Any]:
    kind = node.get("kind")
    if kind == "object" or "props" in node:
        schema: dict[str, Any] = {"type": "object"}
        if node.get("props"):
            schema["properties"] = {k: _finish(v) for k, v in sorted(node["props"].items())}
        if node.get("required"):
            schema["required"] = sorted(node["required"])
        return schema
    if kind == "array":
        return {"type": "array", **({"items": _finish(node["items_node"])} if "items_node" in node else {})}
    return dict(LEAF.get(kind or "", {}))


# --- shared pieces ------------------------------------------------------------------------

ERROR_BODY = {
    "type": "object", "required": ["code", "description"],
    "properties": {"code": {"type": "integer"}, "description": {"type": "string"},
                   "data": {"type": "array", "items": {"type": "string"}}, "source": {"type": "string"}},
}
OAUTH_ERROR = {
    "type": "object", "required": ["error", "error_description"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"},
                   "error_codes": {"type": "array", "items": {"type": "integer"}}},
}
TOKEN_FORM = {
    "type": "object", "required": ["grant_type"],
    "properties": {name: {"type": "string"} for name in (
        "grant_type", "client_id", "client_secret", "resource", "scope", "username", "password",
        "refresh_token", "code")},
}
# Stateful links (OpenAPI 3 `links`): what a client does next with an answer, so that schemathesis
# explores customer -> cart -> checkout -> order -> subscription rather than single calls.
CUSTOMER = "$request.path.customer-id"
NEW_COMMERCE_CART = {"lineItems": [{"id": 0, "catalogItemId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "quantity": 2,
                                    "termDuration": "P1M", "billingCycle": "Monthly"}]}
# A partner user confirms the new customer's acceptance of the Customer Agreement before it buys (13605).
AGREEMENT = {"primaryContact": {"firstName": "Tania", "lastName": "Carr", "email": "someone@example.com"},
             "templateId": "117a77b0-9360-443b-8795-c6dedc750cf9", "dateAgreed": "2018-06-14T00:00:00.000Z",
             "type": "MicrosoftCustomerAgreement"}
LINKS: dict[str, dict[str, dict[str, Any]]] = {
    "U3": {"G3": {"customer-id": "$response.body#/id", "requestBody": AGREEMENT},
           "U2": {"customer-id": "$response.body#/id"},
           "K1": {"customer-id": "$response.body#/id", "requestBody": NEW_COMMERCE_CART},
           "S1_S2_S3": {"customer-id": "$response.body#/id"}, "O2": {"customer-id": "$response.body#/id"}},
    "G3": {"K1": {"customer-id": CUSTOMER, "requestBody": NEW_COMMERCE_CART}},
    "K1": {"K2": {"customer-id": CUSTOMER, "cart-id": "$response.body#/id"},
           "K4": {"customer-id": CUSTOMER, "cart-id": "$response.body#/id"}},
    "K4": {"O3": {"customer-id": CUSTOMER, "order-id": "$response.body#/orders/0/id"},
           "S1_S2_S3": {"customer-id": CUSTOMER, "order_id": "$response.body#/orders/0/id"}},
    "O1": {"O3": {"customer-id": CUSTOMER, "order-id": "$response.body#/id"}},
    "O3": {"O5": {"customer-id": CUSTOMER, "order-id": "$response.body#/id"}},
    "S1_S2_S3": {"S4": {"customer-id": CUSTOMER, "subscription-id": "$response.body#/items/0/id"},
                 "S6": {"customer-id": CUSTOMER, "subscription-id": "$response.body#/items/0/id"},
                 "N2": {"customer-id": CUSTOMER, "subscription-id": "$response.body#/items/0/id"}},
    "S4": {"S5": {"customer-id": CUSTOMER, "subscription-id": "$response.body#/id",
                  "requestBody": "$response.body"},
           "S7": {"customer-id": CUSTOMER, "subscription-id": "$response.body#/id"}},
}
DESCRIPTIONS = {400: "invalid input", 401: "no valid token", 403: "not allowed for this caller or item",
                404: "no such resource for this partner", 409: "conflicts with the resource's state",
                405: "the id is a word of another path here (e.g. `overage`), which does not serve this method",
                501: "not simulated: a Partner Center error body (900127), never a fake success"}


APP_USER_ONLY = "; App+User tokens only: an App-only token is refused (900329)"


def _json(schema: dict[str, Any], description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        answer["headers"] = headers
    return answer


def _document(media_type: str, description: str) -> dict[str, Any]:
    """A file answer (I8's PDF): bytes of its media type, named by Content-Disposition."""
    return {"description": description,
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
            "headers": {"Content-Disposition": {"schema": {"type": "string"},
                                                "description": "attachment; filename=<the file's name>"}}}


def _oauth_error() -> dict[str, Any]:
    return _json({"$ref": "#/components/schemas/OAuthError"}, "an OAuth error")


def _error(status: int) -> dict[str, Any]:
    return _json({"$ref": "#/components/schemas/Error"}, DESCRIPTIONS.get(status, "error"))


def model_schema(model: type[wire.WireModel], components: dict[str, Any]) -> dict[str, Any]:
    """The model's JSON schema by alias (camelCase), its sub-models added to the components."""
    schema = model.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}",
                                     mode="validation")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = _nullable(sub)
    components[model.__name__] = _nullable(schema)
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _nullable(schema: Any) -> Any:
    """OpenAPI 3.0 has no `type: null`: `anyOf [X, {type: null}]` becomes X with `nullable`."""
    if isinstance(schema, dict):
        options = schema.get("anyOf")
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            merged = {k: v for k, v in schema.items() if k != "anyOf"}
            if len(rest) == 1 and "$ref" not in rest[0]:
                merged.update(_nullable(rest[0]))
            else:
                merged["anyOf"] = [_nullable(o) for o in rest]
            merged["nullable"] = True
            return merged
        return {k: _nullable(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_nullable(v) for v in schema]
    return schema


# --- the document -------------------------------------------------------------------------

def spelled(route_path: str, contracts: Iterable[dict[str, Any]]) -> str:
    """The route's path as the service spells it: literal words from any contract of the same
    shape (`azureEntitlements`, `productUpgrades`), parameters as api.md names them (`{customer-id}`)."""
    words: dict[str, str] = {}
    for contract in contracts:
        for part in contract["path"].split("/"):
            if part and not part.startswith("{"):
                words.setdefault(part.lower(), part)
    return "/".join("{" + p[1:-1].replace("_", "-") + "}" if p.startswith("{") else words.get(p.lower(), p)
                    for p in route_path.split("/"))


def pick(contracts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Operations sharing a route (S1/S2/S3) share one entry: the paths every one of them carries."""
    if not contracts:
        return None
    if len(contracts) == 1:
        return contracts[0]
    common = set.intersection(*(set(c["paths"]) for c in contracts))
    first = min(contracts, key=lambda c: c["id"])
    return {**first, "id": "/".join(sorted(c["id"] for c in contracts)),
            "paths": {p: first["paths"][p] for p in sorted(common)},
            "knownGaps": {}}


def build(routes: list[BaseRoute], not_simulated: set[tuple[str, str]], contracts: list[dict[str, Any]],
          server: str = "/") -> dict[str, Any]:
    by_shape: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for contract in contracts:
        by_shape.setdefault((contract["method"].upper(), shape(contract["path"])), []).append(contract)
    components: dict[str, Any] = {"Error": ERROR_BODY, "OAuthError": OAUTH_ERROR}
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if not isinstance(route, Route) or not route.include_in_schema:
            continue
        methods = route.methods or set()
        # A GET route serves HEAD too (Starlette): only a HEAD-only route (D1) documents its HEAD.
        for method in sorted(methods - {"HEAD"} if "GET" in methods else methods):
            key = (method, shape(route.path))
            found = by_shape.get(key, [])
            same_shape = [c for (m, s), cs in by_shape.items() if s == key[1] for c in cs]
            path = spelled(route.path, same_shape or contracts)
            if method.lower() in paths.get(path, {}):
                continue  # a 501 placeholder and its implementation: the implementation comes later
            entry = operation(route, method, pick(found), key in not_simulated, components)
            if shadowed(route.path, routes) and "501" not in entry["responses"]:
                entry["responses"]["405"] = _error(405)
            paths.setdefault(path, {})[method.lower()] = entry
    add_links(paths)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Partner Center REST API (pcsim)", "version": "v1",
                 "description": "The operations pcsim serves, as Partner Center spells them. Operations "
                                "answered 501 are documented as not simulated. `/_simulator` is pcsim's "
                                "own control API; `/{tenant}/oauth2` is the simulated Entra ID."},
        "servers": [{"url": server}],
        "paths": {p: paths[p] for p in sorted(paths)},
        "components": {"schemas": {k: components[k] for k in sorted(components)},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }


def shadowed(path: str, routes: list[BaseRoute]) -> bool:
    """Whether an id of this path can be a word another path uses there: such a request belongs to
    the other path, and a method that path does not serve is a 405."""
    return any(covers(path, getattr(route, "path", "")) for route in routes)


def add_links(paths: dict[str, dict[str, Any]]) -> None:
    by_id = {op["operationId"]: (path, op) for path, ops in paths.items() for op in ops.values()}
    for source, targets in LINKS.items():
        if source not in by_id:
            continue
        _, op = by_id[source]
        success = next(status for status in sorted(op["responses"]) if status.startswith("2"))
        links = op["responses"][success].setdefault("links", {})
        for target, values in targets.items():
            if target not in by_id:
                continue
            link: dict[str, Any] = {"operationId": target,
                                    "parameters": {k: v for k, v in values.items() if k != "requestBody"}}
            if "requestBody" in values:
                link["requestBody"] = values["requestBody"]
            links[target] = link


def operation(route: Route, method: str, contract: dict[str, Any] | None, stub: bool,
              components: dict[str, Any]) -> dict[str, Any]:
    declared: wire.Operation = getattr(route.endpoint, "operation", None) or wire.Operation()
    path_params = [{"name": name.replace("_", "-"), "in": "path", "required": True, "schema": {"type": "string"}}
                   for name in PARAM.findall(route.path)]
    query = [{"name": q.rstrip("!"), "in": "query", "required": q.endswith("!"), "schema": {"type": "string"}}
             for q in declared.query]
    headers = [{"name": h, "in": "header", "required": False, "schema": {"type": "string"}}
               for h in declared.headers]
    entry: dict[str, Any] = {"operationId": _operation_id(method, route.path, contract),
                             "tags": [_tag(route.path)]}
    summary = declared.summary or (contract or {}).get("operation") or next(
        (e.name for e in ENDPOINTS if e.method == method and shape(e.route) == shape(route.path)), None)
    if summary:
        entry["summary"] = summary
    if path_params or query or headers:
        entry["parameters"] = path_params + query + headers
    responses: dict[str, Any] = {}
    partner_center = route.path.startswith("/v1")
    if stub:
        entry["summary"] = f"{summary or route.path} (not simulated: answers 501)"
        entry["x-pcsim-simulated"] = False
        entry["responses"] = {"401": _error(401), "501": _error(501)}
        entry["security"] = [{"bearer": []}]
        return entry
    if declared.body is not None:
        entry["requestBody"] = {"required": declared.body_required, "content": {
            "application/json": {"schema": model_schema(declared.body, components)}}}
    elif declared.form:
        entry["requestBody"] = {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": TOKEN_FORM}}}
    if contract is not None:
        status = int(contract["status"])
        if declared.content is not None:
            responses[str(status)] = _document(declared.content, contract.get("operation", "success"))
        elif status in (202, 204) and not contract["paths"]:
            responses[str(status)] = {"description": contract.get("operation", "accepted")}
        else:
            responses[str(status)] = _json(schema_from_paths(contract["paths"], contract.get("knownGaps")),
                                           contract.get("operation", "success"))
        for extra in declared.statuses:
            # P10: the data is not ready yet, no body (get-a-customer-s-utilization-record-for-azure.md)
            if extra == 204:
                responses["204"] = {"description": "not ready yet: ask again after Retry-After seconds",
                                    "headers": {"Retry-After": {"schema": {"type": "integer"}}}}
                continue
            responses[str(extra)] = _json(schema_from_paths(contract["paths"], contract.get("knownGaps")),
                                          "accepted, to finish later (Location)",
                                          {"Location": {"schema": {"type": "string"}}})
    elif declared.content is not None:  # a document without a contract (the webhook signing certificate)
        responses[str(declared.status)] = _document(declared.content, declared.summary or "success")
    elif declared.status == 204:
        responses["204"] = {"description": declared.summary or "done"}
    elif declared.content is not None:  # a file with no contract (the agreement document behind a G4 link)
        responses[str(declared.status)] = _document(declared.content, declared.summary or "the file")
    else:
        responses[str(declared.status)] = _json(declared.response or {"type": "object"}, declared.summary or "success")
    if partner_center:
        for status in ERROR_STATUSES:
            responses.setdefault(str(status), _error(status))
        if declared.partial:
            responses["501"] = _error(501)
        if declared.user_only:
            responses["403"] = _json({"$ref": "#/components/schemas/Error"}, DESCRIPTIONS[403] + APP_USER_ONLY)
            entry["x-pcsim-app-user-only"] = True
        entry["security"] = [{"bearer": []}]
    elif declared.body is not None:
        responses["400"] = _error(400)
    for status in declared.errors:
        responses.setdefault(str(status), _oauth_error() if declared.oauth else _error(status))
    if method == "HEAD":  # no body, whatever the status (D1: 200 taken, 404 free)
        responses = {status: {"description": answer["description"]} for status, answer in responses.items()}
    entry["responses"] = dict(sorted(responses.items()))
    return entry


def _operation_id(method: str, path: str, contract: dict[str, Any] | None) -> str:
    if contract is not None:
        return contract["id"].replace("/", "_")
    documented = [e.id for e in ENDPOINTS if e.method == method and shape(e.route) == shape(path)]
    if documented:
        return "_".join(documented)
    words = [p for p in re.split(r"[/{}_.\-]+", path) if p]
    return method.lower() + "_" + "_".join(words)


def _tag(path: str) -> str:
    parts = [p for p in path.split("/") if p and not p.startswith("{")]
    if path.startswith("/_simulator") or path == "/openapi.json":
        return "simulator"
    if path.startswith("/agreementdocuments"):
        return "agreements"
    if not path.startswith("/v1"):
        return "entra-id"
    for word in ("invoices", "usagerecords", "usagesummary", "usagebudget", "productupgrades", "subscriptions",
                 "orders", "carts", "products", "extensions", *AROUND_PURCHASES, "customers"):
        if word in parts:
            return {"usagerecords": "usage", "usagesummary": "usage", "usagebudget": "usage",
                    "extensions": "products", "productupgrades": "subscriptions",
                    **AROUND_PURCHASES}.get(word, word)
    return "other"


# api-integration.md 1.11-1.13: a path word and its tag.
AROUND_PURCHASES = {"agreements": "agreements", "agreementtemplates": "agreements",
                    "directsignedmicrosoftcustomeragreementstatus": "agreements", "domains": "validation",
                    "validations": "validation", "countryvalidationrules": "validation",
                    "validationstatus": "validation", "profiles": "profiles"}


def document_bytes(routes: list[BaseRoute], not_simulated: set[tuple[str, str]]) -> bytes:
    return wire.dumps(build(routes, not_simulated, load_contracts()))

