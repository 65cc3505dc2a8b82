"""The CI service container the way its user runs it, and the CI recipes of docs/ci.md as they are pasted.

No Docker daemon is needed (CI machines have none): `built` rebuilds the image's build context from the
Dockerfile's own COPY lines and .dockerignore in an empty folder, runs its RUN line (`pip install .` for real,
in a fresh venv that stands for the image's Python), starts its CMD with its ENV and passes its HEALTHCHECK.
Where a daemon answers `docker info`, the real image is built and run too. Those three tests are the slow
ones: marked `container` (deselect with `-m "not container"`), they run in the normal suite.

The wait loops of docs/ci.md (its ```sh blocks and the loops in its YAML recipes) run with bash (and sh),
against a port where nothing listens and against a pcsim that comes up while they wait.
"""
from __future__ import annotations

import json
import os
import posixpath
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from tests.helpers import pip_command

ROOT = Path(__file__).resolve().parents[1]
CI_DOC = ROOT / "docs" / "ci.md"
# What the environment of a command in the image holds besides the Dockerfile's ENV; nothing of the
# test's own environment (PYTHONPATH, a developer's PCSIM_*) reaches the server.
IMAGE_BASE_ENV = {"LANG": "C.UTF-8"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- The Dockerfile and .dockerignore, read as Docker reads them -------------------------------------

def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order: continuation lines joined, comment lines dropped (inside a
    continuation too, as Docker does)."""
    found: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or not line:
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        word, _, rest = (pending + line).partition(" ")
        found.append((word.upper(), rest.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continuation line"
    return found


def ignore_rules(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    """.dockerignore as (is an exception `!`, pattern) in order; Docker's matching: `*` and `?` stay
    inside one path segment, `**` spans any number of them, and a pattern that matches a folder matches
    everything in it. Character classes and escapes are refused rather than guessed at."""
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = posixpath.normpath(line.removeprefix("!").strip()).lstrip("/")
        assert not set(pattern) & set("[]\\"), f".dockerignore: this test does not read {line!r}"
        regex, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        rules.append((exception, re.compile(regex + r"\Z")))
    return rules


def in_context(relative: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Whether the build context holds this file (a path relative to the context, with `/`)."""
    parts = relative.split("/")
    candidates = ["/".join(parts[:n]) for n in range(len(parts), 0, -1)]
    excluded = False
    for exception, pattern in rules:
        if any(pattern.match(candidate) for candidate in candidates):
            excluded = not exception
    return not excluded


@dataclass
class Image:
    """What building the Dockerfile left: a filesystem (`root`), a Python (`venv`) and the run settings."""

    root: Path
    venv: Path
    env: dict[str, str] = field(default_factory=dict)
    workdir: str = "/"
    user: str = "root"
    users: set[str] = field(default_factory=set)
    base: str = ""
    health: list[str] = field(default_factory=list)
    health_options: dict[str, str] = field(default_factory=dict)
    cmd: list[str] = field(default_factory=list)

    def host(self, path: str) -> Path:
        """The folder of this machine that stands for `path` in the image (relative to WORKDIR)."""
        absolute = posixpath.normpath(posixpath.join(self.workdir, path))
        return self.root / absolute.lstrip("/")

    def run_env(self, **overrides: str) -> dict[str, str]:
        """The environment of CMD and HEALTHCHECK: the Dockerfile's ENV, the image's Python first on PATH."""
        home = self.host(f"/home/{self.user}")
        return {**IMAGE_BASE_ENV, "PATH": f"{self.venv / 'bin'}:/usr/bin:/bin", "HOME": str(home),
                **self.env, **overrides}

    def command(self, argv: list[str], env: dict[str, str]) -> list[str]:
        """argv with its program found on the image's PATH, which must be the image's own Python's."""
        program = shutil.which(argv[0], path=env["PATH"])
        assert program and Path(program).parent == self.venv / "bin", \
            f"{argv[0]} is not installed in the image's Python (found {program})"
        return [program, *argv[1:]]


def dockerfile() -> list[tuple[str, str]]:
    return instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))


def parse_env(rest: str) -> dict[str, str]:
    words = shlex.split(rest)
    if words and "=" not in words[0]:  # the old form: ENV KEY value with spaces
        return {words[0]: rest.split(None, 1)[1]}
    assert all("=" in w for w in words), f"ENV {rest}"
    pairs = dict(w.split("=", 1) for w in words)
    assert not any("$" in v for v in pairs.values()), f"ENV {rest}: this test does not expand variables"
    return pairs


def run_line(image: Image, line: str, pip: list[str]) -> None:
    """A shell-form RUN: `&&`-joined commands this test knows. `pip install` runs for real; `cd` and
    `rm -rf` act on the image's filesystem; `useradd` records the user (no user is made on this machine)."""
    assert not re.search(r"[;|<>`&]|\$\(", line.replace("&&", " ")), \
        f"RUN {line}: this test runs `a && b` lists only"
    cwd = image.workdir
    for part in line.split("&&"):
        words = shlex.split(part)
        if words[:2] == ["pip", "install"] or words[:4] == ["python", "-m", "pip", "install"]:
            args = words[words.index("install") + 1:]
            # The Dockerfile's ENV applies to RUN as in the image, but for PIP_NO_CACHE_DIR: pip's cache
            # keeps this install fast, and what it installs is the same. The test's own environment is kept
            # for the rest (an index, a proxy), without what would let the clone's code in.
            env = {k: v for k, v in os.environ.items()
                   if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_USER") and not k.startswith("PCSIM_")}
            env.update({k: v for k, v in image.env.items() if k != "PIP_NO_CACHE_DIR"})
            env["PATH"] = f"{image.venv / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}"
            done = subprocess.run([*pip, "install", *args], cwd=image.host(cwd), env=env, capture_output=True,
                                  text=True, timeout=900)
            assert done.returncode == 0, f"RUN {line}: pip install failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        elif words[0] == "cd" and len(words) == 2:
            cwd = posixpath.normpath(posixpath.join(cwd, words[1]))
        elif words[:2] == ["rm", "-rf"]:
            for target in words[2:]:
                path = image.host(posixpath.join(cwd, target))
                assert path != image.root and image.root in path.parents, f"RUN {line}: rm -rf {target}"
                shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        elif words[0] == "useradd":
            image.users.add(words[-1])
            if "--create-home" in words or "-m" in words:
                image.host(f"/home/{words[-1]}").mkdir(parents=True, exist_ok=True)
        else:
            pytest.fail(f"RUN {line}: this test does not know what `{part.strip()}` does; teach it")


def copy_line(image: Image, rest: str, rules: list[tuple[bool, re.Pattern[str]]]) -> None:
    """COPY src… dest from the build context: a folder's content goes into dest, a file into dest/ (or
    becomes dest); a source the context does not hold (missing, or left out by .dockerignore) fails, as
    `docker build` does."""
    words = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
    assert not any(w.startswith("--from") for w in words), f"COPY {rest}: one stage only"
    *sources, dest = [w for w in words if not w.startswith("--")]
    target = image.host(dest)
    many = len(sources) > 1 or any(set(s) & set("*?") for s in sources)
    assert not many or dest.endswith("/"), f"COPY {rest}: several sources need a folder (dest/) to go to"
    for source in sources:
        matches = sorted(ROOT.glob(source.removeprefix("./"))) if set(source) & set("*?") else [ROOT / source]
        copied = 0
        for match in matches:
            if match.is_dir():
                files = [p for p in match.rglob("*") if p.is_file()]
                for path in files:
                    if in_context(path.relative_to(ROOT).as_posix(), rules):
                        to = target / path.relative_to(match)
                        to.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(path, to)
                        copied += 1
            elif match.is_file() and in_context(match.relative_to(ROOT).as_posix(), rules):
                to = target / match.name if dest.endswith("/") or target.is_dir() else target
                to.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(match, to)
                copied += 1
        assert copied, f"COPY {rest}: the build context has no {source} (missing, or left out by .dockerignore)"


def build(folder: Path) -> Image:
    """The Dockerfile built into `folder` without Docker: its instructions in order."""
    ignore = ROOT / ".dockerignore"
    rules = ignore_rules(ignore.read_text(encoding="utf-8")) if ignore.exists() else []
    image = Image(root=folder / "image", venv=folder / "python")
    image.root.mkdir()
    pip = pip_command(image.venv)
    for word, rest in dockerfile():
        if word == "FROM":
            assert not image.base, "one build stage only: this test builds a single FROM"
            image.base = rest
        elif word == "ENV":
            image.env.update(parse_env(rest))
        elif word == "WORKDIR":
            image.workdir = posixpath.normpath(posixpath.join(image.workdir, rest))
            image.host(".").mkdir(parents=True, exist_ok=True)
        elif word == "COPY":
            copy_line(image, rest, rules)
        elif word == "RUN":
            assert not rest.startswith("["), "RUN in exec form: this test runs the shell form"
            run_line(image, rest, pip)
        elif word == "USER":
            image.user = rest
        elif word == "EXPOSE":
            pass  # documentation only; the port is checked against PCSIM_PORT without a build
        elif word == "HEALTHCHECK":
            options, _, command = rest.partition("CMD")
            image.health_options = dict(o.removeprefix("--").split("=", 1) for o in options.split())
            image.health = json.loads(command)
        elif word == "CMD":
            image.cmd = json.loads(rest)
        else:
            pytest.fail(f"Dockerfile: this test does not know what {word} does; teach it")
    return image


def seconds(duration: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(n) * units[u] for n, u in re.findall(r"([\d.]+)(ms|s|m|h)", duration))


# --- The image, without Docker ----------------------------------------------------------------------

def test_the_image_runs_as_a_user_it_makes_and_serves_its_exposed_port_on_all_interfaces() -> None:
    found = dockerfile()
    env: dict[str, str] = {}
    for word, rest in found:
        if word == "ENV":
            env.update(parse_env(rest))
    user = [rest for word, rest in found if word == "USER"][-1]
    made = [shlex.split(part)[-1] for word, rest in found if word == "RUN" for part in rest.split("&&")
            if shlex.split(part)[0] == "useradd"]
    assert user not in ("root", "0") and user in made
    assert [rest for word, rest in found if word == "EXPOSE"] == [env["PCSIM_PORT"]]
    assert env["PCSIM_HOST"] == "0.0.0.0"
    assert json.loads([rest for word, rest in found if word == "CMD"][0]) == ["pcsim", "serve"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Image:
    return build(tmp_path_factory.mktemp("container"))


@pytest.mark.container
@pytest.mark.xdist_group("image")  # with the other test of `built` on one worker (--dist loadgroup)
def test_the_image_built_from_its_context_serves_its_cmd_and_passes_its_healthcheck(built: Image) -> None:
    assert built.user in built.users, f"USER {built.user} is not made by the RUN line"
    # The one change to the Dockerfile's ENV: a free port instead of 8080, for the server and its check.
    port = free_port()
    env = built.run_env(PCSIM_PORT=str(port))
    server = subprocess.Popen(built.command(built.cmd, env), cwd=built.host("."), env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        # As Docker does: checks until one passes, for at most the start period and `retries` intervals.
        options = built.health_options
        deadline = time.monotonic() + seconds(options.get("start-period", "0s")) \
            + int(options.get("retries", "3")) * seconds(options.get("interval", "30s"))
        while True:
            check = subprocess.run(built.command(built.health, env), cwd=built.host("."), env=env,
                                   capture_output=True, text=True, timeout=seconds(options.get("timeout", "30s")) + 10)
            if check.returncode == 0 or time.monotonic() > deadline or server.poll() is not None:
                break
            time.sleep(0.5)
        assert server.poll() is None, f"the server stopped: {server.stdout.read()}"  # type: ignore[union-attr]
        assert (check.returncode, check.stdout) == (0, "pcsim health: ok\n"), check.stdout + check.stderr
        # The catalog comes from the wheel's data package (pcsim_fixtures), not from a clone.
        request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/products?country=US&targetView=OnlineServices",
                                         headers={"Authorization": "Bearer any-token"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            products = json.loads(reply.read())
        assert reply.status == 200 and products["totalCount"] == len(products["items"]) > 0
        # The console's templates and assets come from the wheel's package data too.
        for path, kind in (("/_simulator/console", "text/html"),
                           ("/_simulator/console/static/console.css", "text/css")):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as reply:
                assert reply.status == 200 and reply.headers["content-type"].startswith(kind), path
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        finally:
            server.stdout.close()  # type: ignore[union-attr]


@pytest.mark.container
@pytest.mark.xdist_group("image")
def test_the_installed_contracts_report_runs_from_an_empty_folder_outside_the_clone(
        built: Image, tmp_path: Path) -> None:
    env = built.run_env()
    report = subprocess.run(built.command(["pcsim", "contracts", "report"], env), cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert report.returncode == 0, report.stdout[-2000:] + report.stderr[-2000:]
    assert list(tmp_path.iterdir()) == []


def docker_missing() -> str | None:
    """Why the real image cannot be built here, or None."""
    if shutil.which("docker") is None:
        return "no docker command"
    try:
        info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return "`docker info` did not answer within 60 s"
    if info.returncode != 0:
        said = (info.stderr.strip().splitlines() or ["no output"])[-1]
        return f"no Docker daemon (`docker info` failed: {said})"
    return None


@pytest.mark.container
def test_docker_builds_the_image_and_its_container_becomes_healthy() -> None:
    missing = docker_missing()
    if missing:
        pytest.skip(f"{missing}: tests/test_container.py builds the image's context without Docker instead")
    port = dict(pair for word, rest in dockerfile() if word == "ENV" for pair in parse_env(rest).items())["PCSIM_PORT"]
    tag = f"pcsim-test:{uuid.uuid4().hex[:12]}"
    made = subprocess.run(["docker", "build", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=1800)
    assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-3000:]
    try:
        started = subprocess.run(["docker", "run", "-d", "-p", f"127.0.0.1::{port}", tag], capture_output=True,
                                 text=True, timeout=120)
        assert started.returncode == 0, started.stderr
        container = started.stdout.strip()
        try:
            deadline, state, status = time.monotonic() + 120, "running", "starting"
            while state == "running" and status == "starting" and time.monotonic() < deadline:
                time.sleep(1)
                state, _, status = subprocess.run(
                    ["docker", "inspect", "-f", "{{.State.Status}} {{.State.Health.Status}}", container],
                    capture_output=True, text=True, timeout=30).stdout.strip().partition(" ")
            logs = subprocess.run(["docker", "logs", container], capture_output=True, text=True, timeout=30)
            assert (state, status) == ("running", "healthy"), f"{state}, {status}; logs:\n{logs.stdout}{logs.stderr}"
            inside = subprocess.run(["docker", "exec", container, "pcsim", "health"], capture_output=True, text=True,
                                    timeout=30)
            assert (inside.returncode, inside.stdout) == (0, "pcsim health: ok\n"), inside.stdout + inside.stderr
            uid = subprocess.run(["docker", "exec", container, "id", "-u"], capture_output=True, text=True,
                                 timeout=30).stdout.strip()
            assert uid not in ("", "0")
            published = subprocess.run(["docker", "port", container, f"{port}/tcp"], capture_output=True, text=True,
                                       timeout=30).stdout.split()[0]
            with urllib.request.urlopen(f"http://{published}/_simulator/health", timeout=30) as reply:
                assert json.loads(reply.read()) == {"status": "ok"}
        finally:
            subprocess.run(["docker", "rm", "-f", container], capture_output=True, timeout=60)
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=120)


# --- docs/ci.md: its wait loops, run as pasted ------------------------------------------------------

def wait_loops() -> list[tuple[str, str]]:
    """(where, script) for every wait loop of docs/ci.md: the ```sh blocks, and the strings of its YAML
    recipes, that loop (until/while/for) on a health check."""
    text = CI_DOC.read_text(encoding="utf-8")
    found: list[tuple[str, str]] = []

    def strings(node: Any) -> Iterator[str]:
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)

    for n, (lang, block) in enumerate(re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.M | re.S)):
        candidates = [block] if lang == "sh" else list(strings(yaml.safe_load(block))) if lang == "yaml" else []
        for script in candidates:
            if re.search(r"\b(until|while|for)\b", script) and re.search(r"_simulator/health|pcsim health", script):
                waits_on = re.search(r"\buntil\s+(pcsim health|\S+)", script)
                found.append((f"{lang} block {n + 1} ({waits_on.group(1) if waits_on else 'loop'})", script))
    return found


LOOPS = wait_loops()


def test_docs_ci_has_the_wait_loops_of_its_recipes() -> None:
    # The GitLab recipe's loop (in its YAML) and the one of the recipe without Docker (a ```sh block).
    assert [where.split(" block")[0] for where, _ in LOOPS].count("yaml") >= 1
    assert [where.split(" block")[0] for where, _ in LOOPS].count("sh") >= 1


def bounded(script: str, tries: int) -> str:
    """The loop with its attempts lowered to `tries` (the one substitution this test makes)."""
    shortened, count = re.subn(r"^(\s*)tries=\d+\s*$", rf"\g<1>tries={tries}", script, flags=re.M)
    assert count == 1, "every wait loop of docs/ci.md is bounded by one `tries=N` line"
    return shortened


@pytest.fixture
def loop_env(tmp_path: Path) -> dict[str, str]:
    """The loop's shell: `pcsim` on PATH runs this clone; PARTNER_CENTER_BASE_URL and PCSIM_PORT name a
    free port of this machine instead of the recipe's pcsim:8080 / 8080."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "pcsim"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m simulator "$@"\n')
    shim.chmod(0o755)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PCSIM_")}
    env.update(PATH=f"{bin_dir}:{os.environ['PATH']}", PYTHONPATH=str(ROOT), PCSIM_PORT=str(port),
               PARTNER_CENTER_BASE_URL=f"http://127.0.0.1:{port}")
    return env


# bash with -e and pipefail, as GitLab's runner runs a job's script; and POSIX sh, as it runs one in an
# image without bash (docs/ci.md says the loops work in both).
BASH = ["bash", "-eo", "pipefail", "-c"]
SH = ["sh", "-c"]


def run_loop(shell: list[str], script: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*shell, script], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


@pytest.mark.parametrize("shell", [BASH, SH], ids=["bash", "sh"])
@pytest.mark.parametrize("script", [s for _, s in LOOPS], ids=[w for w, _ in LOOPS])
def test_a_wait_loop_of_docs_ci_fails_when_pcsim_never_answers(script: str, shell: list[str],
                                                               loop_env: dict[str, str], tmp_path: Path) -> None:
    began = time.monotonic()
    loop = run_loop(shell, bounded(script, 3), loop_env, tmp_path)
    output, _ = loop.communicate(timeout=60)
    assert loop.returncode != 0, output
    assert time.monotonic() - began < 30
    assert "pcsim did not answer" in output


@pytest.mark.parametrize("script", [s for _, s in LOOPS], ids=[w for w, _ in LOOPS])
def test_a_wait_loop_of_docs_ci_passes_once_pcsim_answers(script: str, loop_env: dict[str, str],
                                                          tmp_path: Path) -> None:
    loop = run_loop(BASH, bounded(script, 30), loop_env, tmp_path)
    server = subprocess.Popen([sys.executable, "-m", "simulator", "serve"], env=loop_env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        output, _ = loop.communicate(timeout=60)
        assert loop.returncode == 0, output
    finally:
        loop.kill() if loop.poll() is None else None
        server.terminate()
        server.wait(timeout=15)
