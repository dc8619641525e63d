# The search API image (also runs the indexer as a one-shot job, see docker-compose.yml).
#
#   docker build -t zhsearch-api .
#   docker run -p 8000:8000 -v search-data:/data zhsearch-api
#
# Embedded deployment: mount a data directory at /data and leave QDRANT_URL unset.
# Cluster deployment: set QDRANT_URL (docs/deployment.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    SEARCH_DATA_DIR=/data \
    SEARCH_WORKERS=2

WORKDIR /app

# torch first, in its own layer: it is the largest dependency and changes least.
# The CPU build comes from the PyTorch CPU index (an unpinned `torch` from PyPI pulls a
# multi-GB CUDA build). On machines with a local wheel (or a pip index that carries the
# CPU build) a plain `pip install torch==2.13.0` suffices.
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN pip install "torch==${TORCH_VERSION}" --extra-index-url "${TORCH_INDEX_URL}"

# Then the project; the constraint keeps the CPU torch above in place.
COPY pyproject.toml README.m[d] ./
COPY search ./search
COPY indexer ./indexer
RUN echo "torch==${TORCH_VERSION}" > /tmp/constraints.txt \
    && pip install --constraint /tmp/constraints.txt . \
    && rm /tmp/constraints.txt

# Relevance profiles and dictionaries are read from ./configs; the sample catalog lets
# `indexer build /app/sample/catalog.jsonl` work out of the box.
COPY configs ./configs
COPY sample ./sample

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin search \
    && mkdir -p /data \
    && chown search:search /data
USER search
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

# Several uvicorn workers (SEARCH_WORKERS); each loads the index and the embedder once.
CMD ["sh", "-c", "exec search serve --host 0.0.0.0 --port 8000 --workers \"${SEARCH_WORKERS}\""]
