"""The only reader of the environment and of command-line flags.

Every setting is a field of `Settings`; each has a `PCSIM_<NAME>` environment variable and a
`--<name>` flag on `pcsim serve` (booleans that default to on are turned off with `--no-<name>`).
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

# The example partner: what --default-tenant names unless told otherwise, and what the docs, the demo
# and the pytest plugin use. Its data is filed under the GUID its token URL gives it
# (simulator.ids.partner_id), which is what the context's settings hold.
DEFAULT_PARTNER_TENANT = "contoso.onmicrosoft.com"


@dataclass(frozen=True)
class Settings:
    host: str = field(default="127.0.0.1", metadata={"help": "address to bind"})
    port: int = field(default=8080, metadata={"help": "port to bind"})
    seed: int = field(default=0, metadata={"help": "seed for every id and random choice (a --state file that "
                                                   "already has one keeps its own)"})
    start_time: str | None = field(
        default=None, metadata={"help": "ISO-8601 start of the simulated clock (default: wall time); ignored "
                                        "when --state names a file that already has a clock"}
    )
    clock: str | None = field(
        default=None,
        metadata={"help": "running or manual. running: simulated time follows wall time (x --clock-speed) from "
                          "its start, so orders provision while a client polls; manual: it moves only when advanced "
                          "(POST /_simulator/clock/advance). Unset: running under `pcsim serve`, manual in "
                          "create_app (tests, the pytest plugin). Switch at runtime with PUT /_simulator/clock "
                          "(docs/clock.md)"},
    )
    clock_speed: float = field(
        default=1.0,
        metadata={"help": "simulated seconds per wall second of a running clock (60: an hour a minute; at most "
                          "1000000)"},
    )
    state: str | None = field(
        default=None,
        metadata={"help": "keep all state in this SQLite file (WAL; a kill -9 loses no write that was answered "
                          "2xx): restarting on the same file brings back the documents, the clock, the seed and "
                          "the id streams, and the file's clock and seed win over --start-time and --seed; an "
                          "older file is migrated, a newer one refused (default: memory only)"},
    )
    order_list_delay: float | None = field(
        default=None,
        metadata={
            "help": "seconds before a new order shows in the customer's order list "
            "(default: 60-900 s per order, drawn from the seed; 0 disables)"
        },
    )
    provisioning_delay: float = field(
        default=30.0, metadata={"help": "seconds an order stays pending before it is provisioned"}
    )
    strict_auth: bool = field(
        default=False, metadata={"help": "accept only tokens issued by the simulator's token endpoint"}
    )
    sandbox_limits: bool = field(
        default=True,
        metadata={"help": "lift the integration sandbox's limits, which apply by default: 75 customers per "
                          "partner, 5 subscriptions per customer, 25 licenses per subscription, 1 Azure plan per "
                          "customer and 10 per partner (lift them for load tests and large seeds)"},
    )
    cart_expiry_days: int = field(default=7, metadata={"help": "days until an unordered cart expires"})
    agreement_required: bool = field(
        default=True,
        metadata={"help": "refuse a new purchase (cart, checkout, direct order) for a customer without the "
                          "Microsoft Customer Agreement on file, as the service does: 403 13605 until a partner "
                          "confirms it (POST /v1/customers/{id}/agreements) or the customer accepted it itself "
                          "(turn it off for quick starts)"},
    )
    default_tenant: str = field(
        default=DEFAULT_PARTNER_TENANT,
        metadata={"help": "the default partner, by name or GUID (one partner either way: the GUID is the one its "
                          "token URL /<name>/oauth2/token gives): --demo loads its data, and bearer tokens the "
                          "simulator did not issue speak for it (non-strict mode)"},
    )
    cancellation_window_days: int = field(
        default=7, metadata={"help": "new-commerce cancel / seat-decrease window in days (7 in the 2023 docs)"}
    )
    slow_patch: bool = field(
        default=False, metadata={"help": "answer subscription PATCH with the documented 202 + Location"}
    )
    partner_country: str = field(default="US", metadata={"help": "the partner's country (ISO-2)"})
    demo: bool = field(
        default=False,
        metadata={"help": "load demo data at start: 10 made-up customers of the default partner with purchases "
                          "across product kinds, bought a day before the clock's start (deterministic per --seed; "
                          "skipped when the partner already has customers); within the sandbox limits, each "
                          "customer can buy 2 more subscriptions. POST /_simulator/seed loads more"},
    )
    tls: bool = field(
        default=False,
        metadata={"help": "serve HTTPS with a certificate from a local CA (made with trustme) and print "
                          "the CA bundle's path; MSAL and ADAL need an https authority"},
    )
    tls_dir: str | None = field(
        default=None,
        metadata={"help": "folder for the --tls CA bundle (ca.pem), CA key and server certificate; "
                          "the CA is reused across restarts (default: pcsim-tls in the system temp folder)"},
    )
    control_token: str | None = field(
        default=None,
        metadata={"help": "require Authorization: Bearer <this token> on every /_simulator route but "
                          "/_simulator/health (else 401)"},
    )
    no_control: bool = field(
        default=False,
        metadata={"help": "turn the control API off: every /_simulator route but /_simulator/health "
                          "answers 404, as an unknown route does"},
    )
    journal_size: int = field(
        default=1000, metadata={"help": "requests the journal keeps (GET /_simulator/requests); 0 keeps none"}
    )
    journal_body_limit: int = field(
        default=4096, metadata={"help": "characters of each request and response body the journal keeps"}
    )
    webhook_delay: float = field(
        default=0.0,
        metadata={"help": "simulated seconds a subscription-updated webhook event waits before it is delivered "
                          "(the docs: up to 48 hours, 172800)"},
    )
    webhook_retry_interval: float = field(
        default=60.0,
        metadata={"help": "simulated seconds between two delivery attempts of a webhook event that failed (10 "
                          "attempts, then it is given up)"},
    )
    webhook_timeout: float = field(
        default=10.0, metadata={"help": "wall seconds a webhook receiver has to answer a delivery"}
    )
    max_snapshots: int = field(
        default=100, metadata={"help": "snapshots kept in memory at most (POST /_simulator/snapshots)"}
    )
    max_snapshot_bytes: int = field(
        default=256 * 1024 * 1024,
        metadata={"help": "bytes all snapshots may take together, compressed (a snapshot that would go over "
                          "is refused with 409)"},
    )
    max_body_size: int = field(
        default=1024 * 1024,
        metadata={"help": "largest request body in bytes; a larger one is refused with 413 before it is read "
                          "whole"},
    )

    def tls_folder(self) -> Path:
        return Path(self.tls_dir) if self.tls_dir else Path(tempfile.gettempdir()) / "pcsim-tls"

    def start(self) -> datetime | None:
        if not self.start_time:
            return None
        return datetime.fromisoformat(self.start_time.replace("Z", "+00:00"))


def _convert(kind: Any, raw: str) -> Any:
    text = str(kind)
    if "bool" in text:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if "float" in text:
        return None if raw.strip().lower() in ("", "none") else float(raw)
    if "int" in text:
        return int(raw)
    return raw or None if "None" in text else raw


def from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        key = "PCSIM_" + f.name.upper()
        if key in environ:
            values[f.name] = _convert(f.type, environ[key])
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for f in fields(Settings):
        flag = "--" + f.name.replace("_", "-")
        env = "PCSIM_" + f.name.upper()
        help_text = f"{f.metadata.get('help', '')} [env {env}, default {f.default}]"
        if "bool" in str(f.type):
            if f.default:
                parser.add_argument("--no-" + f.name.replace("_", "-"), dest=f.name, action="store_const",
                                    const=False, default=None, help=help_text)
            else:
                parser.add_argument(flag, dest=f.name, action="store_const", const=True, default=None,
                                    help=help_text)
        else:
            parser.add_argument(flag, dest=f.name, default=None, type=_converter(f.type), help=help_text)


def _converter(kind: Any) -> Callable[[str], Any]:
    """argparse's `type=` for a field of that kind."""
    return lambda raw: _convert(kind, raw)


def from_args(namespace: argparse.Namespace, environ: Mapping[str, str] | None = None) -> Settings:
    names = {f.name for f in fields(Settings)}
    return from_env(environ, **{k: v for k, v in vars(namespace).items() if k in names})


def replace(settings: Settings, **changes: Any) -> Settings:
    return dataclasses.replace(settings, **changes)
