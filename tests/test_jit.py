"""Compiled kernels (optimizer/jit.py): warm_up compiles every kernel, the solvers' own calls need
no type beyond the declared ones, the cache folder is writable wherever the package is installed,
and cache_is_cold reads the on-disk cache without compiling."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from optimizer import jit

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, env: dict | None = None, cwd: Path | None = None) -> str:
    """Run ``code`` in a fresh interpreter (its own numba state); return its stdout."""
    full = {**os.environ, **(env or {})}
    full["PYTHONPATH"] = os.pathsep.join([str(ROOT), full.get("PYTHONPATH", "")])
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=full, cwd=cwd or ROOT,
                       capture_output=True, text=True, timeout=600, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout


# ----------------------------------------------------------------------------------------------
# warm_up and the declared types
# ----------------------------------------------------------------------------------------------
def test_warm_up_compiles_every_kernel_and_reports_progress():
    seen = []
    jit.warm_up(progress=lambda done, total: seen.append((done, total)))
    ks = jit.kernels()
    assert {k.name.rsplit(".", 1)[0] for k in ks} == {m for ms in jit.KERNEL_MODULES.values() for m in ms}
    for k in ks:
        assert len(k.dispatcher.signatures) >= 1, k.name
        assert {jit._arg_types(s) for s in k.signatures} <= set(k.dispatcher.signatures), k.name
    total = sum(len(k.signatures) for k in ks)
    assert seen[0] == (0, total) and seen[-1] == (total, total) and len(seen) == total + 1
    assert not jit.cache_is_cold()


@pytest.mark.slow
def test_the_solvers_calls_need_no_type_beyond_the_declared_ones():
    """After warm_up, exact and genetic solves, fronts, non-linear scoring and the Monte Carlo of a plan
    compile nothing new: a caller passing int32, float32 or a strided array would add a
    specialisation (seconds each)."""
    out = run_python("""
        import json, sys
        import numpy as np
        sys.path.insert(0, ".")
        from optimizer import jit
        jit.warm_up()
        from benchmarks.bench_genetic import compiled_from_instance
        from benchmarks.instances import make_instance, to_core
        from optimizer.evaluate import evaluate, plan_series
        from optimizer.solve.genetic import genetic_front, thin
        from optimizer.solve.hybrid import hybrid_front
        from optimizer.solve.mckp import front_plan, solve_mckp, supported_front

        for rows in (("budget",), ("erosion",), ("budget", "erosion")):
            for exact in (False, True):
                solve_mckp(to_core(make_instance(60, 8, 1), rows=rows), exact=exact, time_limit_s=30)
        inst = make_instance(40, 6, 2)
        f = supported_front(inst["cost"], inst["carbon_t"], inst["zone_ptr"])
        front_plan(f, f.n_vertices // 2)
        c = compiled_from_instance(make_instance(30, 6, 3), objectives=("removals", "cost", "fragmentation"))
        hybrid_front(c, points=3, seed=1, generations=5, pop_size=20, max_points=10)
        c2 = compiled_from_instance(make_instance(30, 6, 4))
        genetic_front(c2, seed=2, generations=5, pop_size=20)
        thin(np.random.default_rng(0).random((30, 2)), 10)
        loc = np.zeros((3, 4), dtype=np.int64)
        plan_series(loc, np.ones((5, 7), dtype=np.float32))
        sys.path.insert(0, "tests")
        from conftest import make_site
        from optimizer.options import evaluate_options
        from optimizer.uncertainty.montecarlo import monte_carlo
        from optimizer.uncertainty.sample import Rescorer, latin_hypercube
        t = evaluate_options(make_site([dict(zone_id="A", zone_type="slope", slope_deg=20.0), dict(zone_id="B"),
                                        dict(zone_id="F", zone_type="subsidence_pool", water_depth_m=1.0)]))
        rs = Rescorer(t)
        monte_carlo(t, t.baseline_rows()[None, :], latin_hypercube(rs.ranges, 2, 1, rs.n_draws), rescorer=rs)
        extra = {}
        for k in jit.kernels():
            declared = {jit._arg_types(s) for s in k.signatures}
            more = [str(s) for s in k.dispatcher.signatures if s not in declared]
            if more:
                extra[k.name] = more
        print(json.dumps(extra))
    """)
    assert json.loads(out.strip().splitlines()[-1]) == {}


def test_kernel_refuses_signatures_that_are_not_argument_tuples():
    with pytest.raises(TypeError, match="argument-type tuples"):
        jit.kernel("float64(float64)")


def test_unknown_group_is_named():
    with pytest.raises(ValueError, match="unknown kernel group 'gpu'"):
        jit.kernels("gpu")


def test_kth_smallest_is_numpys_partition_value():
    from optimizer.solve.operators import _kth_smallest

    rng = np.random.default_rng(5)
    pool = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, 2.5, -3.0])
    for trial in range(400):
        n = int(rng.integers(1, 40))
        a = (rng.random(n), rng.integers(0, 3, n).astype(float), rng.choice(pool, n))[trial % 3]
        buf = np.empty(n)
        for k in range(n):
            want, got = np.partition(a, k)[k], _kth_smallest(a, k, buf)
            assert want == got or (np.isnan(want) and np.isnan(got)), (a, k)


# ----------------------------------------------------------------------------------------------
# where the cache lives
# ----------------------------------------------------------------------------------------------
def unwritable(tmp_path: Path, name: str) -> Path:
    """A folder that cannot be created, even by root: its parent is a regular file."""
    blocker = tmp_path / f"{name}-is-a-file"
    blocker.write_text("")
    return blocker / name


def test_cache_beside_the_code_when_the_package_folder_is_writable(tmp_path):
    loc = jit.choose_cache_location(tmp_path / "pkg", environ={})
    assert loc == jit.CacheLocation("beside-code", tmp_path / "pkg" / "__pycache__")


def test_numba_cache_dir_set_by_the_user_wins(tmp_path):
    loc = jit.choose_cache_location(unwritable(tmp_path, "pkg"), environ={"NUMBA_CACHE_DIR": str(tmp_path / "c")})
    assert loc == jit.CacheLocation("env", tmp_path / "c")


def test_read_only_package_falls_back_to_the_user_cache_then_a_private_temp_folder(tmp_path):
    pkg = unwritable(tmp_path, "site-packages")
    loc = jit.choose_cache_location(pkg, environ={}, user_dir=tmp_path / "home" / ".cache" / "sinkplan" / "numba")
    assert loc.kind == "user" and loc.path == tmp_path / "home" / ".cache" / "sinkplan" / "numba"
    assert loc.path.is_dir()

    (tmp_path / "tmp").mkdir()
    loc = jit.choose_cache_location(pkg, environ={}, user_dir=unwritable(tmp_path, "home"), temp_dir=tmp_path / "tmp")
    assert loc.kind == "temp" and loc.path.parent.parent == tmp_path / "tmp"
    if hasattr(os, "getuid"):
        assert stat.S_IMODE(os.stat(loc.path.parent).st_mode) == 0o700

    loc = jit.choose_cache_location(pkg, environ={}, user_dir=unwritable(tmp_path, "home2"),
                                    temp_dir=unwritable(tmp_path, "tmp2"))
    assert loc == jit.CacheLocation("off", None)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_temp_folder_others_can_write_is_not_used(tmp_path):
    top = tmp_path / "tmp" / f"sinkplan-{os.getuid()}"
    top.mkdir(parents=True)
    top.chmod(0o777)
    assert jit._private_temp_dir(tmp_path / "tmp") is None


@pytest.mark.parametrize("platform,environ,want", [
    ("win32", {"LOCALAPPDATA": r"C:\Users\li\AppData\Local"},
     Path(r"C:\Users\li\AppData\Local") / "sinkplan" / "numba"),
    ("darwin", {}, Path("/Users/li/Library/Caches/sinkplan/numba")),
    ("linux", {"XDG_CACHE_HOME": "/var/cache/li"}, Path("/var/cache/li/sinkplan/numba")),
    ("linux", {"XDG_CACHE_HOME": "relative/ignored"}, Path("/home/li/.cache/sinkplan/numba")),
    ("linux", {}, Path("/home/li/.cache/sinkplan/numba")),
])
def test_user_cache_dir_follows_each_platform(platform, environ, want):
    home = Path("/Users/li") if platform == "darwin" else Path("/home/li")
    assert jit.user_cache_dir(platform, environ, home) == want


def test_kernels_of_a_read_only_package_are_cached_in_the_user_folder(tmp_path):
    """A package whose ``__pycache__`` cannot be made: its kernels go to $XDG_CACHE_HOME/sinkplan,
    and numba's own setting is left as it was for other code."""
    pkg = tmp_path / "ro_pkg"
    pkg.mkdir()
    (pkg / "__pycache__").write_text("")           # a file: no cache folder can be made here
    (pkg / "ro_kernels.py").write_text(textwrap.dedent("""
        from optimizer.jit import kernel

        @kernel("(int64,)")
        def twice(x):
            return 2 * x
    """))
    xdg = tmp_path / "xdg"
    out = run_python(f"""
        import sys
        sys.path.insert(0, {str(pkg)!r})
        import numba.core.config as cfg
        import ro_kernels
        from optimizer import jit
        print(ro_kernels.twice(21), repr(cfg.CACHE_DIR), jit.cache_location({str(pkg)!r}).kind)
    """, env={"XDG_CACHE_HOME": str(xdg), "NUMBA_CACHE_DIR": ""})
    assert out.split() == ["42", "''", "user"]
    assert list((xdg / "sinkplan" / "numba").rglob("ro_kernels.twice-*.nbi"))


# ----------------------------------------------------------------------------------------------
# is the cache cold?
# ----------------------------------------------------------------------------------------------
def test_cache_is_cold_on_an_empty_folder_and_warm_after_warm_up_in_another_process(tmp_path):
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    before = run_python("""
        from optimizer import jit
        cold = jit.cache_is_cold("evaluate")
        names = jit.warm_up(groups="evaluate")
        print(cold, names, jit.cache_is_cold("evaluate"))
    """, env)
    assert before.split() == ["True", "['optimizer.evaluate._gather_sum_rows']", "False"]
    after = run_python("""
        from optimizer import jit
        from optimizer.evaluate import _gather_sum_rows
        cold = jit.cache_is_cold("evaluate")
        print(cold, len(_gather_sum_rows.signatures))   # read from disk, nothing compiled or loaded
    """, env)
    assert after.split() == ["False", "0"]


# ----------------------------------------------------------------------------------------------
# numba loaded on first use
# ----------------------------------------------------------------------------------------------
def test_numba_is_imported_only_when_a_kernel_is_first_used():
    """Declaring kernels imports nothing of numba; the first use loads it, makes every declared
    kernel its dispatcher (the declaring modules see the dispatchers, so a kernel calling another
    compiles), runs the on_first_load functions once, and names imported before keep working."""
    out = run_python("""
        import sys
        import numpy as np
        from optimizer import jit
        import optimizer.evaluate
        from optimizer.solve.mckp import kernels as K
        from optimizer.solve.mckp.kernels import _mask_below       # a LazyKernel bound here
        before = ("numba" in sys.modules, type(K._zone_spans).__name__, jit.loaded())
        seen = []
        with jit.on_first_load(lambda: seen.append(jit.loaded())):
            zp = np.array([0, 2, 3], dtype=np.int64)
            c = np.array([1.0, 0.5, 2.0])
            A = np.array([[1.0, 2.0, 3.0]])
            spans = K._zone_spans(zp, c, A)
        zmin = np.array([0.0, 0.0])
        mask = _mask_below(zp, c, A, np.array([0.5]), zmin, 1.6)  # calls the inline kernel _rc
        late = []
        with jit.on_first_load(lambda: late.append(1)):
            pass
        print(*before, "numba" in sys.modules, type(K._zone_spans).__name__, seen, late,
              spans[0].tolist(), mask.tolist())
    """)
    assert out.split() == ["False", "LazyKernel", "False", "True", "CPUDispatcher", "[True]", "[1]",
                           "[0.5,", "0.0]", "[True,", "True,", "False]"]


@pytest.mark.parametrize("own", [False, True])
def test_the_command_loads_numba_without_scipys_linear_algebra(own):
    """In the ``sinkplan`` process (parallel.own_process) numba's array math loads without importing
    scipy.linalg; the kernels run, scipy stays importable and numba's np.dot and np.linalg still
    compile. A library user's process keeps numba's default probe. The collector's thresholds are
    the command's only in its own process."""
    out = run_python(f"""
        import gc, sys
        import numpy as np
        from optimizer import parallel
        if {own}:
            parallel.own_process()
        from optimizer.solve.mckp import kernels as K
        zp = np.array([0, 2, 3], dtype=np.int64)
        spans = K._zone_spans(zp, np.array([1.0, 0.5, 2.0]), np.array([[1.0, 2.0, 3.0]]))
        import numba, numba.np.arraymath
        print("scipy.linalg" in sys.modules, numba.np.arraymath._HAVE_BLAS,
              gc.get_threshold() == parallel.GC_THRESHOLDS, spans[0].tolist())
        import scipy.linalg.cython_blas

        @numba.njit
        def use(a):
            return np.dot(a, a).sum() + np.linalg.det(a)

        print(use(np.eye(2)))
    """)
    first, second = out.splitlines()
    assert first.split() == [str(not own), str(not own), str(own), "[0.5,", "0.0]"]
    assert float(second) == 3.0
