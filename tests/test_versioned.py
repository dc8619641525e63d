"""The one versioned-folder mechanism behind index builds and CF models."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from search.versioned import IndexLockedError, VersionedDir

ROOT = Path(__file__).resolve().parent.parent


def _publish(versions: VersionedDir, text: str, keep: int = 2) -> Path:
    with versions.lock(), versions.publishing(keep=keep) as version:
        (version.path / "data.txt").write_text(text, encoding="utf-8")
        (version.path / "sub").mkdir()
        (version.path / "sub" / "part.txt").write_text(text, encoding="utf-8")
        (version.path / "manifest.json").write_text("{}", encoding="utf-8")
    assert version.final is not None and version.final.name == version.name
    return version.final


def _live_text(versions: VersionedDir) -> str:
    live = versions.current_dir()
    assert live is not None, "no live version"
    text = (live / "data.txt").read_text(encoding="utf-8")
    assert (live / "sub" / "part.txt").read_text(encoding="utf-8") == text, "a live version is incomplete"
    return text


def test_publishing_makes_a_version_live_and_keeps_the_newest(tmp_path):
    versions = VersionedDir(tmp_path / "root", tmp_path / "root" / "versions")
    assert versions.current_dir() is None and versions.versions() == []
    first = _publish(versions, "one")
    assert versions.current_version() == first.name and _live_text(versions) == "one"
    _publish(versions, "two")
    third = _publish(versions, "three")
    assert _live_text(versions) == "three"
    assert [p.name for p in versions.versions()][0] == third.name and len(versions.versions()) == 2


def test_a_failing_block_discards_its_version_and_keeps_the_live_one(tmp_path):
    versions = VersionedDir(tmp_path)
    _publish(versions, "old")
    seen: list[Path] = []
    with pytest.raises(RuntimeError, match="boom"), versions.lock(), versions.publishing(discard=seen.append) as v:
        (v.path / "data.txt").write_text("half", encoding="utf-8")
        raise RuntimeError("boom")
    assert seen == [v.path] and not v.path.exists() and v.final is None
    assert _live_text(versions) == "old"


def test_a_version_without_manifest_is_not_published(tmp_path):
    versions = VersionedDir(tmp_path)
    with pytest.raises(ValueError, match="not a finished"), versions.lock(), versions.publishing():
        pass
    assert versions.current_dir() is None and not list(tmp_path.glob("*.partial"))


def test_hooks_run_after_publication(tmp_path):
    versions = VersionedDir(tmp_path)
    published: list[Path] = []
    removed: list[Path] = []
    for text in ("a", "b", "c"):
        with versions.lock(), versions.publishing(keep=1, published=published.append, discard=removed.append) as v:
            (v.path / "manifest.json").write_text(text, encoding="utf-8")
    assert [p.name for p in published] == [p.name for p in sorted(published)]
    assert versions.current_dir() == published[-1] and set(removed) == set(published[:2])


def test_one_writer_at_a_time(tmp_path):
    versions = VersionedDir(tmp_path, busy="busy here")
    with versions.lock(), pytest.raises(IndexLockedError, match="busy here"), versions.lock():
        pass


_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import search.versioned as v

    kill_at = int(sys.argv[2])
    calls = 0

    def step():
        global calls
        calls += 1
        if calls == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def trap(fn):
        def wrapped(*args, **kwargs):
            step()
            out = fn(*args, **kwargs)
            step()
            return out
        return wrapped

    v.fsync_path = trap(v.fsync_path)
    os.rename = trap(os.rename)
    os.replace = trap(os.replace)
    versions = v.VersionedDir(Path(sys.argv[1]), Path(sys.argv[1]) / "versions")
    with versions.lock(), versions.publishing() as version:
        (version.path / "data.txt").write_text("new", encoding="utf-8")
        (version.path / "sub").mkdir()
        (version.path / "sub" / "part.txt").write_text("new", encoding="utf-8")
        (version.path / "manifest.json").write_text("{}", encoding="utf-8")
    """
)


def test_a_kill_at_any_step_of_publication_leaves_a_complete_live_version(tmp_path):
    """SIGKILL before and after every fsync and rename of a publication: the live version is always whole."""
    root = tmp_path / "root"
    versions = VersionedDir(root, root / "versions")
    _publish(versions, "old")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    seen = []
    for kill_at in range(1, 200):
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(root), str(kill_at)], env=env, capture_output=True)
        if proc.returncode == 0:
            break
        assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
        seen.append(_live_text(versions))
    else:
        pytest.fail("the publication never completed")
    assert _live_text(versions) == "new"
    # killed before CURRENT switched: the old version; after: the new one; never anything else
    assert len(seen) >= 6 and seen[0] == "old" and seen[-1] == "new"
    assert seen == sorted(seen, key=lambda t: t == "new")
    # the next writer clears what the killed ones left behind
    _publish(versions, "last")
    assert not list((root / "versions").glob("*.partial")) and len(versions.versions()) == 2


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the swallowed Ctrl-C
def test_a_ctrl_c_python_swallowed_still_stops_the_publishing(tmp_path):
    import argparse

    from search.errors import EXIT_INTERRUPTED, run_command

    versions = VersionedDir(tmp_path / "root", tmp_path / "root" / "versions")
    _publish(versions, "one")

    class Finalised:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C lands inside a finaliser: Python only prints it

    def build(args):
        with versions.lock(), versions.publishing() as version:
            (version.path / "data.txt").write_text("two", encoding="utf-8")
            (version.path / "sub").mkdir()
            (version.path / "sub" / "part.txt").write_text("two", encoding="utf-8")
            (version.path / "manifest.json").write_text("{}", encoding="utf-8")
            Finalised()  # collected at once; the interrupt is swallowed and the block goes on
        return 0

    previous = signal.getsignal(signal.SIGINT)
    try:
        assert run_command(build, argparse.Namespace(), interrupted="interrupted") == EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGINT, previous)
    assert _live_text(versions) == "one"
    assert not [p for p in (tmp_path / "root" / "versions").iterdir() if p.name.endswith(".partial")]
    # the record of that Ctrl-C ended with its command: publishing outside a command is unaffected
    assert _live_text(versions) == "one" and _publish(versions, "three") and _live_text(versions) == "three"
