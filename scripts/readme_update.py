"""Copy fresh outputs of `scripts/readme-examples.sh` into the README's console blocks.

    bash scripts/readme-examples.sh > readme-output.txt
    python scripts/readme_update.py readme-output.txt          # rewrites README.md in place

Every ``$ sinkplan …`` line of a ```console block whose command the output file holds gets that
command's new output (paths ``runs/readme/`` shown as ``runs/``). A block the README abbreviates
(lines of ``…``) keeps its shape: only the new lines with the same first cell as a table row it showed
are kept, the ``…`` lines stay where they were, and a text line takes the new line that starts
with the same word. Long warning lines are shortened. The prose
around the blocks is not touched: read the diff and update the numbers it quotes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
WARNING = re.compile(r"^(warning: .{60,}?,) .*(\(docs/science\.md §[0-9.]+\))$")


def outputs(text: str) -> dict[str, list[str]]:
    """Command (normalised) → its output lines."""
    out: dict[str, list[str]] = {}
    text = re.sub(r"\nrc=\d+\s*$", "\n", text)
    for chunk in ("\n" + text).split("\n$ ")[1:]:
        cmd, _, body = chunk.partition("\n")
        lines = [WARNING.sub(r"\1 … \2", x) for x in body.replace("runs/readme/", "runs/").rstrip("\n").split("\n")]
        out[_key(cmd.replace("runs/readme/", "runs/"))] = [x for x in lines if x != "(exit status 2)"]
    return out


def _key(cmd: str) -> str:
    return " ".join(cmd.replace("\\", " ").replace("'", "").split())


def _cell(line: str) -> str:
    m = re.match(r"^[│┃]\s*([^│┃]+?)\s*[│┃]", line)
    return m.group(1) if m else line.split(":")[0]


def rewrite(readme: str, new: dict[str, list[str]]) -> str:
    lines = readme.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if not line.startswith("$ sinkplan"):
            continue
        cmd = line[2:]
        while cmd.endswith("\\") and i < len(lines):      # a command continued on the next line
            out.append(lines[i])
            cmd = cmd[:-1] + " " + lines[i].strip()
            i += 1
        old: list[str] = []
        while i < len(lines) and not lines[i].startswith("$ ") and not lines[i].startswith("```"):
            old.append(lines[i])
            i += 1
        fresh = new.get(_key(cmd))
        if fresh is None:
            out.extend(old)
            continue
        gap = [""] if old and old[-1] == "" else []        # the blank line before the next command
        if any("│ …" in x or x.strip() == "…" for x in old):
            rows = {_cell(x): x for x in fresh if x.startswith("│")}
            other = [x for x in fresh if not x.startswith("│")]
            shaped = []
            for x in old:
                if "│ …" in x or x.strip() == "…":
                    shaped.append(x)
                elif x.startswith("│"):
                    shaped.append(rows.get(_cell(x), x))
                else:                   # a text line: the new line that starts with the same word
                    word = x.split()[0] if x.split() else ""
                    match = next((y for y in other if y.split() and y.split()[0] == word), None)
                    shaped.append(match if match is not None else x)
                    if match is not None:
                        other.remove(match)
            out.extend(shaped)
        else:
            out.extend(fresh)
        out.extend(gap)
    return "\n".join(out)


def main(argv: list[str]) -> int:
    new = outputs(Path(argv[1]).read_text(encoding="utf-8"))
    README.write_text(rewrite(README.read_text(encoding="utf-8"), new), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
