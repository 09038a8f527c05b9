"""Many tasks on Dask distributed: a local cluster or an existing one, results kept as they arrive.

    with cluster(scheduler=None, workers=2) as client:          # LocalCluster, one process per worker
        summary = run_journaled(client, tasks, Journal(out / "parts"), progress=cb)

- :func:`cluster`: a :class:`distributed.LocalCluster` (``workers`` processes of one thread each,
  default :func:`optimizer.parallel.available_cpus`) or a client of the scheduler at
  ``tcp://HOST:PORT``. Worker processes of a local cluster exit when this process dies, however
  it dies: distributed's ``AsyncProcess`` ends a child as soon as its parent's end of a pipe closes.
  Workers run as non-daemon processes (``distributed.worker.daemon: False``) so that a solve can
  start its deadline child; workers of an existing cluster need the same
  (``DASK_DISTRIBUTED__WORKER__DAEMON=False dask worker …``).
- :class:`Shared`: a value computed once on the cluster and handed to every task that names it
  (an option table and its annual credit series); if its worker dies, the scheduler recomputes it.
- :func:`run_journaled`: each task returns one record (a flat dict); records are written as they
  arrive, in atomic Parquet parts (:class:`Journal`), so an interrupted run resumes where it
  stopped: tasks whose id already has an ``ok`` record are not run again. A task that raises
  (or whose workers keep dying, ``KilledWorker``) becomes a ``failed`` record naming its error and
  is run again on resume; the run goes on. The scheduler re-runs a task whose worker died, and
  each task's result is taken once, so nothing is lost or duplicated.
- :class:`Batch`: several items run in one task (one scheduler round trip, one set of arguments
  sent, work shared between them, e.g. one re-weighted table for many budgets), each item still
  its own record in the journal: items already ``ok`` are left out of the batch on resume, and an
  item that raises fails alone. A run killed mid-batch loses that batch's items only.
- :func:`gather_map`: ``[fn(x) for x in items]`` on the cluster, in memory (no journal).

Only the multi-scenario commands import this module: the single-site commands never load Dask.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import SinkPlanError
from .i18n import _, language
from .io.atomic import write_atomic
from .parallel import available_cpus, own_process

FLUSH_EVERY_S = 1.0          # [s] longest a finished result waits in memory before it is written
FLUSH_EVERY_RECORDS = 500    # records per Parquet part at most
STATUS_OK, STATUS_FAILED = "ok", "failed"


@dataclass(frozen=True)
class Shared:
    """``fn(*args)``, computed once on the cluster under ``key`` and passed to the tasks naming it."""

    key: str
    fn: Callable
    args: tuple = ()


@dataclass(frozen=True)
class Task:
    """One unit of work: ``fn(*args)`` returns a record (dict); ``meta`` (e.g. the scenario's grid
    values) is written with it, and with the error when it fails. ``args`` may hold :class:`Shared`."""

    id: str
    fn: Callable
    args: tuple = ()
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    """One item of a :class:`Batch`: its own journal id, its argument, and ``meta`` as for a :class:`Task`."""

    id: str
    arg: Any
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Batch:
    """Items run in one task: ``fn(*args, [item.arg, …])`` returns one record (dict) per item, in
    order, or the exception an item raised (that item alone fails). ``args`` may hold
    :class:`Shared`. Only the items without an ``ok`` record in the journal are passed."""

    fn: Callable
    args: tuple
    items: tuple[Item, ...]


@dataclass
class RunSummary:
    total: int
    skipped: int = 0       # already done in an earlier run
    ok: int = 0
    failed: int = 0
    runtime_s: float = 0.0
    workers: int = 0
    failures: list[dict] = field(default_factory=list)   # {"task_id", "error", **meta}


# ----------------------------------------------------------------------------------------------
# the journal: results as they arrive
# ----------------------------------------------------------------------------------------------
class Journal:
    """Records in Parquet parts under ``folder``, each written atomically (a part is whole or absent)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._n = 0

    def parts(self) -> list[Path]:
        return sorted(self.folder.glob("part-*.parquet")) if self.folder.is_dir() else []

    def read(self) -> pd.DataFrame:
        """Every record written so far; per task id the last one (a failure followed by a success
        keeps the success)."""
        frames = [pd.read_parquet(p) for p in self.parts()]
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame({"task_id": pd.Series(dtype=str), "status": pd.Series(dtype=str)})
        df = pd.concat(frames, ignore_index=True)
        ok = (df["status"] == STATUS_OK).astype(int)
        df = df.assign(_ok=ok).sort_values(["task_id", "_ok"], kind="stable")
        return df.drop_duplicates("task_id", keep="last").drop(columns="_ok").reset_index(drop=True)

    def finished(self) -> set[str]:
        df = self.read()
        return set(df.loc[df["status"] == STATUS_OK, "task_id"].astype(str))

    def append(self, records: Sequence[dict]) -> Path | None:
        if not records:
            return None
        self._n += 1
        name = f"part-{time.time_ns():020d}-{os.getpid()}-{self._n:05d}.parquet"
        df = pd.DataFrame.from_records(list(records))
        return write_atomic(self.folder / name, lambda p: df.to_parquet(p, index=False))


# ----------------------------------------------------------------------------------------------
# the cluster
# ----------------------------------------------------------------------------------------------
@contextlib.contextmanager
def cluster(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A Dask ``Client``: of the scheduler at ``scheduler`` (``tcp://HOST:PORT``), else of a new
    LocalCluster of ``workers`` processes (default: the usable CPUs), one thread each (each
    solve is single-threaded; docs/science.md §6.6). Closed, workers and all, on leaving."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise SinkPlanError(_("no Dask scheduler answers at {address}: {error}").format(
                address=scheduler, error=exc)
                                ) from None
        try:
            yield client
        finally:
            client.close()
        return
    n = available_cpus() if workers is None else max(1, int(workers))
    # workers must be able to start children: the exact engine runs a MILP core in a child ended
    # at its deadline (optimizer.solve.deadline); they still end with this process (see above)
    with dask.config.set({"distributed.worker.daemon": False}):
        local = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                             silence_logs=logging.ERROR, env={"SINKPLAN_LANG": language()})  # messages as here
    client = Client(local)
    try:
        # the workers started here run SinkPlan's tasks only (optimizer.parallel.own_process); an
        # existing cluster's workers (--scheduler) are left as their owner set them up
        client.run(own_process)
        yield client
    finally:
        with contextlib.suppress(Exception):
            client.close()
        with contextlib.suppress(Exception):
            local.close()


def n_workers(client) -> int:
    return len(client.scheduler_info().get("workers", {}))


def _resolve(client, args: tuple, shared: dict) -> tuple:
    out = []
    for a in args:
        if isinstance(a, Shared):
            if a.key not in shared:
                shared[a.key] = client.submit(a.fn, *a.args, key=f"shared-{a.key}", pure=False)
            out.append(shared[a.key])
        else:
            out.append(a)
    return tuple(out)


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ----------------------------------------------------------------------------------------------
# running
# ----------------------------------------------------------------------------------------------
def _run_batch(fn: Callable, *args) -> list:
    """On a worker: ``fn(*args)`` for a :class:`Batch` (its last argument the items' arguments),
    checked to give one result per item."""
    *head, items = args
    out = list(fn(*head, items))
    if len(out) != len(items):
        raise RuntimeError(f"a batch of {len(items)} items returned {len(out)} results")
    return out


def run_journaled(client, tasks: Sequence[Task | Batch], journal: Journal, *,
                  progress: Callable[[int, int, int], Any] | None = None) -> RunSummary:
    """Run the tasks (and batch items) whose id has no ``ok`` record in ``journal``; write each
    record as it arrives.

    ``progress(done, total, failed)`` is called in this process as tasks finish (``done``
    counts the tasks skipped as already done; a batch counts its items). On an exception here
    (Ctrl-C, SIGTERM turned into one) the records received so far are written before it propagates.
    """
    from distributed import as_completed

    t0 = time.perf_counter()
    ids = [i.id for t in tasks for i in (t.items if isinstance(t, Batch) else (t,))]
    if len(set(ids)) != len(ids):
        raise ValueError("task ids must be unique")
    done_before = journal.finished()
    summary = RunSummary(total=len(ids), skipped=sum(i in done_before for i in ids), workers=n_workers(client))
    if progress:
        progress(summary.skipped, summary.total, 0)
    shared: dict = {}
    by_key: dict = {}
    futures = []
    run = uuid.uuid4().hex[:8]       # keys of this run: a resumed run in the same client never meets an old key
    for t in tasks:
        if isinstance(t, Batch):
            items = tuple(i for i in t.items if i.id not in done_before)
            if not items:
                continue
            key = f"batch-{items[0].id}-{run}"
            f = client.submit(_run_batch, t.fn, *_resolve(client, t.args, shared), [i.arg for i in items],
                              key=key, pure=False)
            by_key[f.key] = items
        elif t.id not in done_before:
            f = client.submit(t.fn, *_resolve(client, t.args, shared), key=f"task-{t.id}-{run}", pure=False)
            by_key[f.key] = t
        else:
            continue
        futures.append(f)
    buffer: list[dict] = []
    last = time.monotonic()

    def _record(item: Task | Item, result) -> dict:
        if isinstance(result, BaseException):  # the item's own error, or KilledWorker after repeated deaths
            record = {**item.meta, "task_id": item.id, "status": STATUS_FAILED, "error": _error_text(result)}
            summary.failed += 1
            summary.failures.append({"task_id": item.id, "error": record["error"], **item.meta})
            return record
        summary.ok += 1
        return {**item.meta, **result, "task_id": item.id, "status": STATUS_OK, "error": ""}

    try:
        for f in as_completed(futures):
            what = by_key[f.key]
            try:
                result = f.result()
            except Exception as exc:   # the whole task (or batch) failed
                result = exc if isinstance(what, Task) else [exc] * len(what)
            if isinstance(what, Task):
                buffer.append(_record(what, result))
            else:
                buffer += [_record(item, r) for item, r in zip(what, result)]
            f.release()
            if len(buffer) >= FLUSH_EVERY_RECORDS or time.monotonic() - last >= FLUSH_EVERY_S:
                journal.append(buffer)
                buffer, last = [], time.monotonic()
            if progress:
                progress(summary.skipped + summary.ok + summary.failed, summary.total, summary.failed)
    finally:
        journal.append(buffer)
        for f in futures:
            with contextlib.suppress(Exception):
                f.cancel()
        for f in shared.values():
            with contextlib.suppress(Exception):
                f.release()
    summary.runtime_s = time.perf_counter() - t0
    return summary


def gather_map(client, fn: Callable, items: Sequence, *, names: Sequence[str] | None = None) -> list:
    """``[fn(x) for x in items]`` on the cluster; the first error is raised naming its item."""
    futures = [client.submit(fn, x, pure=False) for x in items]
    out = []
    for i, f in enumerate(futures):
        try:
            out.append(f.result())
        except SinkPlanError:
            raise
        except Exception as exc:
            name = names[i] if names is not None else repr(items[i])
            tb = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            raise SinkPlanError(f"{name}: {tb}") from exc
    return out
