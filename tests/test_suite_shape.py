"""The suite's own shape: what test files share lives in tests/helpers.py, and apps are built one way.

- No test file imports another test module (test_*.py, conftest.py): shared steps, constants and builders
  are in tests/helpers.py, which imports no test module either.
- `create_app(...)` is called in tests/helpers.py only (build_app / open_api take the options a test needs:
  settings, a store, a catalog, a clock, a --state file, the app `pcsim serve` builds). A script a test runs
  in a fresh Python process is text, not a call of this suite, and is not counted.
- tests/conftest.py holds fixtures (and pytest's hooks) only.

The files are read as Python syntax trees, so a name in a docstring or a string does not count.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

TESTS = ROOT / "tests"
BUILDER = "create_app"
HOME = "helpers.py"  # the one module that may call the builder
# Files that may call create_app besides helpers.py, each with the reason; keep it empty unless truly needed.
EXEMPT: dict[str, str] = {}


def is_test_module(dotted: str) -> bool:
    """A module of the suite other than the helpers: tests.test_x, tests.conftest, test_x (rootdir imports)…"""
    parts = dotted.split(".")
    if parts[0] == "tests":
        return parts[1:] != ["helpers"]
    last = parts[-1]
    return last.startswith("test_") or last == "conftest"


def imported_test_modules(source: str) -> list[str]:
    """The test modules `source` imports: `import tests.x`, `from tests.x import …`, `from tests import x`,
    `from . import x`, `from .x import …` (in the tests package), `import test_x` — helpers excepted."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if is_test_module(a.name)]
        elif isinstance(node, ast.ImportFrom):
            base = "tests" + ("." + node.module if node.module else "") if node.level else (node.module or "")
            if base == "tests":  # from tests import x / from . import x
                found += [f"tests.{a.name}" for a in node.names if is_test_module(f"tests.{a.name}")]
            elif is_test_module(base):
                found.append(base)
    return found


def builder_calls(source: str) -> list[int]:
    """The lines where `source` calls create_app (by name or as an attribute: app.create_app(...))."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name == BUILDER:
                lines.append(node.lineno)
    return lines


def suite_files() -> list[Path]:
    files = sorted(TESTS.glob("*.py"))
    assert TESTS / HOME in files and TESTS / "conftest.py" in files
    return files


def test_no_test_file_imports_another_test_module() -> None:
    offenders = {f.name: mods for f in suite_files() if (mods := imported_test_modules(f.read_text(encoding="utf-8")))}
    assert offenders == {}, "move what they share into tests/helpers.py"


def test_apps_are_built_by_the_helpers_only() -> None:
    calls = {f.name: lines for f in suite_files()
             if f.name != HOME and f.name not in EXEMPT and (lines := builder_calls(f.read_text(encoding="utf-8")))}
    assert calls == {}, "build apps with tests.helpers.build_app / open_api (or the make_api fixture)"
    assert builder_calls((TESTS / HOME).read_text(encoding="utf-8")), "helpers.build_app calls create_app"


def test_conftest_holds_fixtures_only() -> None:
    tree = ast.parse((TESTS / "conftest.py").read_text(encoding="utf-8"))
    plain = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            fixture = any("fixture" in ast.unparse(d) for d in getattr(node, "decorator_list", []))
            if not fixture and not node.name.startswith("pytest_"):  # a hook of pytest or its plugins
                plain.append(node.name)
    assert plain == [], "plain functions and classes belong in tests/helpers.py"


# --- the checks catch what they are for ---------------------------------------------------------
@pytest.mark.parametrize("source, found", [
    ("from tests.test_carts import SOFTWARE", ["tests.test_carts"]),
    ("from tests.conftest import Api", ["tests.conftest"]),
    ("import tests.test_usage as usage", ["tests.test_usage"]),
    ("from tests import test_usage, helpers", ["tests.test_usage"]),
    ("from . import conftest", ["tests.conftest"]),
    ("from .test_store import opened", ["tests.test_store"]),
    ("import test_store", ["test_store"]),
    ("def f():\n    from tests.test_usage import DAY\n", ["tests.test_usage"]),
    ("from tests.helpers import Api\nfrom . import helpers\nfrom simulator.app import create_app", []),
])
def test_test_module_imports_are_found(source: str, found: list[str]) -> None:
    assert imported_test_modules(source) == found


@pytest.mark.parametrize("source, found", [
    ("app = create_app(settings)", [1]),
    ("from simulator import app\n\nx = app.create_app()", [3]),
    ("def f():\n    return Api(create_app(), loop)", [2]),
    ('SCRIPT = """\napp = create_app()\n"""', []),  # a script for another process
    ("build_app(wall='real')  # not create_app(", []),
])
def test_builder_calls_are_found(source: str, found: list[int]) -> None:
    assert builder_calls(source) == found
