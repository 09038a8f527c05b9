"""Start-up cost of the ``sinkplan`` command: the first run after an install, a warm run, imports.

``run(quick)`` returns rows ``benchmark, size, metric, value, unit, target``. Every figure is the
wall clock of a fresh interpreter (``python -m optimizer ...``), so interpreter start, imports,
loading or compiling the numba kernels (optimizer/jit.py), reading the site, solving and writing
are all in:

1. **cold optimize**: the README's first command (``optimize sites/loess_dump/zones.gpkg
   --maximize removals``) with an empty ``NUMBA_CACHE_DIR``, as after a fresh install; numba
   compiles what the solve calls, when it first calls it (on this site: nothing, its Lagrangian
   plan is certified by the numpy passes of ``optimizer/solve/mckp/small.py``);
2. **warm optimize** on each bundled site (``optimize SITE --maximize removals``; the eastern site
   with ``--allow-intolerable``, which its three gangue heaps need), kernels loaded from the cache:
   issue 11's target is 1.5 s end to end;
3. **import**: ``import optimizer.cli`` alone (issue 11: 0.3 s);
4. (full size only) compiling ahead alone, every kernel and the ``mckp`` group (what
   ``optimize`` needs), and the library call ``optimize_site`` on a cold cache without compiling
   ahead (numba compiles lazily only the kernels the run calls).

The package's bytecode is compiled first (``compileall``, as ``pip install`` does): where
``PYTHONDONTWRITEBYTECODE`` is set (this workplace sets it), an edited source tree would otherwise
be compiled from source by every interpreter, 0.1 s a run that no installed copy pays
(benchmarks/RESULTS.md, run X).

``quick=True`` (CI) runs only 2 (the Loess dump, once) and 3 against the ordinary cache (beside the
code, or the user's), after one untimed run that fills it if needed: about 5-20 s. The machine's
load average (1 min) at the start is a row too: compare runs made under similar loads.

Run alone: ``python -m benchmarks.bench_startup [--quick]`` from the repository root.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "sites" / "loess_dump" / "zones.gpkg"
#: the bundled sites and the options their optimize needs
SITES = {"loess_dump": (SITE, ()),
         "eastern_subsidence": (ROOT / "sites" / "eastern_subsidence" / "zones.gpkg", ("--allow-intolerable",)),
         "inner_mongolia_grassland": (ROOT / "sites" / "inner_mongolia_grassland" / "zones.geojson", ())}
TARGET_COLD_S = 10.0       # first run after an install, kernels compiled
TARGET_WARM_S = 1.5        # any later run, end to end (issue 11)
TARGET_IMPORT_S = 0.3      # import optimizer.cli (issue 11)
REPEATS = 3                # warm runs and imports: the median of this many


def _row(benchmark, size, metric, value, unit, target=None):
    return {"benchmark": benchmark, "size": size, "metric": metric, "value": value, "unit": unit,
            "target": target}


def _env(cache_dir: str | None) -> dict:
    env = dict(os.environ)
    env.pop("NUMBA_CACHE_DIR", None)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _timed(args: list[str], cache_dir: str | None) -> float:
    """Wall clock [s] of a fresh interpreter running ``args``; raises if it fails."""
    t = time.perf_counter()
    r = subprocess.run([sys.executable, *args], env=_env(cache_dir), cwd=ROOT, capture_output=True, text=True,
                       timeout=900, check=False)
    elapsed = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({r.returncode}):\n{r.stderr[-2000:]}")
    return elapsed


def _optimize(out_dir: Path, cache_dir: str | None, site: str = "loess_dump") -> float:
    path, extra = SITES[site]
    return _timed(["-m", "optimizer", "optimize", str(path), "--maximize", "removals", "--quiet", *extra,
                   "--out", str(out_dir)], cache_dir)


def _import_cli(cache_dir: str | None) -> float:
    """Seconds spent in ``import optimizer.cli`` (measured inside the interpreter)."""
    code = "import time; t = time.perf_counter(); import optimizer.cli; print(time.perf_counter() - t)"
    r = subprocess.run([sys.executable, "-c", code], env=_env(cache_dir), cwd=ROOT, capture_output=True,
                       text=True, timeout=300, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"import optimizer.cli failed:\n{r.stderr[-2000:]}")
    return float(r.stdout.strip().splitlines()[-1])


def _compile_ahead(groups: str | None, cache_dir: str) -> float:
    arg = "None" if groups is None else repr(groups)
    return _timed(["-c", f"from optimizer.jit import warm_up; warm_up(groups={arg})"], cache_dir)


def _lazy_library_run(out_dir: Path, cache_dir: str) -> float:
    code = ("from optimizer.workflows import optimize_site; "
            f"optimize_site({str(SITE)!r}, 'removals', out_dir={str(out_dir)!r})")
    return _timed(["-c", code], cache_dir)


def _compile_bytecode() -> None:
    """The package's ``.pyc`` files, as an installed copy has them (``pip install`` compiles them)."""
    import compileall

    compileall.compile_dir(str(ROOT / "optimizer"), quiet=1)


def run(quick: bool = False) -> list[dict]:
    rows: list[dict] = []
    _compile_bytecode()
    size = "loess_dump"
    if hasattr(os, "getloadavg"):
        rows.append(_row("startup machine load", "-", "load_1min", os.getloadavg()[0], ""))
    with tempfile.TemporaryDirectory(prefix="sinkplan-bench-startup-") as tmp:
        tmp = Path(tmp)
        if quick:
            cache = None                                     # the ordinary cache location
            _optimize(tmp / "prime", cache)                  # fills it if cold (not timed)
        else:
            cache = str(tmp / "numba")
            cold = _optimize(tmp / "cold", cache)
            rows.append(_row("startup cold optimize", size, "wall_s", cold, "s", f"<= {TARGET_COLD_S:g}"))
        for site in (("loess_dump",) if quick else tuple(SITES)):
            if not quick and site != "loess_dump":
                _optimize(tmp / f"prime-{site}", cache, site)    # its kernels compiled (not timed)
            warm = statistics.median(_optimize(tmp / f"warm-{site}{i}", cache, site)
                                     for i in range(1 if quick else REPEATS))
            rows.append(_row("startup warm optimize", site, "wall_s", warm, "s", f"<= {TARGET_WARM_S:g}"))
        imp = statistics.median(_import_cli(cache) for _ in range(1 if quick else REPEATS))
        rows.append(_row("startup import optimizer.cli", "-", "import_s", imp, "s", f"<= {TARGET_IMPORT_S:g}"))
        if not quick:
            for groups in (None, "mckp"):
                d = str(tmp / f"numba-{groups or 'all'}")
                rows.append(_row("startup compile ahead", groups or "all kernels", "wall_s",
                                 _compile_ahead(groups, d), "s"))
            rows.append(_row("startup cold library run, lazy", size, "wall_s",
                             _lazy_library_run(tmp / "lazy", str(tmp / "numba-lazy")), "s"))
    return rows


if __name__ == "__main__":
    for r in run(quick="--quick" in sys.argv):
        print(f"{r['benchmark']:<34} {r['size']:<14} {r['metric']:<10} {r['value']:>8.3f} {r['unit']:<3} "
              f"{r['target'] or ''}")
