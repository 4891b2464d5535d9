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


def _anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings: lower case, punctuation dropped, spaces to -."""
    headings, fence = [], ""
    for line in markdown.splitlines():
        opener = re.match(r" {0,3}(`{3,}|~{3,})", line)
        if fence:  # inside a code block: a "# comment" is no heading
            if opener and opener.group(1).startswith(fence) and not line.strip(" `~"):
                fence = ""
        elif opener:
            fence = opener.group(1)
        elif m := re.match(r"#{1,6} (.+)$", line):
            headings.append(m.group(1))
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_every_link_in_the_docs_resolves() -> None:
    """Relative links ``](path)`` and ``](path#anchor)`` / ``](#anchor)`` in README.md and
    docs/*.md name a file of the repository and a heading it has."""
    broken = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # an external URL
            path, _, anchor = target.partition("#")
            file = (doc.parent / path).resolve() if path else doc
            missing = not file.exists() or ROOT.resolve() not in file.parents
            if missing or (anchor and anchor not in _anchors(file.read_text(encoding="utf-8"))):
                broken.append(f"{doc.name}: {target}")
    assert broken == []
