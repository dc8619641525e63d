"""Killing a refresh at any moment leaves the previous index serving, and the next indexer can run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from search.index import open_build
from search.store.layout import DataDir


def _count(data_dir):
    handle = open_build(DataDir(data_dir).require_build())
    try:
        return handle.store.count()
    finally:
        handle.close()


@pytest.mark.parametrize("stage", ["read", "vocabulary", "analyze"])
def test_killing_a_refresh_leaves_the_previous_index_serving(stage, sample_data_dir, sample_catalog, configs_dir):
    data = DataDir(sample_data_dir)
    before, count = data.current_version(), _count(sample_data_dir)
    rows = [json.loads(line) for line in sample_catalog.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:  # every title changes: the refresh has a lot to embed
        row["title"] += " 新款"
    changed = sample_data_dir.parent / "changed.jsonl"
    changed.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    for f in data.cache_dir.glob("*"):
        f.unlink()
    cmd = [sys.executable, "-m", "indexer.cli", "refresh", str(changed), "--data-dir", str(sample_data_dir)]
    proc = subprocess.Popen(
        [*cmd, "--configs-dir", str(configs_dir), "--delete-missing"],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if line.startswith(stage):
            break
        if not line and proc.poll() is not None:
            pytest.fail(f"the refresh ended before {stage!r}: {proc.returncode}")
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    assert data.current_version() == before
    assert _count(sample_data_dir) == count
    with data.writer_lock():  # the killed process's lock is gone with it
        pass
