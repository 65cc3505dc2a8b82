"""The suite's fixtures; what they are made of (the app builder, Api, the shared steps) is tests/helpers.py.

Every app `make_api` (and so `api`) builds runs each test once per storage backend
(simulator.store.BACKENDS): memory, and a SQLite `--state` file in the test's tmp_path. Its clock
is manual (it moves only when a test advances it, unlike `pcsim serve`'s running clock), so every
test is reproducible.
"""
from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.register_assert_rewrite("tests.helpers")

from simulator.store import BACKENDS  # noqa: E402
from tests.helpers import Api, close_api, open_api, state_overrides  # noqa: E402

# The pcsim fixtures (simulator/pytest_plugin) reach other projects through the pytest11 entry point
# `pcsim` of an installed pcsim, loaded before any conftest. An uninstalled checkout (or one run with
# PYTEST_DISABLE_PLUGIN_AUTOLOAD) registers the plugin here; doing both would register the module
# twice under two names, which pytest refuses.
if "simulator.pytest_plugin" not in sys.modules:
    pytest_plugins = ["simulator.pytest_plugin"]


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject's addopts): the whole suite, or a folder of it, on every core (pytest-xdist's
    count); named test files or tests in this one process, which starts sooner than workers do. `-n N`
    on the command line decides instead."""
    for arg in config.args:
        if Path(arg.partition("::")[0]).is_dir():
            return None  # pytest-xdist's own count
    return 0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test gets a node id of its own: schemathesis names its generated tests (one per operation of
    tests/test_schemathesis.py) all `test_every_operation`, and pytest-xdist's loadgroup scheduling keys
    its queue by node id, so it would run one of them and drop the rest. The operation's label is added."""
    seen: dict[str, int] = {}
    for item in items:
        seen[item.nodeid] = seen.get(item.nodeid, 0) + 1
    for item in items:
        if seen[item.nodeid] > 1:
            unique = f"{item.nodeid}[{getattr(item, 'operation_label', None) or id(item)}]"
            if hasattr(item, "_id"):  # pytest 9: a structured node id
                item._id = type(item._id).parse(unique)
            else:
                item._nodeid = unique


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(params=BACKENDS)
def store_backend(request: pytest.FixtureRequest) -> str:
    """The storage backend of the apps a test builds; each test that builds one runs on each."""
    return str(request.param)


@pytest.fixture
def make_api(loop: asyncio.AbstractEventLoop, store_backend: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """make_api(**build) -> Api: tests.helpers.build_app's options (settings overrides, catalog, clock …),
    on the test's store backend; every one is closed when the test ends."""
    made: list[Api] = []

    def make(**build: Any) -> Api:
        folder = None if store_backend == "memory" else request.getfixturevalue("tmp_path")
        api = open_api(loop, **{**state_overrides(store_backend, folder, len(made)), **build})
        made.append(api)
        return api

    yield make
    for api in made:
        close_api(api)


@pytest.fixture
def api(make_api: Any) -> Api:
    made: Api = make_api()
    return made
