"""The house of STYLE.md, read from the package's own imports: every import points down the layer
order, never up. A module may import its own layer and any layer below it."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "optimizer"

#: bottom to top; a module's layer is the first prefix that matches its dotted name
LAYERS = [
    ("base", ("optimizer.errors", "optimizer.i18n", "optimizer.io.paths", "optimizer.io.tables", "optimizer.io.atomic",
              "optimizer.io.excel", "optimizer.jit", "optimizer.indices", "optimizer.parallel", "optimizer.runner")),
    ("catalog", ("optimizer.catalog", "optimizer.models")),
    ("inputs", ("optimizer.settings", "optimizer.site", "optimizer.adjacency")),
    ("options", ("optimizer.options",)),
    ("problem", ("optimizer.problem", "optimizer.evaluate", "optimizer.linear")),
    ("solve", ("optimizer.solve",)),
    ("analysis", ("optimizer.analysis", "optimizer.uncertainty", "optimizer.monitoring.calibrate",
                  "optimizer.monitoring.observations", "optimizer.monitoring.zonal")),
    ("outputs", ("optimizer.io",)),
    ("report", ("optimizer.report",)),
    ("workflows", ("optimizer.workflows", "optimizer.sweep", "optimizer.portfolio", "optimizer.uncertainty.run",
                   "optimizer.monitoring")),
    ("cli", ("optimizer.cli", "optimizer.__main__", "optimizer")),
]


def layer_of(module: str) -> int:
    best = None
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if module == p or module.startswith(p + "."):
                if best is None or len(p) > best[1]:
                    best = (i, len(p))
    assert best is not None, module
    return best[0]


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("optimizer")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.startswith("optimizer"):
                # "from . import x" imports a sub-module x
                if node.module is None:
                    found |= {f"{mod}.{a.name}" for a in node.names}
                else:
                    found.add(mod)
    return found


def test_every_import_points_down_the_layers():
    upward = []
    for path in sorted(PKG.rglob("*.py")):
        me = module_name(path)
        if me == "optimizer":      # the public API re-exports lazily, by name, from every layer
            continue
        mine = layer_of(me)
        for imp in sorted(imports_of(path)):
            if imp == "optimizer":
                continue
            if layer_of(imp) > mine:
                upward.append(f"{me} ({LAYERS[mine][0]}) imports {imp} ({LAYERS[layer_of(imp)][0]})")
    assert not upward, "imports that point up:\n" + "\n".join(upward)


def test_the_layer_test_sees_an_upward_import(tmp_path):
    """The test itself can fail: a model importing a solver is caught."""
    f = PKG / "models" / "carbon.py"
    assert "optimizer.models.carbon" == module_name(f)
    assert layer_of("optimizer.models.carbon") < layer_of("optimizer.solve.mckp")
