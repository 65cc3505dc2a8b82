"""Snapshots: the whole state kept under a name and put back on demand.

A snapshot holds every store document (`Store.dump()`), the simulated clock's now and the state of
both id streams (business ids and tracing ids), so that after a restore the same requests give the
same ids again. Restoring is the one way the clock moves back. Snapshots live in memory on the app
(`app.state.control.snapshots`), the store never sees them: deflated (store documents repeat their
keys and most values: 2,000 customers take some 1 MB), at most `--max-snapshots` of them and at most
`--max-snapshot-bytes` together. A snapshot that would go over either bound is refused with 409 and
nothing is dropped: the client deletes the ones it no longer needs.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import errors, wire
from simulator.context import Context

NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"


class SnapshotIn(wire.WireModel):
    name: str = Field(pattern=NAME, description="letters, digits, `.`, `_` and `-`; 128 at most")


@dataclass(frozen=True)
class Snapshot:
    name: str
    now: datetime       # the simulated clock's
    taken_at: datetime  # wall time
    docs: bytes         # Store.dump(), deflated
    ids: Any            # Ids.state(): the seed and both streams

    def wire(self) -> dict[str, Any]:
        return {"name": self.name, "now": wire.iso(self.now), "takenAt": wire.iso(self.taken_at)}


class Shelf:
    """The app's snapshots by name, in the order they were taken."""

    def __init__(self, limit: int, largest: int) -> None:
        self.limit, self.largest = max(limit, 0), max(largest, 0)
        self.items: dict[str, Snapshot] = {}

    def size(self, but: str | None = None) -> int:
        """The bytes the snapshots take (but the one named `but`)."""
        return sum(len(s.docs) for name, s in self.items.items() if name != but)


def take(ctx: Context, shelf: Shelf, name: str) -> Snapshot:
    """Keeps the whole state under `name`; the same name again replaces that snapshot."""
    if name not in shelf.items and len(shelf.items) >= shelf.limit:
        raise errors.TooManySnapshots(shelf.limit)
    with ctx.store.transaction():  # a consistent copy, whatever the backend
        docs = zlib.compress(ctx.store.dump(), 1)
    total = shelf.size(but=name) + len(docs)
    if total > shelf.largest:
        raise errors.TooManySnapshotBytes(total, shelf.largest)
    snapshot = Snapshot(name, ctx.clock.now(), ctx.clock.wall(), docs, ctx.ids.state())
    shelf.items.pop(name, None)
    shelf.items[name] = snapshot
    return snapshot


def find(shelf: Shelf, name: str) -> Snapshot:
    found = shelf.items.get(name)
    if found is None:
        raise errors.SnapshotNotFound(name)
    return found


def restore(ctx: Context, shelf: Shelf, name: str) -> Snapshot:
    """Everything goes back to the snapshot: documents, clock (earlier or later) and id streams."""
    snapshot = find(shelf, name)
    ctx.ids.restore(snapshot.ids)
    ctx.clock.restore(snapshot.now)
    # Last, in one transaction: a store that persists the clock and ids on commit (--state) keeps these.
    with ctx.store.transaction():
        ctx.store.load(zlib.decompress(snapshot.docs))
    ctx.catalog.rendered.clear()
    return snapshot


def delete(shelf: Shelf, name: str) -> None:
    find(shelf, name)
    del shelf.items[name]


# --- endpoints ----------------------------------------------------------------------------

TIME = {"type": "string", "format": "date-time"}
SNAPSHOT = {"type": "object", "required": ["name", "now", "takenAt"],
            "properties": {"name": {"type": "string"}, "now": TIME, "takenAt": TIME}}
RESTORED = {"type": "object", "required": ["name", "now"], "properties": {"name": {"type": "string"}, "now": TIME}}
SNAPSHOTS = wire.collection_schema(SNAPSHOT)


def shelf_of(request: Request) -> Shelf:
    shelf: Shelf = request.app.state.control.snapshots
    return shelf


@wire.operation(summary="keep the whole state (documents, clock, id streams) under a name", body=SnapshotIn,
                status=201, response=SNAPSHOT, errors=[401, 409])
async def take_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    body = await wire.parse_body(request, SnapshotIn)
    return wire.respond(take(ctx, shelf_of(request), body.name).wire(), 201)


@wire.operation(summary="the snapshots kept, oldest first", response=SNAPSHOTS, errors=[401])
async def list_endpoint(request: Request) -> Response:
    items = [snapshot.wire() for snapshot in shelf_of(request).items.values()]
    return wire.respond(wire.collection(items))


@wire.operation(summary="go back to a snapshot: documents, clock (the one way it moves back) and ids",
                response=RESTORED, errors=[401, 404])
async def restore_endpoint(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    snapshot = restore(ctx, shelf_of(request), request.path_params["name"])
    return wire.respond({"name": snapshot.name, "now": wire.iso(ctx.clock.now())})


@wire.operation(summary="forget a snapshot", status=204, errors=[401, 404])
async def delete_endpoint(request: Request) -> Response:
    delete(shelf_of(request), request.path_params["name"])
    return wire.empty()


routes = [
    Route("/_simulator/snapshots", take_endpoint, methods=["POST"]),
    Route("/_simulator/snapshots", list_endpoint, methods=["GET"]),
    Route("/_simulator/snapshots/{name}/restore", restore_endpoint, methods=["POST"]),
    Route("/_simulator/snapshots/{name}", delete_endpoint, methods=["DELETE"]),
]
