"""The container's own command lines, run locally (no image can be built here)."""
from __future__ import annotations

import json
import os
import select
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]


def dockerfile() -> dict[str, object]:
    env: dict[str, str] = {}
    found: dict[str, object] = {"env": env}
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    for line in text.splitlines():
        word, _, rest = line.strip().partition(" ")
        if word == "ENV":
            env.update(dict(pair.split("=", 1) for pair in shlex.split(rest)))
        elif word == "CMD":
            found["cmd"] = json.loads(rest)
        elif word == "HEALTHCHECK":
            found["health"] = json.loads(rest.split("CMD", 1)[1])
        elif word in ("EXPOSE", "USER", "FROM"):
            found[word.lower()] = rest
    return found


def as_local(argv: list[str]) -> list[str]:
    """`pcsim …` as the installed console script would run it, whatever PATH this test has."""
    return [sys.executable, "-m", "simulator", *argv[1:]] if argv[0] == "pcsim" else argv


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served() -> Iterator[dict[str, str]]:
    spec = dockerfile()
    env = {**os.environ, **spec["env"], "PCSIM_PORT": str(free_port()), "PYTHONPATH": str(ROOT)}  # type: ignore[dict-item]
    proc = subprocess.Popen(as_local(spec["cmd"]), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,  # type: ignore[arg-type]
                            text=True)
    try:
        deadline = time.monotonic() + 20
        line = ""
        while "ready" not in line:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([proc.stdout], [], [], max(left, 0))
            assert ready, f"no ready line within 20 s: {proc.stderr.read() if proc.poll() is not None else ''}"
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert line or proc.poll() is None, proc.stderr.read()  # type: ignore[union-attr]
        yield env
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            stream.close()  # type: ignore[union-attr]


def test_dockerfile_runs_as_non_root_and_serves_on_all_interfaces() -> None:
    spec = dockerfile()
    assert spec["from"].startswith("python:3.11-slim")  # type: ignore[union-attr]
    assert spec["user"] not in ("", "root", "0")
    assert spec["expose"] == "8080"
    assert spec["env"]["PCSIM_HOST"] == "0.0.0.0"  # type: ignore[index]


def test_the_dockerfile_command_serves_and_its_health_check_passes(served: dict[str, str]) -> None:
    check = subprocess.run(as_local(dockerfile()["health"]), env=served, capture_output=True, text=True,  # type: ignore[arg-type]
                           timeout=20)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "ok" in check.stdout


def test_health_check_fails_when_nothing_listens() -> None:
    env = {**os.environ, "PCSIM_PORT": str(free_port()), "PYTHONPATH": str(ROOT)}
    check = subprocess.run(as_local(["pcsim", "health"]), env=env, capture_output=True, text=True, timeout=20)
    assert check.returncode == 1


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
