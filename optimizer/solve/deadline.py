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


def run_with_deadline(fn: Callable, *args, timeout_s: float | None, start_method: str | None = None,
                      **kwargs) -> Outcome:
    """Call ``fn(*args, **kwargs)`` in a child process; end it after ``timeout_s`` seconds.

    ``timeout_s=None`` waits for ever (still in a child, so a crash cannot take the caller down).
    ``start_method``: ``fork`` or ``spawn`` (default: ``$SINKPLAN_START_METHOD``, else
    :func:`default_start_method`); with ``spawn`` ``fn`` and its arguments must pickle.
    """
    # start_method() returns one of mp.get_all_start_methods(): a concrete context, which has Process
    ctx = cast("ForkContext | ForkServerContext | SpawnContext",
               mp.get_context(parallel.start_method(start_method, default=default_start_method())))
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, os.getpid(), fn, args, kwargs), daemon=True)
    t0 = time.perf_counter()
    proc.start()
    send.close()
    try:
        ready = recv.poll(timeout_s)
        if ready:
            try:
                kind, payload = recv.recv()
            except EOFError:  # child died without answering (killed, segfault)
                proc.join(1.0)
                return Outcome(False, error=f"solver process died (exit code {proc.exitcode})",
                               elapsed_s=time.perf_counter() - t0)
            proc.join(5.0)
            elapsed = time.perf_counter() - t0
            if kind == "ok":
                return Outcome(True, value=payload, elapsed_s=elapsed)
            return Outcome(True, error=payload, elapsed_s=elapsed)
        return Outcome(False, elapsed_s=time.perf_counter() - t0)
    finally:
        recv.close()
        if proc.is_alive():
            proc.terminate()
            proc.join(2.0)
            if proc.is_alive():
                proc.kill()
                proc.join()
