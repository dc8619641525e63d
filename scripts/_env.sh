# Sourced by scripts/test and scripts/quickstart: a project virtualenv with everything installed.
# torch is pinned to the CPU build: on this project's build machines `pip install torch==2.13.0`
# takes a local CPU wheel; elsewhere set TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
# so that pip does not pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
EXTRAS="${1:-}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
# shellcheck disable=SC1091
. "$VENV/bin/activate"
stamp="$VENV/.installed$EXTRAS"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "installing dependencies into $VENV (first run takes a few minutes)..." >&2
  if [ -n "${TORCH_INDEX_URL:-}" ]; then
    python -m pip install -q "torch==2.13.0" --index-url "$TORCH_INDEX_URL"
  else
    python -m pip install -q "torch==2.13.0"
  fi
  python -m pip install -q -e ".$EXTRAS"
  touch "$stamp"
fi
