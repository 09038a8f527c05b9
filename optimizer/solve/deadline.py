"""Run a function under a wall-clock bound that holds even when the code inside ignores its own.

HiGHS 1.16 was measured overrunning its own ``time_limit`` by minutes, so every external solve
runs in a child process that is ended at the deadline. On Linux the child is forked by default
(no pickling of the function, the parent's arrays shared copy-on-write, no interpreter start-up:
milliseconds instead of the fraction of a second a spawned child spends importing numpy and the
solvers); elsewhere, or with ``start_method="spawn"`` / ``$SINKPLAN_START_METHOD``, it is
spawned and the function and its arguments must be picklable.

The child never outlives the caller: it runs :func:`optimizer.parallel.watch_parent` first (on
Linux the kernel sends it SIGTERM when the caller dies; SIGTERM, not SIGKILL, so that a child
running CBC can end CBC first), ignores SIGINT (Ctrl-C reaches the whole process group; the
caller decides) and is terminated, then killed, when the caller leaves this function for any
reason, KeyboardInterrupt included.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from .. import parallel

if TYPE_CHECKING:
    from multiprocessing.context import ForkContext, ForkServerContext, SpawnContext


@dataclass(frozen=True)
class Outcome:
    finished: bool          # the function returned (or raised) before the deadline
    value: Any = None       # its return value
    error: str | None = None  # the formatted exception, if it raised
    elapsed_s: float = 0.0


def _child(conn, parent_pid, fn, args, kwargs):  # pragma: no cover - runs in the child process
    parallel.child_signals()            # first: a forked child inherits the parent's handlers
    parallel.watch_parent(parent_pid, death_signal=signal.SIGTERM)
    try:
        conn.send(("ok", fn(*args, **kwargs)))
    except BaseException:  # noqa: BLE001 - everything goes back to the parent
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def default_start_method() -> str:
    """``fork`` on Linux (cheap, copy-on-write), ``spawn`` elsewhere."""
    return "fork" if sys.platform.startswith("linux") else "spawn"


class Background:
    """A function running in a child process (see :func:`start_in_child`): poll it with
    :meth:`ready`, collect it with :meth:`wait`, or end it with :meth:`close` (always call one of
    :meth:`wait` or :meth:`close`; both end the child if it is still running)."""

    def __init__(self, fn: Callable, args: tuple, kwargs: dict, start_method: str | None) -> None:
        # start_method() returns one of mp.get_all_start_methods(): a concrete context, which has Process
        ctx = cast("ForkContext | ForkServerContext | SpawnContext",
                   mp.get_context(parallel.start_method(start_method, default=default_start_method())))
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_child, args=(send, os.getpid(), fn, args, kwargs), daemon=True)
        self.t0 = time.perf_counter()
        with parallel.sigterm_blocked(ctx.get_start_method() == "fork"):
            self._proc.start()
        send.close()

    def ready(self) -> bool:
        """True once the child answered (or died)."""
        return bool(self._recv.poll(0))

    def wait(self, timeout_s: float | None) -> Outcome:
        """The child's outcome, waiting at most ``timeout_s`` seconds (None: for ever); the child
        is ended if it has not answered by then."""
        try:
            if not self._recv.poll(timeout_s):
                return Outcome(False, elapsed_s=time.perf_counter() - self.t0)
            try:
                kind, payload = self._recv.recv()
            except EOFError:  # child died without answering (killed, segfault)
                self._proc.join(1.0)
                return Outcome(False, error=f"solver process died (exit code {self._proc.exitcode})",
                               elapsed_s=time.perf_counter() - self.t0)
            self._proc.join(5.0)
            elapsed = time.perf_counter() - self.t0
            if kind == "ok":
                return Outcome(True, value=payload, elapsed_s=elapsed)
            return Outcome(True, error=payload, elapsed_s=elapsed)
        finally:
            self.close()

    def close(self) -> None:
        """End the child (terminate, then kill) if it still runs; idempotent."""
        self._recv.close()
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(2.0)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()


def start_in_child(fn: Callable, *args, start_method: str | None = None, **kwargs) -> Background:
    """Start ``fn(*args, **kwargs)`` in a child process and return at once: the caller can work
    meanwhile (e.g. race an exact search against the child) and must end it with
    :meth:`Background.wait` or :meth:`Background.close` (in a ``finally``)."""
    return Background(fn, args, kwargs, start_method)


def run_with_deadline(fn: Callable, *args, timeout_s: float | None, start_method: str | None = None,
                      **kwargs) -> Outcome:
    """Call ``fn(*args, **kwargs)`` in a child process; end it after ``timeout_s`` seconds.

    ``timeout_s=None`` waits for ever (still in a child, so a crash cannot take the caller down).
    ``start_method``: ``fork`` or ``spawn`` (default: ``$SINKPLAN_START_METHOD``, else
    :func:`default_start_method`); with ``spawn`` ``fn`` and its arguments must pickle.
    """
    return start_in_child(fn, *args, start_method=start_method, **kwargs).wait(timeout_s)
