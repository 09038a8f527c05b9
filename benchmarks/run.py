"""Run SinkPlan's benchmarks and print one table.

    python -m benchmarks.run            # every benchmark at every size (minutes)
    python -m benchmarks.run --quick    # every benchmark once at its smallest size (CI)
    python -m benchmarks.run --only options,mckp --markdown benchmarks/RESULTS.md

Each ``benchmarks/bench_*.py`` exposes ``run(quick: bool) -> list[dict]`` with keys
``benchmark, size, metric, value, unit, target`` (target: a string like "<= 10" or None).
Targets are checked and marked; timings are wall-clock on this machine, so compare ratios
measured in one run rather than absolute numbers across runs.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _meets(value, target) -> str:
    if target is None or value is None:
        return ""
    if isinstance(target, (int, float)):
        target = f"<= {target}"          # a bare number is an upper bound
    try:
        op, num = str(target).split()
        num = float(num)
        v = float(value)
    except (ValueError, TypeError):
        return ""
    ok = {"<=": v <= num, ">=": v >= num, "<": v < num, ">": v > num}.get(op)
    return "" if ok is None else ("yes" if ok else "NO")


def _fmt(v) -> str:
    if isinstance(v, float):
        if v == 0 or 1e-3 <= abs(v) < 1e6:
            return f"{v:.4g}"
        return f"{v:.3e}"
    return str(v)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smallest size of each benchmark only")
    ap.add_argument("--only", default="", help="comma-separated benchmark module names (without bench_)")
    ap.add_argument("--markdown", default="", help="also write the table as Markdown to this file")
    args = ap.parse_args(argv)
    names = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    if args.only:
        wanted = args.only.split(",")
        names = [n for n in names if n in wanted]
    rows, failures = [], []
    for name in names:
        t0 = time.perf_counter()
        try:
            mod = importlib.import_module(f"benchmarks.bench_{name}")
            rows += mod.run(quick=args.quick)
        except Exception:  # a broken benchmark is reported, and fails the run
            failures.append(name)
            traceback.print_exc()
        print(f"[{name}] done in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    header = ("benchmark", "size", "metric", "value", "unit", "target", "met")
    table = [(str(r["benchmark"]), str(r["size"]), str(r["metric"]), _fmt(r["value"]), str(r.get("unit") or ""),
              str(r.get("target") or ""), _meets(r["value"], r.get("target"))) for r in rows]
    widths = [max(len(h), *(len(t[i]) for t in table)) if table else len(h) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    print(line)
    print("  ".join("-" * w for w in widths))
    for t in table:
        print("  ".join(c.ljust(w) for c, w in zip(t, widths)))
    if args.markdown:
        md = [f"Machine: {platform.machine()}, {platform.python_version()}, "
              f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}{' (quick)' if args.quick else ''}", "",
              "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        md += ["| " + " | ".join(t) + " |" for t in table]
        Path(args.markdown).write_text("\n".join(md) + "\n", encoding="utf-8")
    if failures:
        print(f"benchmarks failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
