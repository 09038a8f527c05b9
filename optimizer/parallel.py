"""Child processes that start the same way on Linux, macOS and Windows and never outlive their parent.

The one place that knows:

- **start methods** (:func:`start_method`): an explicit argument, else the environment variable
  ``SINKPLAN_START_METHOD`` (``spawn``, ``fork`` or ``forkserver``), else the caller's default.
  Pools default to ``spawn`` everywhere (the only method on Windows, the default on macOS, and safe
  on Linux after HiGHS or other threads have run in the parent); short-lived deadline children
  keep ``fork`` on Linux (:mod:`optimizer.solve.deadline`).
- **worker counts** (:func:`available_cpus`, :func:`n_workers`): the CPUs this process may use
  (``os.process_cpu_count()`` on Python ≥ 3.13, else the scheduler affinity mask, else
  ``os.cpu_count()``).
- **the parent-death watchdog** (:func:`watch_parent`), run first thing in every child: on Linux
  the kernel sends the child a signal when its parent dies (``prctl(PR_SET_PDEATHSIG)``,
  prctl(2)); elsewhere (or when that is refused, or under ``forkserver``, where the parent is the
  server) a daemon thread checks every
  ``WATCH_INTERVAL_S`` whether the parent is still there and ends the child with ``os._exit(1)``.
  This covers a parent ended by SIGKILL, or by SIGTERM under Python's default handling, which
  runs no ``finally`` block.
- **pools** (:func:`run_pool`): a :class:`~concurrent.futures.ProcessPoolExecutor` whose workers
  run the watchdog and ignore SIGINT (the parent decides); on KeyboardInterrupt (Ctrl-C, or
  SIGTERM while the pool runs in the main thread and nobody else handles SIGTERM) or any other
  exception, pending tasks are cancelled, the workers are terminated and the exception propagates.

With ``spawn`` (and ``forkserver``) a worker imports the caller's main script again, so a script
that starts a pool needs the usual ``if __name__ == "__main__":`` guard (Python's multiprocessing
guide, "Safe importing of main module"); notebooks and the ``sinkplan`` command need nothing.

Caveat (Linux): the death signal follows the *thread* that started the child. Pools and deadline
children are started and waited for by the same thread here, so that thread outlives them.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

START_METHOD_ENV = "SINKPLAN_START_METHOD"
PARENT_WATCH_ENV = "SINKPLAN_PARENT_WATCH"   # "thread": skip prctl (tests the portable path on Linux)
WATCH_INTERVAL_S = 0.5                       # [s] how often the portable watchdog looks at the parent
STOP_GRACE_S = 2.0                           # [s] between terminate() and kill() when stopping workers
_MAX_WINDOWS_WORKERS = 61                    # ProcessPoolExecutor's limit on Windows (WaitForMultipleObjects)
_PR_SET_PDEATHSIG = 1                        # <linux/prctl.h>

#: the guard this process runs under: "prctl", "thread", or None (not a child started here)
WATCH_MODE: str | None = None


# ----------------------------------------------------------------------------------------------
# start methods and worker counts
# ----------------------------------------------------------------------------------------------
def start_method(method: str | None = None, *, default: str = "spawn") -> str:
    """The start method to use: ``method``, else ``$SINKPLAN_START_METHOD``, else ``default``.

    Raises ``ValueError`` naming the methods this platform offers when the choice is not one of them.
    """
    chosen = method or os.environ.get(START_METHOD_ENV, "").strip().lower() or default
    offered = mp.get_all_start_methods()
    if chosen not in offered:
        source = "start method" if method else (f"${START_METHOD_ENV}" if os.environ.get(START_METHOD_ENV)
                                                else "default start method")
        raise ValueError(f"{source} {chosen!r} is not available on {sys.platform}; use one of {', '.join(offered)}")
    return chosen


def available_cpus() -> int:
    """CPUs this process may run on (affinity mask and, on Python ≥ 3.13, ``-X cpu_count``)."""
    count = getattr(os, "process_cpu_count", None)
    if count is not None:
        n = count()
    elif hasattr(os, "sched_getaffinity"):
        n = len(os.sched_getaffinity(0))
    else:
        n = os.cpu_count()
    return max(1, n or 1)


def n_workers(workers: int | None) -> int:
    """Worker processes for ``workers`` (``None``: :func:`available_cpus`); at least 1, and on
    Windows at most the 61 a process pool can wait on."""
    n = available_cpus() if workers is None else max(1, int(workers))
    return min(n, _MAX_WINDOWS_WORKERS) if sys.platform == "win32" else n


# ----------------------------------------------------------------------------------------------
# the watchdog (runs in the child)
# ----------------------------------------------------------------------------------------------
def _set_pdeathsig(signum: int) -> bool:
    """Ask the Linux kernel to send ``signum`` to this process when its parent dies (prctl(2))."""
    if not sys.platform.startswith("linux") or os.environ.get(PARENT_WATCH_ENV) == "thread":
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(signum), ctypes.c_ulong(0), ctypes.c_ulong(0),
                          ctypes.c_ulong(0)) == 0
    except (OSError, AttributeError):
        return False


def _parent_gone_check(parent_pid: int) -> Callable[[], bool]:
    """A function telling whether the process ``parent_pid`` (or the process that started this one)
    has gone, without signalling anything."""
    ppid0 = os.getppid()
    parent = mp.parent_process()        # its sentinel: a pipe on POSIX, the process handle on Windows
    if parent is not None and parent.pid != parent_pid:
        parent = None

    def gone() -> bool:
        if parent is not None and not parent.is_alive():
            return True
        if os.name != "posix":
            return False
        if os.getppid() != ppid0:       # re-parented: whoever started this process has exited
            return True
        try:
            os.kill(parent_pid, 0)      # POSIX only: on Windows os.kill would terminate the process
        except ProcessLookupError:
            return True
        except OSError:
            pass
        return False

    return gone


def _watch_thread(gone: Callable[[], bool], interval_s: float) -> None:  # pragma: no cover - ends the process
    while True:
        time.sleep(interval_s)
        if gone():
            os._exit(1)


def watch_parent(parent_pid: int, *, death_signal: int | None = None, interval_s: float = WATCH_INTERVAL_S) -> str:
    """End this (child) process soon after the process ``parent_pid`` dies, however it dies.

    On Linux, when ``parent_pid`` is this process's parent: ``prctl(PR_SET_PDEATHSIG, death_signal)``
    (default SIGKILL), then a second look at the parent closes the race with a parent that died
    just before. Otherwise a daemon thread polls every ``interval_s`` [s]. Returns ``"prctl"`` or
    ``"thread"`` (which guard is in place).
    """
    global WATCH_MODE
    if death_signal is None:
        death_signal = getattr(signal, "SIGKILL", signal.SIGTERM)
    if os.name == "posix" and os.getppid() == parent_pid and _set_pdeathsig(death_signal):
        if os.getppid() != parent_pid:          # the parent died before prctl took effect
            os._exit(1)
        WATCH_MODE = "prctl"
        return WATCH_MODE
    gone = _parent_gone_check(parent_pid)
    if gone():
        os._exit(1)
    threading.Thread(target=_watch_thread, args=(gone, interval_s), name="sinkplan-parent-watch",
                     daemon=True).start()
    WATCH_MODE = "thread"
    return WATCH_MODE


def child_signals() -> None:
    """Signal handling for a child: SIGINT ignored (Ctrl-C reaches the whole process group; the
    parent decides and ends its children), SIGTERM back to the default (end now) in case the
    child was forked from a parent that converts it."""
    with contextlib.suppress(ValueError, OSError):      # ValueError: not the main thread
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


#: True in a process between :func:`sigterm_blocked`'s block and unblock; a child forked then
#: inherits it (and the blocked SIGTERM) and undoes both in :func:`_sigterm_default_after_fork`.
_SIGTERM_BLOCKED_FOR_FORK = [False]


@contextlib.contextmanager
def sigterm_blocked(active: bool = True):
    """Hold SIGTERM back while a child is forked (``active``: the start method is ``fork``).

    A forked child inherits the parent's Python handler (the CLI's turns SIGTERM into an
    exception). A parent that ends a child it no longer needs right after starting it (a race of
    the exact engine against a solver child) would have that handler run inside the child's
    at-fork and bootstrap code and print a traceback. With SIGTERM blocked across the fork the
    child first resets the handler to the default, then unblocks, so an early SIGTERM ends it
    quietly. Never around a spawn: a blocked mask survives exec."""
    if not active or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    _SIGTERM_BLOCKED_FOR_FORK[0] = True
    try:
        yield
    finally:
        _SIGTERM_BLOCKED_FOR_FORK[0] = False
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _sigterm_default_after_fork() -> None:
    """In a child forked inside :func:`sigterm_blocked`: SIGTERM back to the default action, then
    unblocked (a SIGTERM already sent ends the child now, quietly)."""
    if not _SIGTERM_BLOCKED_FOR_FORK[0]:
        return
    _SIGTERM_BLOCKED_FOR_FORK[0] = False
    with contextlib.suppress(ValueError, OSError):      # ValueError: not the main thread
        if callable(signal.getsignal(signal.SIGTERM)):
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_sigterm_default_after_fork)


#: Worker set-up larger than this [bytes] goes to the workers through a temporary file instead of
#: the start-up pipe. CPython's spawn writes the whole process object into a pipe whose read end the
#: parent itself still holds: a worker that dies before reading it all (e.g. a script without the
#: ``if __name__ == "__main__":`` guard) would leave the parent blocked in that write for ever.
SETUP_INLINE_MAX_BYTES = 32 * 1024


#: the collector's thresholds in a process SinkPlan owns (Python's default: 700, 10, 10)
GC_THRESHOLDS = (20_000, 20, 20)


def own_process() -> None:
    """Settings for a process that runs SinkPlan and nothing else: the ``sinkplan`` command
    (:func:`optimizer.cli.entry`), the workers of :func:`run_pool` and those of the local Dask
    cluster a sweep starts (:func:`optimizer.runner.cluster`). A library call in the user's own
    process leaves these alone.

    - The cyclic garbage collector runs after 20,000 net allocations instead of 700: importing
      pandas, GDAL and numba and building a site's options allocate millions of objects that live
      to the end, and at Python's default the collector ran 435 times in one ``sinkplan optimize``
      of the eastern site, 0.16 s of its 1.75 s; now 14 times, 0.05 s (benchmarks/RESULTS.md, run
      X). Cycles are still collected; the peak memory of that run is unchanged (310 MB).
    - numba's compiler loads without scipy's linear algebra (:func:`optimizer.jit.skip_blas_probe`).
    """
    import gc

    from . import jit

    gc.set_threshold(*GC_THRESHOLDS)
    jit.skip_blas_probe()


def _start_worker(parent_pid: int, initializer: Callable | None, initargs: tuple,
                  setup_file: str | None = None, lang: str = "en") -> None:
    child_signals()             # first: a forked worker inherits the parent's handlers
    watch_parent(parent_pid)
    own_process()               # the worker runs SinkPlan's tasks only
    from .i18n import set_language
    set_language(lang)          # a spawned worker starts in English: its messages and warnings in the parent's
    if setup_file is not None:
        import pickle
        with open(setup_file, "rb") as f:
            initializer, initargs = pickle.load(f)
    if initializer is not None:
        initializer(*initargs)


def _setup_payload(initializer: Callable | None, initargs: tuple) -> tuple[tuple, str | None]:
    """The initializer's arguments for the pool: inline when small, else spilled to a private
    temporary file (returned, for the caller to remove)."""
    import pickle
    import tempfile

    blob = pickle.dumps((initializer, tuple(initargs)), protocol=pickle.HIGHEST_PROTOCOL)
    if len(blob) <= SETUP_INLINE_MAX_BYTES:
        return (initializer, tuple(initargs), None), None
    fd, path = tempfile.mkstemp(prefix="sinkplan-pool-", suffix=".pickle")
    with os.fdopen(fd, "wb") as f:
        f.write(blob)
    return (None, (), path), path


# ----------------------------------------------------------------------------------------------
# pools (run in the parent)
# ----------------------------------------------------------------------------------------------
@contextlib.contextmanager
def sigterm_raises_interrupt():
    """While inside, SIGTERM raises KeyboardInterrupt in the main thread, so that ``finally`` blocks
    run and children are ended. Does nothing outside the main thread or when the caller already
    handles SIGTERM."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def stop_pool(pool: ProcessPoolExecutor, grace_s: float = STOP_GRACE_S) -> None:
    """Cancel what has not started, then terminate the workers (kill those still there after
    ``grace_s`` [s]) and reap them."""
    procs = list((getattr(pool, "_processes", None) or {}).values())   # no public accessor before 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(Exception):
            p.terminate()
    end = time.monotonic() + grace_s
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(max(0.0, end - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join(grace_s)


def run_pool(fn: Callable, tasks: Iterable, *, workers: int | None = None, initializer: Callable | None = None,
             initargs: tuple = (), method: str | None = None,
             progress: Callable[[int, int], Any] | None = None) -> list:
    """``[fn(t) for t in tasks]`` over worker processes, in task order.

    ``initializer(*initargs)`` runs once in each worker (with ``spawn``, ``fn``, ``initializer``,
    ``initargs`` and the tasks must pickle; ``initargs`` are pickled once per worker).
    ``workers``: see :func:`n_workers`; ``method``: see :func:`start_method`. ``progress(done,
    total)`` is called in the parent as tasks finish. An exception in a task stops the pool and is
    raised here; so is KeyboardInterrupt (Ctrl-C, or SIGTERM in the main thread) after the workers
    have been ended.
    """
    tasks = list(tasks)
    if not tasks:
        return []
    n = min(n_workers(workers), len(tasks))
    ctx = mp.get_context(start_method(method))
    pool = None
    setup, spilled = _setup_payload(initializer, tuple(initargs))
    try:
        with sigterm_raises_interrupt():
            from .i18n import language
            pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_start_worker,
                                       initargs=(os.getpid(), *setup, language()))
            futures = [pool.submit(fn, t) for t in tasks]
            pending, done_count = set(futures), 0
            while pending:
                # a timeout, so that Ctrl-C is seen on Windows too (lock waits there ignore it)
                done, pending = wait(pending, timeout=WATCH_INTERVAL_S, return_when=FIRST_EXCEPTION)
                for f in done:
                    f.result()              # raises the task's exception
                done_count += len(done)
                if progress and done:
                    progress(done_count, len(tasks))
            results = [f.result() for f in futures]
    except BrokenProcessPool as exc:
        if pool is not None:
            stop_pool(pool)
        from .errors import SolverError
        from .i18n import _
        raise SolverError(_("a worker process ended before its work was done. In a script, run SinkPlan under "
                            "`if __name__ == \"__main__\":` (spawned workers import the script again); otherwise the "
                            "worker crashed: {error}").format(error=exc)) from exc
    except BaseException:
        if pool is not None:
            stop_pool(pool)
        raise
    finally:
        if spilled is not None:
            with contextlib.suppress(OSError):
                os.remove(spilled)
    pool.shutdown(wait=True)
    return results
