"""Every import the package makes is a declared dependency; the pinned constraints cover them; the
public API is what docs/api.md says, and its example runs."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _declared() -> set[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = set()
    for req in meta["dependencies"]:
        names.add(re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def _imports(folder: Path) -> set[str]:
    top = set()
    for f in folder.rglob("*.py"):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                top |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                top.add(node.module.split(".")[0])
    return top


def test_every_import_of_the_package_is_a_declared_dependency():
    dists = packages_distributions()
    declared = _declared()
    missing = {}
    for mod in sorted(_imports(ROOT / "optimizer")):
        if mod in sys.stdlib_module_names or mod in ("optimizer", "__future__"):
            continue
        provided_by = {d.lower().replace("_", "-") for d in dists.get(mod, [])}
        if not provided_by:
            missing[mod] = "not installed"
        elif not provided_by & declared:
            missing[mod] = f"from {', '.join(sorted(provided_by))}, not declared in pyproject.toml"
    assert not missing, missing


def test_constraints_pin_every_declared_dependency():
    text = (ROOT / "constraints.txt").read_text()
    pinned = {line.split("==")[0].strip().lower().replace("_", "-")
              for line in text.splitlines() if "==" in line and not line.startswith("#")}
    assert _declared() - pinned == set()


def test_public_api_names_resolve():
    import optimizer
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", optimizer.__version__)
    for name in optimizer.__all__:
        assert getattr(optimizer, name) is not None, name
    with pytest.raises(AttributeError):
        optimizer.no_such_thing  # noqa: B018
    assert (ROOT / "optimizer" / "py.typed").exists()


def test_the_api_example_in_docs_runs(tmp_path, monkeypatch):
    """Every ```python block of docs/api.md, run in order in one namespace (as a notebook would)."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 4
    monkeypatch.chdir(ROOT)
    ns: dict = {}
    for i, block in enumerate(blocks):
        block = block.replace('"runs/notebook"', repr(str(tmp_path / "notebook")))  # not into the repository
        exec(compile(block, f"docs/api.md block {i + 1}", "exec"), ns)  # noqa: S102 - the doc's own code


def test_every_data_file_of_the_package_is_installed():
    """A non-editable install copies only what [tool.setuptools.package-data] names: a data file
    the code reads but the patterns miss works here and fails on a user's machine."""
    import fnmatch

    root = Path(__file__).resolve().parents[1]
    patterns = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["optimizer"]
    pkg = root / "optimizer"
    files = [p.relative_to(pkg).as_posix() for p in pkg.rglob("*")
             if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert "report/field_validation.json" in files
    missed = [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)]
    assert not missed, f"not in package-data: {missed}"
