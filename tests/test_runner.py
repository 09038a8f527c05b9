"""The Dask runner on real schedulers: a LocalCluster, and a scheduler plus two workers started as
separate processes on loopback with one worker killed mid-run; results journaled, resumed, never
duplicated; local workers die with their parent."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import kill_after_first_part
from optimizer import parallel
from optimizer.runner import Journal, Shared, Task

TESTS = Path(__file__).resolve().parent
pytestmark = pytest.mark.slow


def _tasks(n, delay_s=0.0, bad=()):
    import runner_tasks as rt
    return [Task(id=f"t{i:03d}", fn=rt.square, args=(-1.0 if i in bad else float(i), delay_s), meta={"x": i})
            for i in range(n)]


def test_journal_parts_are_whole_and_last_success_wins(tmp_path):
    j = Journal(tmp_path / "parts")
    j.append([{"task_id": "a", "status": "failed", "error": "x"}])
    j.append([{"task_id": "a", "status": "ok", "error": "", "value": 1.0}, {"task_id": "b", "status": "failed"}])
    df = j.read()
    assert sorted(df["task_id"]) == ["a", "b"]
    assert df.set_index("task_id").loc["a", "status"] == "ok"
    assert j.finished() == {"a"}
    assert not list((tmp_path / "parts").glob(".*"))     # no temporary file left


def test_local_cluster_runs_shares_resumes_and_reports_failures(tmp_path):
    import runner_tasks as rt
    from optimizer.runner import cluster, run_journaled

    journal = Journal(tmp_path / "parts")
    tasks = _tasks(12, bad=(5,))
    base = Shared("base", rt.make_base, (100.0,))
    tasks += [Task(id=f"s{i}", fn=rt.offset, args=(base, float(i))) for i in range(4)]
    with cluster(workers=2) as client:
        first = run_journaled(client, tasks, journal)
        assert (first.ok, first.failed, first.skipped) == (15, 1, 0)
        assert first.failures[0]["x"] == 5 and "negative input" in first.failures[0]["error"]
        again = run_journaled(client, tasks, journal)      # resume: only the failed one runs again
        assert (again.skipped, again.ok + again.failed) == (15, 1)
        # the workers started here run SinkPlan's tasks only: its process settings (parallel.own_process)
        assert set(client.run(rt.gc_threshold).values()) == {parallel.GC_THRESHOLDS}
    df = journal.read()
    assert len(df) == 16 and df["task_id"].is_unique
    ok = df[df["status"] == "ok"].set_index("task_id")
    assert ok.loc["t007", "value"] == 49.0
    assert [ok.loc[f"s{i}", "value"] for i in range(4)] == [100.0, 101.0, 102.0, 103.0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_workers(client, n, deadline_s=60.0):
    end = time.monotonic() + deadline_s
    while len(client.scheduler_info()["workers"]) < n:
        if time.monotonic() > end:
            raise AssertionError(f"fewer than {n} workers joined")
        time.sleep(0.2)


def test_separate_scheduler_and_workers_survive_a_killed_worker(tmp_path):
    from distributed import Client

    from optimizer.runner import run_journaled

    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    path = os.pathsep.join([str(TESTS), str(TESTS.parent), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path,
               DASK_DISTRIBUTED__WORKER__DAEMON="False")
    bindir = Path(sys.executable).parent
    procs = [subprocess.Popen([str(bindir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([str(bindir / "dask"), "worker", addr, "--nthreads", "1", "--no-nanny",
                                           "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True))
        end = time.monotonic() + 60
        client = None
        while client is None:
            try:
                client = Client(addr, timeout="5s")
            except OSError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.5)
        with client:
            _wait_workers(client, 2)
            journal = Journal(tmp_path / "parts")
            killed = []

            def progress(done, total, failed):
                if done >= 5 and not killed:        # a worker dies with tasks still queued and running
                    procs[1].kill()
                    killed.append(done)

            tasks = _tasks(40, delay_s=0.2)
            summary = run_journaled(client, tasks, journal, progress=progress)
        assert killed
        assert (summary.ok, summary.failed) == (40, 0)
        df = journal.read()
        raw = [len(p) for p in map(__import__("pandas").read_parquet, journal.parts())]
        assert sum(raw) == 40                       # nothing written twice
        assert sorted(df["task_id"]) == sorted(t.id for t in tasks)
        assert (df["value"] == df["x"].astype(float) ** 2).all()
        assert df["pid"].nunique() >= 1 and procs[2].pid in set(df["pid"])
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


CHILD = """
import os, sys, time
from optimizer.runner import cluster
if __name__ == "__main__":
    with cluster(workers=2) as client:
        pids = client.run(os.getpid)
        print(" ".join(str(p) for p in pids.values()), flush=True)
        time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:   # a zombie is dead
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_local_workers_die_with_a_killed_parent(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, cwd=str(TESTS.parent))
    line = proc.stdout.readline()
    pids = [int(p) for p in line.split()]
    assert len(pids) == 2 and all(_alive(p) for p in pids)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    end = time.monotonic() + 30
    while any(_alive(p) for p in pids) and time.monotonic() < end:
        time.sleep(0.2)
    left = [p for p in pids if _alive(p)]
    for p in left:
        os.kill(p, signal.SIGKILL)
    assert not left, f"workers {left} outlived their parent"


def test_batches_journal_each_item_and_fail_alone(tmp_path):
    """A batch's items are records of their own: an item that raises fails alone, a batch that
    raises fails its items; on resume only the failed items run, in a smaller batch; the shared
    value arrives on each worker once, not pickled per task."""
    import pandas as pd

    import runner_tasks as rt
    from optimizer.runner import Batch, Item, cluster, run_journaled

    journal = Journal(tmp_path / "parts")
    base = Shared("counted", rt.make_counted, (100.0,))
    tasks = rt.batches(40, 4, delay_s=0.02, base=base)
    bad = Item(id="neg", arg=-1.0, meta={"x": -1})
    tasks += [Batch(fn=rt.squares, args=(base, 0.0), items=(Item(id="ok1", arg=3.0), bad)),
              Batch(fn=rt.broken, args=(), items=(Item(id="b1", arg=1.0), Item(id="b2", arg=2.0)))]
    with cluster(workers=2) as client:
        first = run_journaled(client, tasks, journal)
        assert (first.total, first.ok, first.failed, first.skipped) == (44, 41, 3, 0)
        errors = {f["task_id"]: f["error"] for f in first.failures}
        assert "negative input" in errors["neg"] and errors["b1"] == errors["b2"] == \
            "RuntimeError: the whole batch broke"
        again = run_journaled(client, tasks, journal)
        assert (again.skipped, again.ok, again.failed) == (41, 0, 3)
    df = journal.read()
    assert len(df) == 44 and df["task_id"].is_unique
    ok = df[df["status"] == "ok"].set_index("task_id")
    assert ok.loc["i007", "value"] == 149.0 and ok.loc["ok1", "value"] == 109.0
    assert ok.loc["i007", "x"] == 7
    # two workers, 11 tasks naming the shared value: each worker unpickled it at most once
    assert ok["pid"].nunique() == 2
    assert ok["unpickled"].max() <= 1
    raw = sum(len(pd.read_parquet(p)) for p in journal.parts())
    assert raw == 44 + 3                        # the second run wrote only the three failed items again


KILLED_CHILD = """
import sys
import runner_tasks as rt
from optimizer.runner import Journal, cluster, run_journaled
if __name__ == "__main__":
    with cluster(workers=1) as client:
        run_journaled(client, rt.batches(30, 5, delay_s=0.15), Journal(sys.argv[1]))
"""


def test_a_sweep_killed_mid_batch_resumes_without_loss_or_duplicates(tmp_path):
    """The client process is SIGKILLed while batches run (its local cluster dies with it): the
    journal keeps whole parts of finished items only, and the resumed run does the rest once."""
    import pandas as pd

    import runner_tasks as rt
    from optimizer.runner import cluster, run_journaled

    script = tmp_path / "child.py"
    script.write_text(KILLED_CHILD)
    parts = tmp_path / "parts"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), str(TESTS.parent),
                                                        os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, str(script), str(parts)], env=env, cwd=str(TESTS.parent),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kill_after_first_part(proc, parts, 120)
    journal = Journal(parts)
    before = journal.finished()
    assert 0 < len(before) < 30                  # killed mid-run
    tasks = rt.batches(30, 5)
    with cluster(workers=2) as client:
        summary = run_journaled(client, tasks, journal)
    assert summary.skipped == len(before) and summary.ok == 30 - len(before) and summary.failed == 0
    df = journal.read()
    assert sorted(df["task_id"]) == [f"i{i:03d}" for i in range(30)]
    assert (df["value"] == df["x"].astype(float) ** 2).all()
    raw = pd.concat([pd.read_parquet(p) for p in journal.parts()])
    assert len(raw) == 30 and raw["task_id"].is_unique         # nothing written twice, nothing lost
