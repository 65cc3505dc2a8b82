# pcsim: Partner Center simulator as a CI service container.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PCSIM_HOST=0.0.0.0 PCSIM_PORT=8080

WORKDIR /app
COPY pyproject.toml README.md ./
COPY simulator ./simulator
COPY fixtures ./fixtures
RUN pip install . && useradd --create-home --uid 10001 pcsim

USER pcsim
EXPOSE 8080
# `pcsim health` reads the same PCSIM_* settings as the server, so it works on any bind address.
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 CMD ["pcsim", "health"]
CMD ["pcsim", "serve"]
