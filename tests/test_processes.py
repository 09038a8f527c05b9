"""Worker processes: the same fronts whatever the start method, and no child outliving its parent.

The kill tests start a small Python program that runs a pool (or a deadline child) whose children
print their pid and then sleep for minutes; the program is killed with SIGINT, SIGTERM or SIGKILL,
and every child must be gone (or a zombie) within a generous polling bound. Linux only: children
are found and checked through ``/proc``.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import queue
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from optimizer import parallel
from optimizer.problem import Problem
from optimizer.solve import deadline
from optimizer.solve.core import LinearCore
from optimizer.solve.deadline import run_with_deadline
from optimizer.solve.exact import epsilon_front
from optimizer.solve.milp import solve_milp
from optimizer.solve.status import Status

ROOT = Path(__file__).resolve().parents[1]
LINUX = sys.platform.startswith("linux")
linux_only = pytest.mark.skipif(not LINUX, reason="children are found and checked through /proc")

CHILD_START_S = 60.0      # [s] bound on children appearing (a loaded machine, spawn imports)
CHILD_GONE_S = 10.0       # [s] bound on children disappearing after their parent died
PARENT_GONE_S = 30.0      # [s] bound on the killed parent returning


# ----------------------------------------------------------------------------------------------
# start methods and worker counts
# ----------------------------------------------------------------------------------------------
def test_start_method_argument_then_environment_then_default(monkeypatch):
    monkeypatch.delenv(parallel.START_METHOD_ENV, raising=False)
    assert parallel.start_method() == "spawn"
    assert parallel.start_method(default="fork" if LINUX else "spawn") == ("fork" if LINUX else "spawn")
    monkeypatch.setenv(parallel.START_METHOD_ENV, "Spawn ")
    assert parallel.start_method(default="fork") == "spawn"
    if "fork" in mp.get_all_start_methods():
        assert parallel.start_method("fork") == "fork"
    monkeypatch.setenv(parallel.START_METHOD_ENV, "threads")
    with pytest.raises(ValueError, match=r"SINKPLAN_START_METHOD 'threads' is not available.*spawn"):
        parallel.start_method()


def test_workers_default_to_the_cpus_this_process_may_use():
    if hasattr(os, "sched_getaffinity") and not hasattr(os, "process_cpu_count"):
        assert parallel.available_cpus() == len(os.sched_getaffinity(0))
    assert parallel.n_workers(None) == parallel.available_cpus() >= 1
    assert parallel.n_workers(0) == 1 and parallel.n_workers(3) == 3


# ----------------------------------------------------------------------------------------------
# same results whatever the start method
# ----------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="no fork on this platform")
def test_front_is_the_same_serial_forked_and_spawned(tiny_table, monkeypatch):
    c = Problem(objectives=("removals", "cost"), budget_cny=5e5).compile(tiny_table)
    serial = epsilon_front(c, points=6, gap=1e-6, workers=1)
    fronts = {}
    for method in ("fork", "spawn"):
        monkeypatch.setenv(parallel.START_METHOD_ENV, method)
        seen = []
        fronts[method] = epsilon_front(c, points=6, gap=1e-6, workers=2,
                                       progress=lambda d, n, seen=seen: seen.append((d, n)))
        assert fronts[method].info["workers"] == 2 and fronts[method].info["start_method"] == method
        assert seen and seen[-1] == (2, 2)
    assert serial.info["workers"] == 1 and len(serial) >= 3
    # the same lines on the same solvers: identical plans and values
    np.testing.assert_array_equal(fronts["fork"].choices, fronts["spawn"].choices)
    np.testing.assert_array_equal(fronts["fork"].values, fronts["spawn"].values)
    # serially the grid is one line (the bypass skips other cells): the same front within its gap
    np.testing.assert_allclose(fronts["spawn"].values, serial.values, rtol=1e-6)


def _raise_in_worker(task):
    raise ValueError(f"task {task} refuses")


def test_an_error_in_a_worker_reaches_the_caller():
    with pytest.raises(ValueError, match="task 1 refuses"):
        parallel.run_pool(_raise_in_worker, [1], workers=2, method="spawn")
    assert parallel.run_pool(abs, [-3, 4, -5], workers=2, method="spawn") == [3, 4, 5]


def _process_settings(task):
    import gc

    from optimizer import jit
    return gc.get_threshold(), jit._BLAS_PROBE


def test_pool_workers_take_the_settings_of_a_process_sinkplan_owns():
    """A pool's workers run SinkPlan's tasks only: the collector's thresholds and numba without the
    BLAS probe (parallel.own_process); the caller's own process keeps Python's defaults."""
    import gc

    before = gc.get_threshold()
    got = parallel.run_pool(_process_settings, [0, 1], workers=2, method="spawn")
    assert got == [(parallel.GC_THRESHOLDS, False)] * 2
    assert gc.get_threshold() == before


def _started_how() -> str:
    """Runs in a deadline child: how it was started (a spawned interpreter has this flag)."""
    return "spawn" if "--multiprocessing-fork" in sys.orig_argv else "fork"


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_run_with_deadline_forked_and_spawned(method):
    if method not in mp.get_all_start_methods():
        pytest.skip(f"no {method} here")
    out = run_with_deadline(_started_how, timeout_s=60, start_method=method)
    assert out.finished and out.error is None and out.value == method
    out = run_with_deadline(divmod, 7, 0, timeout_s=60, start_method=method)
    assert out.finished and "ZeroDivisionError" in out.error
    out = run_with_deadline(time.sleep, 600, timeout_s=0.5, start_method=method)
    assert not out.finished and out.error is None


def small_core() -> LinearCore:
    """Four zones of three options (option 0: nothing), one budget row; optimum by enumeration."""
    rng = np.random.default_rng(7)
    zone_ptr = np.arange(0, 13, 3, dtype=np.int64)
    carbon = np.where(np.arange(12) % 3 == 0, 0.0, rng.uniform(1, 10, 12))
    cost = np.where(np.arange(12) % 3 == 0, 0.0, carbon * rng.uniform(0.5, 1.5, 12))
    return LinearCore(zone_ptr=zone_ptr, c=-carbon, A=cost[None, :], b=np.array([0.5 * cost.sum() / 2]),
                      row_names=("budget",))


def test_solve_milp_in_a_spawned_child(monkeypatch):
    core = small_core()
    plans = np.array(list(itertools.product(range(3), repeat=4)))
    feasible = [p for p in plans if core.is_feasible(p)]
    best = min(core.value(p) for p in feasible)
    asked = []
    real = mp.get_context

    def spy(method=None):
        asked.append(method)
        return real(method)

    monkeypatch.setenv(parallel.START_METHOD_ENV, "spawn")
    monkeypatch.setattr(deadline.mp, "get_context", spy)
    res = solve_milp(core, solver="highs", time_limit_s=30, gap_rel=1e-9)
    assert asked == ["spawn"]
    assert res.status is Status.OPTIMAL and core.is_feasible(res.choice)
    assert res.objective == pytest.approx(best, rel=1e-9)


# ----------------------------------------------------------------------------------------------
# no child outlives its parent
# ----------------------------------------------------------------------------------------------
POOL_PROGRAM = r"""
import os, signal, sys, time
from optimizer import parallel

def task(k):
    os.write(1, f"child {os.getpid()} {parallel.WATCH_MODE}\n".encode())   # one write: lines stay whole
    time.sleep(300)          # far longer than the test: only the watchdog or the parent ends it
    return k

if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)   # even if started with SIGINT ignored
    try:
        parallel.run_pool(task, range(2), workers=2, method=sys.argv[1])
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
"""

DEADLINE_PROGRAM = r"""
import os, signal, sys, time
from optimizer import parallel
from optimizer.solve.deadline import run_with_deadline

def sleeper():
    os.write(1, f"child {os.getpid()} {parallel.WATCH_MODE}\n".encode())   # one write: lines stay whole
    time.sleep(300)

if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        run_with_deadline(sleeper, timeout_s=600, start_method=sys.argv[1])
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
"""


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie (an orphan is re-parented, so not ours to reap)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    state = next((ln.split()[1] for ln in status.splitlines() if ln.startswith("State:")), "?")
    return state not in ("Z", "X")


def _ppid(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("PPid:")))


def _children(pid: int) -> set[int]:
    """Direct children of ``pid`` (Linux ≥ 3.5, /proc/<pid>/task/<tid>/children)."""
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        out |= {int(x) for x in (task / "children").read_text().split()}
    return out


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line.strip())


def _kill_parent_and_check_children(tmp_path, program, method, signum, n_children, watch):
    """``watch``: the guard the children must report ("prctl" or "thread"; "thread" also turns
    prctl off through the environment)."""
    if method not in mp.get_all_start_methods():
        pytest.skip(f"no {method} here")
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent(program))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop(parallel.START_METHOD_ENV, None)
    env.pop(parallel.PARENT_WATCH_ENV, None)
    if watch == "thread" and method != "forkserver":
        env[parallel.PARENT_WATCH_ENV] = "thread"
    proc = subprocess.Popen([sys.executable, str(script), method], stdout=subprocess.PIPE, text=True, env=env,
                            cwd=tmp_path)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    children: dict[int, str] = {}
    everyone: set[int] = set()
    try:
        end = time.monotonic() + CHILD_START_S
        while len(children) < n_children and time.monotonic() < end and proc.poll() is None:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            for pid, mode in re.findall(r"child (\d+) (\w+)", line):
                children[int(pid)] = mode
            assert not line or line.startswith("child "), line
        assert len(children) == n_children, f"children did not start: {children}, parent rc {proc.poll()}"
        for pid, mode in children.items():
            if method != "forkserver":               # there the server, a child of the program, is the parent
                assert _ppid(pid) == proc.pid        # direct children of the program we kill
            assert mode == watch
        # every child of the program: the workers, and the resource tracker or fork server
        # multiprocessing may have started
        everyone = set(children) | _children(proc.pid)
        os.kill(proc.pid, signum)
        rc = proc.wait(timeout=PARENT_GONE_S)
        if signum == signal.SIGKILL:
            assert rc == -signal.SIGKILL
        elif program is POOL_PROGRAM or signum == signal.SIGINT:
            assert rc == 130                        # KeyboardInterrupt reached the caller
        else:
            assert rc == -signum                    # deadline caller: Python's default SIGTERM
        end = time.monotonic() + CHILD_GONE_S
        while any(_alive(p) for p in everyone) and time.monotonic() < end:
            time.sleep(0.1)
        left = [p for p in everyone if _alive(p)]
        assert not left, f"children {left} outlived their parent (killed by {signal.Signals(signum).name})"
    finally:
        for pid in everyone:                         # never leave our own children behind
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL]


@linux_only
@pytest.mark.parametrize("method", ["spawn", "fork"])
@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_pool_workers_end_with_their_parent(tmp_path, method, signum):
    _kill_parent_and_check_children(tmp_path, POOL_PROGRAM, method, signum, n_children=2, watch="prctl")


@linux_only
@pytest.mark.parametrize("method", ["fork", "spawn"])
@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_deadline_child_ends_with_its_parent(tmp_path, method, signum):
    _kill_parent_and_check_children(tmp_path, DEADLINE_PROGRAM, method, signum, n_children=1, watch="prctl")


@linux_only
@pytest.mark.parametrize("program,method,n", [(POOL_PROGRAM, "spawn", 2), (POOL_PROGRAM, "fork", 2),
                                              (POOL_PROGRAM, "forkserver", 2), (DEADLINE_PROGRAM, "fork", 1)],
                         ids=["pool-spawn", "pool-fork", "pool-forkserver", "deadline-fork"])
def test_portable_watchdog_thread_ends_children_of_a_killed_parent(tmp_path, program, method, n):
    """The polling thread that macOS and Windows rely on, exercised on Linux without prctl (and
    used by forkserver workers, whose parent is the server, not the program)."""
    _kill_parent_and_check_children(tmp_path, program, method, signal.SIGKILL, n_children=n, watch="thread")


@pytest.mark.slow
def test_a_script_without_the_main_guard_fails_in_words_instead_of_hanging(tmp_path):
    """Spawned workers import the script again; without the guard they die at start-up. The parent
    must then raise (it used to block for ever writing the workers' set-up into their pipe)."""
    script = tmp_path / "noguard.py"
    script.write_text(
        "from conftest import make_site\n"
        "import optimizer as sp\n"
        "site = make_site([dict(zone_id=str(i), area_ha=1.0 + i) for i in range(60)])\n"
        "table = sp.evaluate_options(site)\n"
        "c = sp.Problem(objectives=('removals', 'cost')).compile(table)\n"
        "sp.epsilon_front(c, points=4, workers=2)\n")
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), str(root)]),
           "SINKPLAN_START_METHOD": "spawn"}
    # a generous bound that only a deadlock can reach (not a timing assertion)
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, env=env,
                       cwd=tmp_path)
    assert r.returncode != 0
    assert "__main__" in r.stderr and "SolverError" in r.stderr


_EARLY_SIGTERM = textwrap.dedent("""
    import contextlib, signal, sys, time
    from optimizer import parallel
    from optimizer.solve import deadline
    if sys.argv[1] == "unguarded":
        parallel.sigterm_blocked = lambda active=True: contextlib.nullcontext()
    class Terminated(Exception):
        pass
    def handler(signum, frame):       # as the CLI's: SIGTERM becomes an exception
        raise Terminated()
    signal.signal(signal.SIGTERM, handler)
    codes = set()
    for _ in range(80):
        b = deadline.start_in_child(time.sleep, 30, start_method="fork")
        b._proc.terminate()             # at once: the child may still be in its at-fork code
        b._proc.join(10)
        codes.add(b._proc.exitcode)
        b.close()
    print(sorted(c if c is not None else 99 for c in codes))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork start method")
def test_a_child_ended_right_after_fork_dies_quietly(tmp_path):
    """A parent that ends a forked solver child at once (the engine won the race) must not make the
    child run the parent's SIGTERM handler in its at-fork or bootstrap code: no traceback on
    stderr, the child ends by SIGTERM (parallel.sigterm_blocked)."""
    script = tmp_path / "early.py"
    script.write_text(_EARLY_SIGTERM)
    run = subprocess.run([sys.executable, str(script), "guarded"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and "Terminated" not in run.stderr, run.stderr
    assert run.stdout.strip() == "[-15]", run.stdout
