"""The project's science is documented inside the project (docs/science.md), and citations of it hold.

- No file of the repository points at documents outside it (the domain notes the project started
  from, or a shared folder beside the checkout): a user of the package never has them.
- Every ``docs/science.md §N`` cited anywhere names a numbered heading of docs/science.md, and every
  link into docs/science.md (its own contents included) names a heading's GitHub anchor.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCIENCE = ROOT / "docs" / "science.md"

# Built from pieces so that this file does not match itself.
OUTSIDE_REFERENCES = ("MODEL" + ".md", "SOLVER" + "-NOTES", ".." + "/shared")
SKIP_DIRS = {".git", "__pycache__", ".pytest_cache", "build", "dist", ".venv", ".venv-test", "runs", "out"}


def repository_files() -> list[Path]:
    """Tracked files plus untracked ones git does not ignore; without git, a walk of the tree."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, check=True, timeout=60).stdout
        names = sorted({n for n in out.decode("utf-8", "surrogateescape").split("\0") if n})
        files = [ROOT / n for n in names]
    except (OSError, subprocess.SubprocessError):
        files = [p for p in ROOT.rglob("*")
                 if p.is_file() and not (set(p.relative_to(ROOT).parts) & SKIP_DIRS)
                 and not any(part.endswith(".egg-info") for part in p.relative_to(ROOT).parts)]
    return [p for p in files if p.is_file()]


def text_files() -> list[tuple[Path, str]]:
    out = []
    for p in repository_files():
        data = p.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary (GeoPackages, images)
        out.append((p, data.decode("utf-8", "replace")))
    return out


def science_headings() -> list[str]:
    return [line for line in SCIENCE.read_text(encoding="utf-8").splitlines() if re.match(r"#{1,6}\s", line)]


def heading_numbers() -> set[str]:
    """Section numbers of the numbered headings: "## 2. Carbon" → "2", "### 2.10 …" → "2.10"."""
    nums = set()
    for h in science_headings():
        m = re.match(r"#{1,6}\s+(\d+(?:\.\d+)*)\.?\s", h)
        if m:
            nums.add(m.group(1))
    return nums


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces → '-'."""
    text = re.sub(r"^#{1,6}\s+", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


_CITE = re.compile(r"docs/science\.md")
_SECTION = re.compile(r"(?:\s|,|;|–|-|and\b|or\b)*§\s*(\d+(?:\.\d+)*)")
_LINK = re.compile(r"science\.md#([\w\-]+)")


def citations(text: str) -> list[tuple[str, int]]:
    """(section number, position) of every ``docs/science.md §N`` (also ``§N, §M``, ``§N–§M``,
    ``§N and §M``) in ``text``."""
    found = []
    for m in _CITE.finditer(text):
        pos = m.end()
        while (s := _SECTION.match(text, pos)) is not None:
            found.append((s.group(1), s.start()))
            pos = s.end()
    return found


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def test_no_file_points_outside_the_repository():
    hits = []
    for p in repository_files():
        data = p.read_bytes()
        for ref in OUTSIDE_REFERENCES:
            start = data.find(ref.encode())
            while start >= 0:
                line = data.count(b"\n", 0, start) + 1
                hits.append(f"{p.relative_to(ROOT)}:{line}: {ref}")
                start = data.find(ref.encode(), start + 1)
    assert not hits, "cite the paper or docs/science.md §N instead:\n" + "\n".join(hits)


def test_science_doc_exists_with_numbered_sections():
    nums = heading_numbers()
    for top in ("1", "2", "3", "4", "5", "6", "7", "8"):
        assert top in nums, f"docs/science.md has no section {top}"


def test_cited_sections_exist():
    nums = heading_numbers()
    missing = []
    n_cited = 0
    for p, text in text_files():
        for number, pos in citations(text):
            n_cited += 1
            if number not in nums:
                missing.append(f"{p.relative_to(ROOT)}:{_line_of(text, pos)}: §{number}")
    assert n_cited > 0, "no citation of docs/science.md §N found: is the search broken?"
    assert not missing, "cited sections that docs/science.md does not have:\n" + "\n".join(missing)


def test_links_to_science_doc_anchors_exist():
    anchors = {github_anchor(h) for h in science_headings()}
    missing = []
    for p, text in text_files():
        for m in _LINK.finditer(text):
            if m.group(1) not in anchors:
                missing.append(f"{p.relative_to(ROOT)}:{_line_of(text, m.start())}: #{m.group(1)}")
    own = SCIENCE.read_text(encoding="utf-8")
    for m in re.finditer(r"\]\(#([\w\-]+)\)", own):
        if m.group(1) not in anchors:
            missing.append(f"docs/science.md:{_line_of(own, m.start())}: #{m.group(1)}")
    assert not missing, "links to headings docs/science.md does not have:\n" + "\n".join(missing)


def test_citation_parser():
    text = "see docs/science.md §2.1, §2.3 and §7.1; also docs/science.md §2.1–§2.3. Not §9."
    assert [n for n, _ in citations(text)] == ["2.1", "2.3", "7.1", "2.1", "2.3"]
    assert github_anchor("### 4.4 Unit prices and their sources") == "44-unit-prices-and-their-sources"
    assert github_anchor("## 1. Zones and inputs") == "1-zones-and-inputs"


def test_every_package_path_the_docs_name_exists():
    missing = []
    for doc in ("README.md", "CONTRIBUTING.md", "docs/science.md", "docs/api.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        for path in sorted(set(re.findall(r"(?:optimizer|benchmarks|scripts|tests)/[\w/.-]*\w", text))):
            if not (ROOT / path).exists():
                missing.append(f"{doc}: {path}")
    assert not missing, missing
