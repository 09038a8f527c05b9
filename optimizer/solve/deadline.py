"""Run a function under a wall-clock bound that holds even when the code inside ignores its own.

HiGHS 1.16 was measured overrunning its own ``time_limit`` by minutes (SOLVER-NOTES.md), so every
external solve runs in a child process that is ended at the deadline. On Linux the child is
forked (no pickling of the function; the parent's arrays are shared copy-on-write); elsewhere it
is spawned and the function and its arguments must be picklable.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Outcome:
    finished: bool          # the function returned (or raised) before the deadline
    value: Any = None       # its return value
    error: str | None = None  # the formatted exception, if it raised
    elapsed_s: float = 0.0


def _child(conn, fn, args, kwargs):  # pragma: no cover - runs in the child process
    try:
        conn.send(("ok", fn(*args, **kwargs)))
    except BaseException:  # noqa: BLE001 - everything goes back to the parent
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def run_with_deadline(fn: Callable, *args, timeout_s: float | None, **kwargs) -> Outcome:
    """Call ``fn(*args, **kwargs)`` in a child process; end it after ``timeout_s`` seconds.

    ``timeout_s=None`` waits for ever (still in a child, so a crash cannot take the caller down).
    """
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    ctx = mp.get_context(method)
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, fn, args, kwargs), daemon=True)
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
