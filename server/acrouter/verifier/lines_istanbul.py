"""Which of the lines an edit changes in JavaScript and TypeScript files jest or vitest ran,
from the coverage they map back to the sources themselves (the side of :mod:`.lines_js`
for the runners that transform the code).

jest and vitest compile each file (babel, ts-jest, vite) before V8 runs it, so V8's
offsets (``NODE_V8_COVERAGE``) are not the file's.  Both collect V8's coverage
themselves and map it through the transform's source maps into istanbul's
``coverage-final.json``: per file, statements (start and end line and column) with how
many times each ran, and functions likewise.  The run with the edit asks for it
(:func:`coverage_args`, only for the edited files: ``--collectCoverageFrom`` /
``--coverage.include``, by file name) into ``<out>/jscov``:

- jest 26 or later (``--coverage --coverageProvider=v8``, built in since 25): the
  thresholds of the user's config replaced by none (``--coverageThreshold={}``; checked
  with jest 26.6.3, 27.5.1, 29.7.0 and 30.5.2);
- vitest with ``@vitest/coverage-v8`` of its own version installed in the workspace
  (``--coverage.enabled=true --coverage.provider=v8``): the thresholds that the command
  line can set (lines, functions, branches, statements, ``100``) at 0, ``perFile`` and
  ``autoUpdate`` off (one on a glob of files cannot be unset there: :mod:`.lines_run`
  then runs again without the coverage).

Not asked (nothing is said, as before, and no ``NODE_V8_COVERAGE`` either:
:data:`.lines_run.COMPILING`): an older jest (its babel provider instruments
the code: another program than the user's; jest 25.5.4's v8 provider, on node 20,
counted no line as run), vitest without the package (or with
``@vitest/coverage-istanbul`` only, which instruments too), and a command or config that
already collects coverage (``--coverage``, jest's ``collectCoverage``, a vitest config
naming ``enabled``): narrowed to the edited files, the user's own thresholds would be
judged on other numbers.

The lines: a character ran when the innermost statement or function holding it ran
(a character in none: when the file was loaded at all, i.e. some statement ran); a line
ran when one of its code characters did (:func:`.lines_js.code_chars`, the same lines as
V8's side).  A file the runner did not report (a test file, one its config excludes, a
name the glob cannot say) is not measured."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .lines import Traced
from .lines_js import _BREAK, _ran_mask, _utf16_len, code_chars

#: what jest and vitest can cover (vitest and ts-jest compile TypeScript)
SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")
#: the folder of the run's out folder the runner writes coverage-final.json into
COVERAGE_DIR = "jscov"
REPORT = "coverage-final.json"
#: a file name a glob would read otherwise
_GLOB_CHARS = re.compile(r"[*?\[\]{}()!+@,\\\s]")
#: a config that already collects coverage (jest's ``collectCoverage: true``; vitest's
#: ``coverage: {enabled: ...}``)
_JEST_COLLECTS = re.compile(r"""\bcollectCoverage["']?\s*:""")
_VITEST_ENABLES = re.compile(r"""\benabled["']?\s*:""")
_CONFIGS = ("jest.config", "vitest.config", "vite.config", "vitest.workspace")


def _version(root: Path, package: str) -> tuple[int, ...] | None:
    try:
        data = json.loads((root / "node_modules" / package / "package.json").read_text("utf-8"))
        text = str(data["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    nums = re.findall(r"\d+", text.split("-")[0])
    return tuple(int(n) for n in nums[:3]) or None


def _collects_already(root: Path, runner: str, tokens: Sequence[str]) -> bool:
    """The command or the project's config asks for coverage of its own."""
    asks = ("--coverage=", "--coverage.", "--collectCoverage")
    if any(t == "--coverage" or t.startswith(asks) for t in tokens):
        return True
    texts = []
    try:
        pkg = json.loads((root / "package.json").read_text("utf-8"))
        texts.append(json.dumps(pkg.get(runner) or {}) if isinstance(pkg, dict) else "")
    except (OSError, ValueError):
        pass
    try:
        names = [p for p in root.iterdir() if p.name.startswith(_CONFIGS)]
    except OSError:
        names = []
    for path in names:
        try:
            texts.append(path.read_text("utf-8", errors="replace"))
        except OSError:
            continue
    pattern = _JEST_COLLECTS if runner == "jest" else _VITEST_ENABLES
    return any(pattern.search(t) for t in texts)


def coverage_args(
    runner: str, tokens: Sequence[str], root: Path | None, files: Sequence[str], out: str
) -> list[str]:
    """The arguments that ask ``runner`` (jest or vitest, run as ``tokens`` in ``root``)
    for the coverage of ``files`` (workspace-relative) into ``out``/jscov; none when it
    cannot give it without changing what runs, or already collects coverage."""
    names = sorted({Path(f).name for f in files if f.endswith(SUFFIXES)})
    names = [n for n in names if not _GLOB_CHARS.search(n)]
    if root is None or not names or runner not in ("jest", "vitest"):
        return []
    if any(t in ("--watch", "--watchAll") for t in tokens):
        return []
    folder = f"{out}/{COVERAGE_DIR}"
    if runner == "jest":
        version = _version(root, "jest")
        if version is None or version < (26,) or _collects_already(root, runner, tokens):
            return []
        return [
            "--coverage",
            "--coverageProvider=v8",
            "--coverageReporters=json",
            f"--coverageDirectory={folder}",
            *(f"--collectCoverageFrom=**/{n}" for n in names),
            "--coverageThreshold={}",
        ]
    vitest = _version(root, "vitest")
    if vitest is None or _version(root, "@vitest/coverage-v8") != vitest:
        return []
    if _collects_already(root, runner, tokens):
        return []
    return [
        "--coverage.enabled=true",
        "--coverage.provider=v8",
        "--coverage.reporter=json",
        f"--coverage.reportsDirectory={folder}",
        *(f"--coverage.include=**/{n}" for n in names),
        *(f"--coverage.thresholds.{k}=0" for k in ("lines", "functions", "branches", "statements")),
        "--coverage.thresholds.100=false",
        "--coverage.thresholds.perFile=false",
        "--coverage.thresholds.autoUpdate=false",
    ]


#: what a failed run's output says when the coverage may have made it fail: an option
#: the runner refused, a threshold, the coverage provider
SUSPECT_WORDS = (
    "coverageProvider",
    "coverageReporters",
    "coverageDirectory",
    "collectCoverageFrom",
    "coverageThreshold",
    "threshold",
    "coverage.",
    "coverage provider",
    "@vitest/coverage",
    "v8-to-istanbul",
    COVERAGE_DIR,
)


def _line_starts(text: str) -> list[int]:
    """The UTF-16 offset each line (0-based) starts at."""
    starts, units, last = [0], 0, 0
    for m in _BREAK.finditer(text):
        units += _utf16_len(text[last : m.end()])
        last = m.end()
        starts.append(units)
    return starts


def _spans(entry: Mapping[str, Any], starts: list[int], length: int) -> list[tuple[int, int, int]]:
    """The statements and functions of one file's entry as (start, end, count) offsets."""

    def offset(pos: Any) -> int:
        line, col = int(pos["line"]), pos.get("column")
        if not 1 <= line <= len(starts):
            return length
        nxt = starts[line] if line < len(starts) else length
        finite = isinstance(col, (int, float)) and math.isfinite(col)
        col = int(col) if finite else nxt - starts[line - 1]  # (v8-to-istanbul: Infinity)
        return min(starts[line - 1] + max(col, 0), nxt, length)

    out = []
    for kind, counts, key in (("statementMap", "s", None), ("fnMap", "f", "loc")):
        where, hits = entry.get(kind), entry.get(counts)
        if not isinstance(where, dict) or not isinstance(hits, dict):
            continue
        for k, loc in where.items():
            try:
                loc = loc[key] if key else loc
                start, end = offset(loc["start"]), offset(loc["end"])
                count = int(hits[k])
            except (KeyError, TypeError, ValueError):
                continue
            if end > start:
                out.append((start, end, count))
    return out


def read_istanbul(out_dir: str | Path, base: str, files: Mapping[str, str]) -> Traced | None:
    """The code lines of ``files`` (relative path -> the text the run saw) that the
    runner's ``coverage-final.json`` says ran; a file it does not report is
    ``unmeasured``.  None when the run wrote no readable report."""
    try:
        data = json.loads((Path(out_dir) / COVERAGE_DIR / REPORT).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    lines: dict[str, frozenset[int]] = {}
    unmeasured: set[str] = set()
    for rel, text in files.items():
        entry = data.get(f"{base}/{rel}")
        if not isinstance(entry, dict):
            unmeasured.add(rel)
            continue
        length = _utf16_len(text)
        spans = _spans(entry, _line_starts(text), length)
        loaded = any(count > 0 for _, _, count in spans)
        ran = _ran_mask([(0, length, 1 if loaded else 0), *spans], length).to_bytes(
            length, "little"
        )
        lines[rel] = frozenset(
            n
            for n, offsets in code_chars(text).items()
            if any(ran[u] for u in offsets if u < length)
        )
    return Traced(lines, True, frozenset(unmeasured))
