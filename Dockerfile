# pcsim: the Partner Center simulator as a CI service container (docs/ci.md).
#
# tests/test_container.py builds this image's context from the COPY lines below (and .dockerignore),
# runs the RUN line's `pip install .` in a fresh venv, starts CMD with ENV and passes HEALTHCHECK, with no
# Docker daemon. It knows FROM, ENV, WORKDIR, COPY, RUN (pip install, cd, rm -rf, useradd), USER, EXPOSE,
# HEALTHCHECK and CMD, and fails on anything else: teach it what a new instruction does.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PCSIM_HOST=0.0.0.0 PCSIM_PORT=8080

# What pyproject.toml builds the wheel from: the code, and the folders it ships as data packages
# (fixtures/ as pcsim_fixtures, contracts/ as pcsim_contracts, its recorded examples included).
WORKDIR /src
COPY pyproject.toml README.md ./
COPY simulator ./simulator
COPY fixtures ./fixtures
COPY contracts ./contracts
# The server runs from the installed wheel alone: the sources go, and the build's leftovers
# (build/, pcsim.egg-info) never reach a layer.
RUN pip install . && cd / && rm -rf /src && useradd --create-home --uid 10001 pcsim

USER pcsim
# A folder the server may write to (a relative --state file, for one).
WORKDIR /home/pcsim
EXPOSE 8080
# `pcsim health` reads the same PCSIM_* settings as the server, so it works on any bind address.
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 CMD ["pcsim", "health"]
CMD ["pcsim", "serve"]
