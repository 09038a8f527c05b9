"""Compiled kernels: one decorator, one cache folder, and compiling ahead of a first run.

Every numba kernel of SinkPlan is declared with :func:`kernel`: ``numba.njit(cache=True)`` plus the
argument types the package calls it with. numba stays lazy: a kernel is compiled (or loaded from the
cache) on its first call, so a run compiles only the kernels it uses. The declared types serve

- :func:`warm_up`: compile every kernel ahead (the CLI does so on a cold cache, with the progress
  line "compiling solver kernels (first run only)");
- :func:`cache_is_cold`: whether any kernel is missing from the on-disk cache (a few small index
  files read, nothing compiled or loaded).

A call with other types (int32 zone pointers, a float32 cost, a strided slice) makes numba compile
a second machine-code copy of the kernel; callers therefore convert with
``np.ascontiguousarray(x, dtype=...)``, and ``tests/test_jit.py`` checks that the solvers' own calls
compile nothing beyond the declared types.

Where the compiled code is kept (:func:`cache_location`, decided once per process and source folder):

1. ``NUMBA_CACHE_DIR``, when the user set it (numba's own rule; also for every other numba user
   of the process);
2. beside the code, in ``optimizer/**/__pycache__`` (numba's default) when that folder is writable:
   an editable install, a virtualenv or a user install. The cache goes away with the install;
3. otherwise (site-packages owned by root, ``Program Files``) a per-user folder:
   ``%LOCALAPPDATA%\\sinkplan\\numba`` on Windows, ``~/Library/Caches/sinkplan/numba`` on macOS,
   ``$XDG_CACHE_HOME/sinkplan/numba`` or ``~/.cache/sinkplan/numba`` elsewhere; failing that,
   ``<temp>/sinkplan-<user>/numba`` (created private, used only if this user owns it). Only
   SinkPlan's kernels go there: numba's setting is changed while they are declared and restored
   after, so other numba code in the process keeps its own cache;
4. no writable folder: nothing is cached, every process compiles the kernels it uses, and a
   :class:`KernelCacheWarning` says so once.

The cache is keyed by numba on the source file's content, the argument types and the CPU, so an
upgrade or an edit recompiles only what changed, and a cache copied to another machine is ignored.

numba itself is imported only when a kernel is first used (called, compiled or inspected): a
declared kernel is a :class:`LazyKernel` until then. Importing numba and preparing its compiler
costs about 0.4 s, more than a whole ``sinkplan optimize`` of a bundled site spends solving, so a
run that never calls a kernel (small problems solved by the numpy passes of
:mod:`optimizer.solve.mckp.small`) never pays it. On that first use every kernel declared so far
becomes its numba dispatcher, and the modules that declared kernels see the dispatchers under
their names (a kernel calling another is compiled against the real one); other modules keep the
:class:`LazyKernel`, which forwards every call and attribute. :func:`on_first_load` runs a
function at that moment (the command line says there whether kernels are being compiled).
"""

from __future__ import annotations

import functools
import importlib
import os
import stat
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import KernelCacheWarning

if TYPE_CHECKING:
    from numba.core.dispatcher import Dispatcher

APP = "sinkplan"

#: modules declaring kernels, by group (``warm_up(groups=...)``, ``cache_is_cold(groups=...)``):
#: "mckp" is all the fast exact engine uses (``optimize``, supported and ε fronts); the genetic and
#: hybrid searches use every group
KERNEL_MODULES: dict[str, tuple[str, ...]] = {
    "mckp": ("optimizer.solve.mckp.kernels",),
    "genetic": ("optimizer.solve.encoding", "optimizer.solve.repair", "optimizer.solve.fused",
                "optimizer.solve.archive"),
    "evaluate": ("optimizer.evaluate",),
    "uncertainty": ("optimizer.uncertainty.kernel",),
}


@dataclass(frozen=True)
class CacheLocation:
    """Where numba keeps one source folder's kernels. ``kind``: "env" (``NUMBA_CACHE_DIR``),
    "beside-code" (``__pycache__`` next to the source), "user" (per-user cache folder), "temp"
    (private folder in the temporary directory) or "off" (nothing cached; ``path`` is None)."""

    kind: str
    path: Path | None


class LazyKernel:
    """A declared kernel before numba is loaded: the first call or attribute read loads numba and
    makes every declared kernel its dispatcher (:func:`_load`); then it forwards to its own."""

    def __init__(self, fn: Callable, opts: dict) -> None:
        self.py = fn
        self.opts = opts
        self.made: Dispatcher[Any] | None = None
        self.__name__ = fn.__name__
        self.__doc__ = fn.__doc__
        self.__module__ = fn.__module__
        self.__qualname__ = fn.__qualname__
        self.__wrapped__ = fn

    def load(self) -> Dispatcher[Any]:
        """The numba dispatcher (numba loaded, every declared kernel made, on the first call)."""
        if self.made is None:
            _load()
        assert self.made is not None
        return self.made

    def __call__(self, *args):
        return self.load()(*args)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.load(), name)

    def __repr__(self) -> str:
        return f"<kernel {self.__module__}.{self.__name__} ({'loaded' if self.made is not None else 'not loaded'})>"

    def __reduce__(self):
        """Pickled by name, as a function is: unpickling imports its module and takes the kernel there."""
        return (_kernel_named, (self.__module__, self.__name__))


def _kernel_named(module: str, name: str):
    """The kernel ``name`` of ``module`` (what a pickled :class:`LazyKernel` becomes)."""
    return getattr(importlib.import_module(module), name)


class Kernel:
    """A declared kernel: its numba dispatcher (made on first use) and the argument types SinkPlan
    calls it with."""

    def __init__(self, name: str, lazy: LazyKernel, signatures: tuple[str, ...]) -> None:
        self.name = name                    # "module.function"
        self.lazy = lazy
        self.signatures = signatures        # numba type strings, e.g. "(int64[::1], float64[:, ::1])"

    @property
    def dispatcher(self) -> Dispatcher[Any]:
        """What numba.njit returns (a CPUDispatcher); loads numba on first use."""
        return self.lazy.load()

    @property
    def location(self) -> CacheLocation:
        return cache_location(str(Path(self.lazy.py.__code__.co_filename).resolve().parent))


_KERNELS: dict[str, Kernel] = {}
_warned_off = False
_LOADED = False                             # numba imported and every declared kernel made
_FIRST_LOAD: list[Callable[[], None]] = []  # on_first_load's functions
_LOAD_LOCK = threading.RLock()
_BLAS_PROBE = True                          # see skip_blas_probe


class _CompileClock:
    """Adds up the wall time of numba's outermost compile events (loading from the cache is not
    one): :func:`compile_seconds`. Registered (as a numba event listener) once numba is loaded."""

    def __init__(self) -> None:
        self.depth = 0
        self.since = 0.0
        self.total = 0.0

    def on_start(self, event) -> None:
        if self.depth == 0:
            self.since = time.perf_counter()
        self.depth += 1

    def on_end(self, event) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.total += time.perf_counter() - self.since


_COMPILE_CLOCK: _CompileClock | None = None


def compile_seconds() -> float:
    """Wall seconds this process has spent compiling numba code since numba was loaded for its
    first kernel (a cold cache after an install or an edit; under load, tens of seconds). Solvers
    leave this time out of their time limits: a limit bounds the search, not the compiler."""
    return _COMPILE_CLOCK.total if _COMPILE_CLOCK is not None else 0.0


def _start_compile_clock() -> None:
    global _COMPILE_CLOCK
    if _COMPILE_CLOCK is None:
        import numba.core.event

        class Clock(_CompileClock, numba.core.event.Listener):
            pass

        _COMPILE_CLOCK = Clock()
        numba.core.event.register("numba:compile", _COMPILE_CLOCK)


def skip_blas_probe() -> None:
    """Let numba's compiler load without importing scipy's linear algebra (in a process SinkPlan
    owns: the ``sinkplan`` command and pool workers call this through
    :func:`optimizer.parallel.own_process`).

    When numba's array-math module is first imported it probes, once, whether scipy's BLAS can be
    imported (``numba.np.arraymath._HAVE_BLAS``). The answer is used only by ``np.correlate`` and
    ``np.convolve`` inside compiled code (a BLAS dot product, or numba's own loop), which no
    SinkPlan kernel calls; the probe imports ``scipy.linalg``, 0.15 s of a 1.6 s run
    (benchmarks/RESULTS.md, run X). After this call the probe finds no BLAS, if numba's array math
    is not loaded yet; scipy stays importable, and numba's ``np.dot`` and ``np.linalg`` load it
    when code using them is compiled. A library user's process keeps numba's default."""
    global _BLAS_PROBE
    _BLAS_PROBE = False


def _import_numba() -> None:
    """Import numba and its array math (:func:`skip_blas_probe`)."""
    blas = "scipy.linalg.cython_blas"
    if _BLAS_PROBE or "numba.np.arraymath" in sys.modules or blas in sys.modules:
        import numba.np.arraymath  # noqa: F401
        return
    sys.modules[blas] = None            # type: ignore[assignment]  # importing it raises ImportError
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        if blas in sys.modules and sys.modules[blas] is None:
            del sys.modules[blas]


def loaded() -> bool:
    """True once numba has been loaded for SinkPlan's kernels (a kernel was used)."""
    return _LOADED


@contextmanager
def on_first_load(fn: Callable[[], None]):
    """Within the block, call ``fn()`` once if numba gets loaded for the kernels (right after the
    kernels are made, before the first one runs); at once if it is loaded already."""
    if _LOADED:
        fn()
        yield
        return
    _FIRST_LOAD.append(fn)
    try:
        yield
    finally:
        if fn in _FIRST_LOAD:
            _FIRST_LOAD.remove(fn)


def _load() -> None:
    """Import numba, make every declared kernel its dispatcher, and bind the dispatchers under
    their names in the modules that declared kernels (so that kernels calling kernels are compiled
    against them); then the :func:`on_first_load` functions run."""
    global _LOADED
    if _LOADED:
        return
    with _LOAD_LOCK:                    # two threads' first calls make each dispatcher once
        if _LOADED:
            return
        _import_numba()
        _start_compile_clock()
        lazies = [k.lazy for k in _KERNELS.values()]
        for lk in lazies:
            if lk.made is None:
                lk.made = _make(lk.py, lk.opts)
        _LOADED = True
    made = {id(lk): lk.made for lk in lazies}
    for g in {id(lk.py.__globals__): lk.py.__globals__ for lk in lazies}.values():
        for name, v in list(g.items()):
            if isinstance(v, LazyKernel) and id(v) in made:
                g[name] = made[id(v)]
    hooks = list(_FIRST_LOAD)
    _FIRST_LOAD.clear()
    for fn in hooks:
        fn()


# ----------------------------------------------------------------------------------------------
# the cache folder
# ----------------------------------------------------------------------------------------------
def user_cache_dir(platform: str | None = None, environ: Mapping[str, str] | None = None,
                   home: Path | None = None) -> Path:
    """The per-user cache folder for SinkPlan's compiled kernels (the platform's convention for
    caches, stdlib only): ``%LOCALAPPDATA%\\sinkplan\\numba`` on Windows,
    ``~/Library/Caches/sinkplan/numba`` on macOS, ``$XDG_CACHE_HOME/sinkplan/numba`` (an absolute
    path, as the XDG spec requires) or ``~/.cache/sinkplan/numba`` elsewhere."""
    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    home = Path.home() if home is None else Path(home)
    if platform.startswith("win"):
        base = Path(environ["LOCALAPPDATA"]) if environ.get("LOCALAPPDATA") else home / "AppData" / "Local"
    elif platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        xdg = environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if xdg and os.path.isabs(xdg) else home / ".cache"
    return base / APP / "numba"


def _writable_dir(path: Path) -> bool:
    """True when ``path`` exists or can be made, and a file can be created in it (numba's own test)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def _private_temp_dir(tmp: Path | None = None) -> Path | None:
    """``<temp>/sinkplan-<user>/numba``, only when this user owns its top folder and no one else can
    write to it (a shared temporary folder must not feed us someone else's machine code)."""
    tmp = Path(tempfile.gettempdir()) if tmp is None else Path(tmp)
    uid = os.getuid() if hasattr(os, "getuid") else None          # Windows: %TEMP% is per user
    user = str(uid) if uid is not None else (os.environ.get("USERNAME") or "user")
    top = tmp / f"{APP}-{user}"
    try:
        top.mkdir(mode=0o700, exist_ok=True)
        st = os.lstat(top)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None                     # a symlink or a file planted there
    if uid is not None and (st.st_uid != uid or st.st_mode & 0o022):
        return None
    return top / "numba"


def choose_cache_location(source_dir: Path, environ: Mapping[str, str] | None = None, numba_cache_dir: str = "",
                          user_dir: Path | None = None, temp_dir: Path | None = None) -> CacheLocation:
    """Where the kernels of ``source_dir`` are cached, by the rules of this module's docstring.
    ``environ``, ``numba_cache_dir`` (numba's setting), ``user_dir`` and ``temp_dir`` default to
    this process's; they are parameters so the rules can be tested."""
    environ = os.environ if environ is None else environ
    env = environ.get("NUMBA_CACHE_DIR", "") or numba_cache_dir
    if env:
        return CacheLocation("env", Path(env))
    here = Path(source_dir) / "__pycache__"
    if _writable_dir(here):
        return CacheLocation("beside-code", here)
    user = user_cache_dir(environ=environ) if user_dir is None else Path(user_dir)
    if _writable_dir(user):
        return CacheLocation("user", user)
    tmp = _private_temp_dir(temp_dir)
    if tmp is not None and _writable_dir(tmp):
        return CacheLocation("temp", tmp)
    return CacheLocation("off", None)


@functools.cache
def cache_location(source_dir: str | None = None) -> CacheLocation:
    """Where this process caches the kernels of ``source_dir`` (default: the solvers' folder);
    decided once per folder (:func:`choose_cache_location`)."""
    from numba.core import config as numba_config

    source = Path(source_dir) if source_dir else Path(__file__).resolve().parent / "solve"
    # numba.core.config sets CACHE_DIR at run time (from the environment): numba's types do not list it
    return choose_cache_location(source, numba_cache_dir=numba_config.CACHE_DIR)  # type: ignore[attr-defined]


@contextmanager
def _numba_cache_dir(path: Path | None):
    """numba's cache folder set to ``path`` while kernels are declared (numba picks a kernel's
    cache folder when it is decorated), restored after."""
    if path is None:
        yield
        return
    from numba.core import config as numba_config

    # numba.core.config sets CACHE_DIR at run time (from the environment): numba's types do not list it
    old = numba_config.CACHE_DIR  # type: ignore[attr-defined]
    numba_config.CACHE_DIR = str(path)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        numba_config.CACHE_DIR = old  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------------------------
# the decorator
# ----------------------------------------------------------------------------------------------
def _make(fn: Callable, opts: dict) -> Dispatcher[Any]:
    """The numba dispatcher of ``fn``, cached in SinkPlan's cache folder (imports numba)."""
    global _warned_off
    import numba

    where = cache_location(str(Path(fn.__code__.co_filename).resolve().parent))
    if where.kind == "off":
        if not _warned_off:
            from .i18n import _
            warnings.warn(_("no writable folder for compiled kernels (the package's __pycache__, {folder}, the "
                            "temporary folder): every run compiles them (a few seconds); set NUMBA_CACHE_DIR to a "
                            "writable folder to keep them").format(folder=user_cache_dir()),
                          KernelCacheWarning, stacklevel=3)
            _warned_off = True
        return numba.njit(cache=False, **opts)(fn)
    with _numba_cache_dir(None if where.kind == "beside-code" else where.path):
        return numba.njit(cache=True, **opts)(fn)


def kernel(*signatures: str, inline: bool = False) -> Callable:
    """``numba.njit(cache=True)`` in SinkPlan's cache folder, with the argument types the package
    calls the kernel with (numba type strings, one per specialisation, each a parenthesised tuple
    such as ``"(int64[::1], float64[:, ::1], float64)"``). Compilation stays lazy, and so does
    numba itself: before numba is loaded the kernel is a :class:`LazyKernel`. ``inline``: a small
    helper other kernels call in their inner loops, copied into them (numba's
    ``inline="always"``) rather than called."""
    opts: dict[str, Any] = {"inline": "always"} if inline else {}
    for s in signatures:
        if not (isinstance(s, str) and s.strip().startswith("(")):
            raise TypeError(f"kernel signatures are numba argument-type tuples like '(int64[::1],)', not {s!r}")

    def declare(fn):
        name = f"{fn.__module__}.{fn.__name__}"
        lazy = LazyKernel(fn, opts)
        _KERNELS[name] = Kernel(name, lazy, tuple(signatures))
        if _LOADED:                     # numba is here already: the dispatcher itself
            lazy.made = _make(fn, opts)
            return lazy.made
        return lazy

    return declare


# ----------------------------------------------------------------------------------------------
# compile ahead, and is the cache cold?
# ----------------------------------------------------------------------------------------------
def kernels(groups: str | Iterable[str] | None = None) -> list[Kernel]:
    """The declared kernels of ``groups`` (names of :data:`KERNEL_MODULES`; None: all), their
    modules imported."""
    if groups is None:
        groups = tuple(KERNEL_MODULES)
    elif isinstance(groups, str):
        groups = (groups,)
    modules: list[str] = []
    for g in groups:
        if g not in KERNEL_MODULES:
            raise ValueError(f"unknown kernel group {g!r}; known: {', '.join(KERNEL_MODULES)}")
        modules += KERNEL_MODULES[g]
    for m in modules:
        importlib.import_module(m)
    return [k for k in _KERNELS.values() if k.name.rsplit(".", 1)[0] in modules]


def _arg_types(sig: str) -> tuple:
    """The argument-type tuple numba files a specialisation under (a string signature would be
    cached under the string itself, and a call would not find it)."""
    _load()
    from numba.core import sigutils

    args, _ = sigutils.normalize_signature(sig)
    return tuple(args)


def _is_cached(k: Kernel, sig: str) -> bool:
    """Compiled in this process already, or present in the on-disk cache for this CPU."""
    disp = k.lazy.load()
    args = _arg_types(sig)
    if args in disp.overloads:
        return True
    cache = getattr(disp, "_cache", None)
    if cache is None:
        return False
    try:  # numba internals (stable since 0.4x); on any change, report the cache as cold
        # numba's types declare targetctx as BaseContext, which lacks codegen(); the CPU context has it
        key = cache._index_key(args, disp.targetctx.codegen())  # type: ignore[attr-defined]
        return key in cache._cache_file._load_index()
    except Exception:  # noqa: BLE001 - any failure of numba's internals means: not known to be cached
        return False


def cache_is_cold(groups: str | Iterable[str] | None = None) -> bool:
    """True when some kernel of ``groups`` (None: all) would have to be compiled: neither in this
    process nor in the on-disk cache for this machine. Cheap (reads a few small index files). False
    when caching is off (nothing :func:`warm_up` could keep)."""
    for k in kernels(groups):
        if k.location.kind == "off":
            continue
        if not all(_is_cached(k, s) for s in k.signatures):
            return True
    return False


def warm_up(progress: Callable[[int, int], None] | None = None,
            groups: str | Iterable[str] | None = None) -> list[str]:
    """Compile (or load from the cache) every declared specialisation of the kernels of ``groups``
    (None: all), so that later calls compile nothing. ``progress(done, total)`` is called before the
    first kernel and after each. Returns the names of the kernels that were not cached before.

    The machine code goes to the cache folder (:func:`cache_location`), so a later process only
    loads it. Nothing is run: kernels are compiled from their declared argument types.
    """
    ks = kernels(groups)
    work = [(k, s) for k in ks for s in k.signatures]
    if progress is not None:
        progress(0, len(work))
    compiled = []
    for i, (k, s) in enumerate(work):
        if not _is_cached(k, s):
            compiled.append(k.name)
        k.lazy.load().compile(_arg_types(s))
        if progress is not None:
            progress(i + 1, len(work))
    return compiled
