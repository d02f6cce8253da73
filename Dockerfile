# Memory Cell: one image, any number of containers behind a load balancer.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKERS=2 \
    LIMIT_CONCURRENCY=200 \
    KEEP_ALIVE_S=5

WORKDIR /srv/memory-cell

# Dependencies first (installed from pyproject.toml, then the package itself removed), so a code
# change does not reinstall them. The app runs from this folder, beside its templates and deck.
COPY pyproject.toml README.md ./
COPY app/__init__.py app/__init__.py
RUN pip install --no-cache-dir . && pip uninstall --yes memory-cell

COPY app app
COPY templates templates
COPY static static
COPY questions questions
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin memorycell \
    && mkdir -p /data \
    && chown memorycell /data

USER 10001
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

# Checks the deck, applies migrations, then serves with WORKERS uvicorn workers.
CMD ["python", "-m", "app.serve"]
