"""The physical limit of pcsim's stack: a bare Starlette app on uvicorn that answers every route the
benchmark calls with canned bytes (pcsim's own answers, recorded by bench/run.py), served exactly as
`pcsim serve` serves (uvicorn.Server, loopback, log level warning, no lifespan).

    python bench/bare_app.py --port 8081 --canned canned.json
"""
from __future__ import annotations

import argparse
import base64
import json
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

JSON = "application/json; charset=utf-8"


def build(canned: list[dict[str, Any]]) -> Starlette:
    routes = []
    for entry in canned:
        body, status = base64.b64decode(entry["body"]), int(entry["status"])

        async def endpoint(request: Request, body: bytes = body, status: int = status) -> Response:
            await request.body()  # read what the client sent, as pcsim does
            return Response(body, status_code=status, media_type=JSON)
        routes.append(Route(entry["path"], endpoint, methods=[entry["method"]]))
    return Starlette(routes=routes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--canned", required=True, help="JSON list of {method, path, status, body (base64)}")
    args = parser.parse_args()
    with open(args.canned, encoding="utf-8") as handle:
        app = build(json.load(handle))
    # uvloop and httptools, named rather than "auto": without them installed the baseline would
    # silently be asyncio + h11, about 3x slower per request, and every ratio would flatter pcsim.
    config = uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning", lifespan="off",
                            loop="uvloop", http="httptools")
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
