"""pcsim's command lines and the wheel's package list, from this clone. The container image itself (its
context, install, CMD and HEALTHCHECK) is tested by tests/test_container.py."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.helpers import ROOT, free_port


def as_local(argv: list[str]) -> list[str]:
    """`pcsim …` as the installed console script would run it, whatever PATH this test has."""
    return [sys.executable, "-m", "simulator", *argv[1:]] if argv[0] == "pcsim" else argv


def test_health_check_fails_when_nothing_listens() -> None:
    env = {**os.environ, "PCSIM_PORT": str(free_port()), "PYTHONPATH": str(ROOT)}
    check = subprocess.run(as_local(["pcsim", "health"]), env=env, capture_output=True, text=True, timeout=20)
    assert check.returncode == 1
    assert check.stdout.startswith("pcsim health: ")


def test_serve_help_names_every_environment_variable() -> None:
    from simulator.settings import Settings
    from dataclasses import fields

    shown = subprocess.run(as_local(["pcsim", "serve", "--help"]), capture_output=True, text=True, timeout=20,
                           env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"})
    assert shown.returncode == 0
    for f in fields(Settings):
        assert f"PCSIM_{f.name.upper()}" in shown.stdout


def test_the_wheel_lists_every_package_of_the_source_tree() -> None:
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "simulator").rglob("__init__.py")}
    assert found <= listed, f"pyproject.toml misses {sorted(found - listed)}"
