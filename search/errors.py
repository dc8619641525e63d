"""The project's error family, and how command-line tools report errors.

Every error raised on purpose derives from :class:`SearchError`. Bad input from a person
(a catalog row, a config file, a request, a command-line value) is an :class:`InputError`:
command-line tools map exactly these to "bad input" (exit 3), and anything else that
escapes is a bug and is reported as one (exit 1 with the traceback). HTTP errors have one
body shape, see :mod:`search.api.errors`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import traceback
from collections.abc import Callable

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INPUT, EXIT_LOCKED, EXIT_NO_INDEX, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 5, 130
#: the disk (of the data dir) is full: nothing was published, the previous version stays live
EXIT_NO_SPACE = 6
#: the Qdrant server or the shared-state database cannot be reached (the message names it)
EXIT_UNAVAILABLE = 7


class SearchError(Exception):
    """Base of every error this project raises on purpose.

    ``exit_code`` is what a command-line tool exits with when the error escapes a command.
    """

    exit_code = EXIT_ERROR


class InputError(SearchError, ValueError):
    """Bad input from a person or a file; the message says what is wrong and where."""

    exit_code = EXIT_INPUT


_interrupt = threading.Event()


def _on_interrupt(signum: int, frame: object) -> None:
    _interrupt.set()
    raise KeyboardInterrupt


def raise_if_interrupted() -> None:
    """Raise KeyboardInterrupt if Ctrl-C arrived during this command, even where Python swallowed it.

    Python raises Ctrl-C wherever the main thread happens to be; inside a finaliser or a
    callback it is only printed ("Exception ignored") and the work goes on. Call this before a
    step that cannot be taken back (publishing a build), so an interrupted command never
    completes it.
    """
    if _interrupt.is_set():
        raise KeyboardInterrupt


def run_command(
    command: Callable[[argparse.Namespace], int], args: argparse.Namespace, interrupted: str | None = None
) -> int:
    """Run one CLI command and turn what escapes it into an exit code.

    A :class:`SearchError` prints ``error: MESSAGE`` and exits with its ``exit_code``;
    Ctrl-C prints ``interrupted`` (when given) and exits 130, also when Python swallowed it
    before a step :func:`raise_if_interrupted` guards; any other exception is a bug:
    its traceback is printed under ``internal error`` and the exit code is 1, never the
    "bad input" code.
    """
    main = threading.current_thread() is threading.main_thread()  # only there does Python handle signals
    if main:
        _interrupt.clear()
    previous = signal.signal(signal.SIGINT, _on_interrupt) if main else None
    try:
        return command(args)
    except KeyboardInterrupt:
        if interrupted:
            print(interrupted, file=sys.stderr)
        return EXIT_INTERRUPTED
    except SearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        from search.resources import is_disk_full

        if is_disk_full(exc):
            where = getattr(args, "data_dir", None)
            print(
                f"error: no space left on the device{f' of {where}' if where else ''}: free some space and run again "
                "(the previous version is still live)",
                file=sys.stderr,
            )
            return EXIT_NO_SPACE
        traceback.print_exc(file=sys.stderr)
        print(f"internal error (a bug, not bad input): {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        if main:
            _interrupt.clear()  # the record belongs to this command only (library callers never see it)
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
