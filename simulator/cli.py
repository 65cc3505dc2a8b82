"""`pcsim serve` runs the simulator; `pcsim contracts check|report` compares it with the contracts."""
from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path
from typing import Any

from simulator import settings as settings_module


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pcsim", description="A stateful simulator of the Microsoft Partner Center REST API.")
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser(
        "serve", help="serve the simulator over HTTP (or HTTPS with --tls)",
        description="Serve the simulator. Every flag also reads a PCSIM_* environment variable.")
    settings_module.add_arguments(serve)
    health = commands.add_parser(
        "health", help="exit 0 if a pcsim on the configured host/port answers its health check",
        description="Checks /_simulator/health of the pcsim that the same PCSIM_* settings would serve "
                    "(a wildcard bind address is checked on loopback). Used by the container HEALTHCHECK.")
    settings_module.add_arguments(health)
    contracts = commands.add_parser(
        "contracts", help="check the simulator against the API contracts",
        description="Runs a scenario through a fresh in-process simulator and compares its answers with the "
                    "contracts and the recorded documentation examples shipped with pcsim (package "
                    "pcsim_contracts: contracts/ and contracts/recorded/ of the repository), from any directory.")
    contracts.add_argument("action", choices=["check", "report"],
                           help="check: compare responses with the contracts; report: the Markdown coverage page "
                                "(docs/coverage.md), one row per operation (implemented or 501, recall, "
                                "minRecall, last checked)")
    contracts.add_argument("dirs", nargs="*", type=Path,
                           help="contract and recorded-example folders to read instead (default: the installed "
                                "contracts and their recorded/ folder)")
    contracts.add_argument("--write", type=Path, metavar="PATH",
                           help="report: write the page to PATH (docs/coverage.md) instead of printing it")
    return parser


SERVE_CLOCK = "running"  # `pcsim serve`'s clock when --clock / PCSIM_CLOCK is not given (create_app's is manual)


def build(settings: settings_module.Settings) -> Any:
    """The app `serve` runs, with what its start has to report (the --state file, the demo data)."""
    from simulator import persistence
    from simulator.app import create_app
    from simulator.store import StoreSchemaError

    settings = settings_module.replace(settings, clock=settings.clock or SERVE_CLOCK)
    try:
        app = create_app(settings)
    except StoreSchemaError as exc:  # a --state file this pcsim can't use (or can't use now)
        print(f"pcsim: --state: {exc}", file=sys.stderr)
        return None
    if settings.state is not None:
        print(persistence.describe(app.ctx), flush=True)
    if settings.demo:
        from simulator import demo

        print(demo.describe(app.ctx, demo.load_demo(app.ctx), settings.default_tenant), flush=True)
    return app


def stop(app: Any) -> None:
    """A --state file gets the last tracing draws and is let go."""
    from simulator import persistence

    persistence.close(app.ctx)


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = settings_module.from_args(args)
    try:
        start = settings.start()
    except ValueError:
        print(f"pcsim: --start-time {settings.start_time!r} is not an ISO-8601 time", file=sys.stderr)
        return 2
    from simulator import clock as clock_module

    try:
        if start is not None:
            clock_module.bounded(start)
    except clock_module.OutOfRange as exc:
        print(f"pcsim: --start-time: {exc}", file=sys.stderr)
        return 2
    try:
        clock_module.check(settings.clock or SERVE_CLOCK, settings.clock_speed)
    except ValueError as exc:
        print(f"pcsim: --clock / --clock-speed: {exc}", file=sys.stderr)
        return 2
    app = build(settings)
    if app is None:
        return 2

    tls: dict[str, Any] = {}
    scheme = "http"
    if settings.tls:
        from simulator import tls as tls_module

        try:
            files = tls_module.ensure(settings.tls_folder(), settings.host)
        except OSError as exc:
            print(f"pcsim: cannot write the TLS files to {settings.tls_folder()}: {exc}", file=sys.stderr)
            return 2
        # An idle keep-alive client (MSAL's pooled session) never answers the TLS close_notify, and
        # uvicorn would wait out asyncio's 30 s SSL shutdown for it on every stop.
        tls = {"ssl_certfile": str(files.cert), "ssl_keyfile": str(files.key), "timeout_graceful_shutdown": 3}
        scheme = "https"
        print(f"pcsim: TLS CA bundle at {files.ca} (trust it with REQUESTS_CA_BUNDLE / SSL_CERT_FILE)", flush=True)

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if not self.should_exit:
                console = "" if settings.no_control else ", console in a browser: /_simulator/console"
                print(f"pcsim ready on {scheme}://{settings.host}:{settings.port} "
                      f"(health: /_simulator/health{console})", flush=True)

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            await super().shutdown(sockets)
            stop(app)  # here, not after run(): uvicorn re-raises SIGTERM once it has stopped, which ends the process

    from simulator import serving

    warn_if_open(settings)
    # loop "auto": uvloop (a dependency of pcsim; about 40 % less CPU per request than asyncio,
    # bench/README.md), asyncio where it is not installed (Windows); the protocol is httptools' (or
    # h11's) with a deadline for request heads; long requests run on a thread of their own, so that
    # health answers meanwhile (simulator/serving.py).
    served = serving.Served(app)
    config = uvicorn.Config(served, host=settings.host, port=settings.port, log_level="warning",
                            lifespan="off", loop="auto", **serving.options(), **tls)
    try:
        Server(config).run()
    finally:
        stop(app)  # if it did not stop cleanly (a port in use); closing twice is harmless
        served.close()
    return 0


def warn_if_open(settings: settings_module.Settings) -> None:
    """A loud warning when the control API is open to more than this machine."""
    from simulator.control import guard

    if guard.loopback_bind(settings) or settings.control_token or settings.no_control:
        return
    bar = "!" * 78
    print(f"{bar}\npcsim: WARNING: listening on {settings.host} with the control API open to anyone who "
          f"reaches the port:\n  they can reset, seed, snapshot and move the clock. Set --control-token "
          f"(PCSIM_CONTROL_TOKEN)\n  or --no-control, or keep the port on a private network "
          f"(docs/control-api.md#access).\n{bar}", file=sys.stderr, flush=True)


def health(args: argparse.Namespace) -> int:
    import json
    import urllib.request

    settings = settings_module.from_args(args)
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(settings.host, settings.host)
    host = f"[{host}]" if ":" in host else host
    scheme, context = "http", None
    if settings.tls:
        import ssl

        scheme, ca = "https", settings.tls_folder() / "ca.pem"
        try:
            context = ssl.create_default_context(cafile=str(ca))
        except (OSError, ssl.SSLError) as exc:
            print(f"pcsim health: cannot read the CA bundle {ca}: {exc}")
            return 1
    try:
        with urllib.request.urlopen(f"{scheme}://{host}:{settings.port}/_simulator/health", timeout=3,
                                    context=context) as reply:
            ok = reply.status == 200 and json.loads(reply.read()).get("status") == "ok"
    except OSError as exc:
        print(f"pcsim health: {exc}")
        return 1
    print("pcsim health: ok" if ok else "pcsim health: unhealthy")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "health":
        return health(args)
    if args.command == "contracts":
        from simulator.contracts import main as contracts_main
        from simulator.contracts import report_main

        if args.write is not None and args.action != "report":
            parser.error("--write goes with `contracts report`")
        try:
            import httpx  # noqa: F401 - the scenario drives the app through httpx's ASGI transport
        except ModuleNotFoundError:
            print("pcsim contracts needs httpx, one of the test extras: pip install 'pcsim[test]'", file=sys.stderr)
            return 2
        if args.action == "report":
            return report_main(args.dirs, write=args.write)
        return contracts_main(args.dirs)
    parser.print_help()
    return 0 if argv is None and len(sys.argv) > 1 else 2
