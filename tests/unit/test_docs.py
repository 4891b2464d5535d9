"""Every ``docs/...`` path the code, the tests and the README cite exists in the repo,
and nothing points outside it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITED = re.compile(r"(?<![\w/.:])docs/[A-Za-z0-9_./-]*[A-Za-z0-9_-]")
SOURCES = ("server", "tests", "benchmarks", "vscode-client/src", "README.md", "Makefile")


def _files() -> list[Path]:
    out: list[Path] = []
    for name in SOURCES:
        path = ROOT / name
        if path.is_file():
            out.append(path)
            continue
        out += [
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix in {".py", ".ts", ".md", ".json", ".cjs"}
            and "__pycache__" not in p.parts
        ]
    return out


def test_every_cited_doc_exists() -> None:
    cited = {}
    for f in _files():
        for m in CITED.finditer(f.read_text(encoding="utf-8", errors="replace")):
            cited.setdefault(m.group(0).rstrip("."), f.relative_to(ROOT))
    assert "docs/benchmark-protocol.md" in cited  # the regex still finds what it should
    missing = {doc: str(where) for doc, where in cited.items() if not (ROOT / doc).exists()}
    assert missing == {}


def test_nothing_points_outside_the_repo() -> None:
    outside = [
        str(f.relative_to(ROOT))
        for f in _files() + [ROOT / "docs" / "benchmark-protocol.md"]
        if re.search(r"\.\./shared|/work/shared", f.read_text(encoding="utf-8", errors="replace"))
        and f.name != "test_docs.py"
    ]
    assert outside == []
