"""Which of the lines an edit changes in JavaScript files the tests ran, from V8's own
block coverage (the JavaScript side of :mod:`.lines`).

The run with the edit gets ``NODE_V8_COVERAGE=<out>/v8cov`` (only when the edit changes
``.js``/``.mjs``/``.cjs`` files): every node process it starts (npm, the runner, the
test files' processes) writes, as it exits, the block coverage V8 kept: per script, per
function, ranges of UTF-16 offsets with how many times each ran.  A character ran when
the innermost range holding it has a count above 0; a line ran when one of its code
characters did.

The mapping from offsets to lines holds only for a script V8 compiled from the file's
text as it is: node's own loader (``node --test``, mocha, tape: CommonJS and ES modules)
does that; a runner that transforms the code (jest, vitest, ts-node, a coverage tool's
instrumentation) or wraps it does not (jest and vitest runs do not get the variable:
from jest 26, and vitest with its coverage package, they are asked for their own
coverage instead, :mod:`.lines_istanbul`).  So a file's coverage is trusted only when its
script's top-level range spans exactly the file's length; else (a wrapper, a
transform, a byte order mark node strips) the file is not measured and nothing is said
about it.  A run is not measured at all when no node process wrote coverage for a
script of the workspace outside ``node_modules`` (not a node runner, or a process that
drops the variable).

Coverage wrappers (c8, borp's ``--coverage``) point ``NODE_V8_COVERAGE`` at a folder of
their own for the processes they start, then read it for their report and their gate.
c8 takes the variable it finds as its ``--temp-directory`` when none is configured, so
a plain ``c8 tape ...`` already writes into ours; but c8 given ``--temp-directory`` (or
``tempDirectory`` in ``.c8rc``/package.json) writes elsewhere, and borp writes into a
``mkdtemp`` folder under ``os.tmpdir()`` (the sandbox's private ``/tmp``) that it deletes
once its report is done.  The run's out folder then got nothing and a pass said "which
lines ... ran is not known", counted, even for a line no test ran.  So the run also gets
:data:`KEEPER` through ``NODE_OPTIONS`` (``--require``): in a node process started with
``NODE_V8_COVERAGE`` pointing at ours whose own ``process.env.NODE_V8_COVERAGE`` later
points elsewhere (the wrapper itself, which does that before starting the tests), it
copies that folder's ``coverage-*.json`` files written since the process started into
ours, as the folder is about to be deleted (``fs.rm``/``rmdir``/``unlink`` of the folder
or a file in it, sync, callback or promise; ESM imports of ``node:fs/promises`` see the
wrapped functions through ``syncBuiltinESMExports``) and when the process exits.  It
only reads the wrapper's files after the wrapper wrote them and leaves them as they
were, so the wrapper's report and threshold (``c8 --check-coverage``, ``borp
--check-coverage``) see the same coverage as without us; the run without the edit gets
none of this.  Other ways were left: pointing the wrapper's temp folder at ours by its
option means rewriting the command (not seen behind npm scripts; borp has no such
option); reading the folder after the run fails for borp (deleted, and in a private
``/tmp``); a preload taking V8's coverage itself (``v8.takeCoverage``, the inspector's
``takePreciseCoverage``) resets the counts the wrapper's own files then lack, changing
its gate.  When the keeper does not reach the wrapper (a ``NODE_OPTIONS`` the command
replaces, a wrapper killed by a signal), nothing is copied and the pass says, as before,
that which lines ran is not known.

"Statements" here are lines: a changed line with code (not blank, not only a comment,
not only closing brackets) is one; a removal counts as run when the code line beside it
(the next at the removed code's indentation, else the one before) ran.  So a statement
over three lines counts three times, and a line holding code of two blocks (a one-line
``if``/``else``) reads as run when either ran.  V8 counts blocks as they are entered:
code after a ``throw`` in the same block reads as run."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Container, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import attrs

from ..linediff import line_opcodes
from .lines import Change, Traced, _beside, _indent, innermost
from .lines_idle import js_loading_lines

SUFFIXES = (".js", ".mjs", ".cjs")
#: node's variable, and the folder of the run's out folder it points at
COVERAGE_VAR = "NODE_V8_COVERAGE"
COVERAGE_DIR = "v8cov"
#: the preload, in the run's out folder, that keeps a coverage wrapper's V8 files
KEEPER = "acrouter-v8keep.cjs"
#: the prefix of the files it copies into ours
KEPT = "kept-"
_KEEPER_JS = r"""'use strict'
// ACRouter's verifier: keeps the V8 coverage a wrapper (c8, borp) sends to a folder of
// its own, for the lines an edit changes.  It copies, and changes nothing of the wrapper's.
// Nothing here may throw or print: it runs in every node process of the run.
try { (() => {
  const OURS = __OURS__
  if (process.env.NODE_V8_COVERAGE !== OURS) return
  const fs = require('fs')
  const path = require('path')
  const started = Date.now() - process.uptime() * 1000
  const kept = new Set()
  const now = () => {
    const dir = process.env.NODE_V8_COVERAGE
    return dir && path.resolve(dir) !== OURS ? path.resolve(dir) : null
  }
  const keep = (dir) => {
    try {
      for (const name of fs.readdirSync(dir)) {
        if (!/^coverage-.*\.json$/.test(name) || kept.has(dir + '/' + name)) continue
        const from = path.join(dir, name)
        if (fs.statSync(from).mtimeMs < started) continue
        fs.copyFileSync(from, path.join(OURS, __KEPT__ + kept.size + '-' + name))
        kept.add(dir + '/' + name)
      }
    } catch {}
  }
  const before = (target) => {
    try {
      const dir = now()
      if (dir === null || target === undefined) return
      const at = path.resolve(target instanceof URL ? require('url').fileURLToPath(target) : String(target))
      if (at === dir || path.dirname(at) === dir) keep(dir)
    } catch {}
  }
  const wrap = (obj, name) => {
    const orig = obj && obj[name]
    if (typeof orig !== 'function') return
    obj[name] = function (target, ...rest) {
      before(target)
      return orig.call(this, target, ...rest)
    }
  }
  try {
    for (const name of ['rm', 'rmSync', 'rmdir', 'rmdirSync', 'unlink', 'unlinkSync']) {
      wrap(fs, name)
    }
    for (const name of ['rm', 'rmdir', 'unlink']) wrap(fs.promises, name)
    require('module').syncBuiltinESMExports()
  } catch {}
  process.on('exit', () => {
    const dir = now()
    if (dir !== null) keep(dir)
  })
})() } catch {}
"""
#: a line of nothing but closing brackets and separators closes a block: not a statement
_CLOSING = re.compile(r"[\s)\]};,]*")
_BREAK = re.compile("\r\n|[\n\r\u2028\u2029]")


def code_chars(text: str) -> dict[int, list[int]]:
    """Each line (1-based) with code: the UTF-16 offsets of its characters outside
    comments and whitespace, without the closing brackets it starts with.  A line
    with only those, only a comment or nothing is left out.  Strings and templates are
    skipped over whole (a ``//`` in them is no comment); regular expressions are not
    told apart (a ``//`` inside one would read as a comment: a line too few)."""
    out: dict[int, list[int]] = {}
    line, units, i, n = 1, 0, 0, len(text)
    state = ""  # "", "block" (/* */), or the quote of the string being read
    row: list[tuple[int, str]] = []

    def flush() -> None:
        chars = "".join(c for _, c in row)
        lead = _CLOSING.match(chars)
        skip = lead.end() if lead else 0
        if skip < len(chars):
            out[line] = [u for u, _ in row[skip:]]

    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        step = 1
        if c in "\n\u2028\u2029" or (c == "\r" and nxt != "\n"):
            flush()
            row, line = [], line + 1
            state = state if state in ("block", "`") else ""
        elif state == "block":
            if c == "*" and nxt == "/":
                state, step = "", 2
        elif state:
            row.append((units, c))
            if c == "\\" and nxt not in "\r\n":
                row.append((units + 1, nxt))
                step = 2
            elif c == state:
                state = ""
        elif c == "/" and nxt == "/":
            while i < n and text[i] not in "\r\n\u2028\u2029":
                units += 2 if ord(text[i]) > 0xFFFF else 1
                i += 1
            continue
        elif c == "/" and nxt == "*":
            state, step = "block", 2
        elif not c.isspace():
            row.append((units, c))
            if c in "'\"`":
                state = c
        for k in range(i, min(i + step, n)):
            units += 2 if ord(text[k]) > 0xFFFF else 1
        i += step
    flush()
    return out


def keeper(folder: str) -> str:
    """The text of :data:`KEEPER` for the run whose coverage goes to ``folder``."""
    return _KEEPER_JS.replace("__OURS__", json.dumps(folder)).replace("__KEPT__", json.dumps(KEPT))


def keeper_option(path: str) -> str:
    """The ``NODE_OPTIONS`` word that loads the keeper at ``path`` (node reads double
    quotes there)."""
    if re.search(r'[\s"\\]', path):
        return '--require "' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"--require={path}"


def _split(text: str) -> list[str]:
    """The lines of ``text`` as JavaScript (and ``code_chars``) counts them: only its line
    terminators break a line (not ``\\f`` or ``\\x85``, which ``str.splitlines`` breaks at)."""
    lines = _BREAK.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def js_change(path: str, old: str, new: str) -> Change | None:
    """The code lines the edit changed in one JavaScript file, and where it removed code
    (beside: the code line next to the removal), or None when none changed."""
    b = _split(new)
    return line_change(path, _split(old), b, code_chars(new), code_chars(old), js_loading_lines(b))


def line_change(
    path: str,
    a: Sequence[str],
    b: Sequence[str],
    code: Collection[int],
    old_code: Container[int],
    loading: Collection[int] = (),
) -> Change | None:
    """The lines of ``b`` (1-based numbers in ``code``: the statement lines) an edit from
    ``a`` changed, and where it removed lines of ``old_code`` (beside: the statement line
    next to the removal), or None when none changed.  JavaScript's lines and Go's.
    ``loading``: lines of ``b`` that only define or import as the module loads
    (:attr:`.lines.Change.loading`)."""
    masked = [text if n + 1 in code else "" for n, text in enumerate(b)]
    at = innermost((n, n) for n in code)
    changed: set[int] = set()
    removals = []
    for op, i1, i2, j1, j2 in line_opcodes(a, b):
        if op in ("replace", "insert"):
            changed.update(n for n in range(j1 + 1, j2 + 1) if n in code)
        gone = [k for k in range(i1, i2) if k + 1 in old_code]
        if op == "delete" and gone:
            beside = _beside(masked, j1, _indent(a[gone[0]]), at)
            if beside is not None:
                removals.append((beside, (i1 + 1, i2)))
    statements = tuple((n, n) for n in sorted(changed))
    marked = {(n, n) for n in loading} & {*statements, *(beside for beside, _ in removals)}
    change = Change(path, statements, tuple(removals), frozenset(marked))
    return change if change.size else None


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def _ran_mask(spans: Sequence[tuple[int, int, int]], length: int) -> int:
    """The offsets of a script of ``length`` UTF-16 units whose innermost range ran, as
    an int whose little-endian bytes are 1 there and 0 elsewhere (so the runs of several
    processes merge with ``|``): the ranges are painted outermost first (of ranges with the same
    extent, the later one is the inner), so each offset keeps its innermost range's
    count (no range: it did not run).  Slice assignment and int arithmetic keep this
    linear in C, whatever the number of ranges."""
    buf = bytearray(length)
    for start, end, count in sorted(spans, key=lambda r: r[0] - r[1]):  # stable: longest first
        start, end = max(0, start), min(length, end)
        if end > start:
            buf[start:end] = (b"\x01" if count > 0 else b"\x00") * (end - start)
    return int.from_bytes(buf, "little")


def spans_of(funcs: Sequence[Any]) -> list[tuple[int, int, int]]:
    """A script's ranges, (start, end, count), the script's own first: [] when its
    coverage is not as V8 writes it."""
    try:
        return [
            (int(r["startOffset"]), int(r["endOffset"]), int(r["count"]))
            for f in funcs
            for r in f["ranges"]
        ]
    except (KeyError, TypeError, ValueError):
        return []


@attrs.frozen
class SourceMap:
    """A script's source map as node read it: its sources (paths; None for one that is
    no file), its mappings and the lengths of the script's lines."""

    sources: tuple[str | None, ...]
    mappings: str
    line_lengths: tuple[int, ...]


@attrs.frozen
class Scripts:
    """What the run's node processes wrote: every script they compiled (its file path and
    its functions' ranges, once per process), and the source maps node read (its
    ``source-map-cache``, by script path)."""

    functions: tuple[tuple[str, list[Any]], ...] = ()
    maps: Mapping[str, SourceMap] = attrs.field(factory=dict)

    @property
    def sources(self) -> dict[str, frozenset[str]]:
        """The files each script's source map names as its sources."""
        return {p: frozenset(s for s in m.sources if s) for p, m in self.maps.items()}


def _path(url: object) -> str | None:
    if isinstance(url, str) and url.startswith("file://"):
        return unquote(urlparse(url).path)
    return None


def _source_map(entry: object) -> SourceMap | None:
    data = entry.get("data") if isinstance(entry, dict) else None
    lengths = entry.get("lineLengths") if isinstance(entry, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        return None
    mappings = data.get("mappings")
    ok = isinstance(lengths, list) and all(isinstance(n, int) for n in lengths)
    return SourceMap(
        tuple(_path(s) for s in data["sources"]),
        mappings if isinstance(mappings, str) else "",
        tuple(lengths) if ok else (),  # type: ignore[arg-type]
    )


def read_scripts(out_dir: str | Path) -> Scripts:
    """Every script (its file path, its functions) of every coverage file of the run, and
    the source maps node read."""
    folder = Path(out_dir) / COVERAGE_DIR
    found = []
    maps: dict[str, SourceMap] = {}
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return Scripts()
    for name in names:
        try:
            data = json.loads((folder / name).read_text(encoding="utf-8"))
            result = data["result"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        for script in result if isinstance(result, list) else []:
            url = script.get("url") if isinstance(script, dict) else None
            funcs = script.get("functions") if isinstance(script, dict) else None
            if (path := _path(url)) is not None and isinstance(funcs, list):
                found.append((path, funcs))
        cache = data.get("source-map-cache") if isinstance(data, dict) else None
        for url, entry in cache.items() if isinstance(cache, dict) else ():
            if (path := _path(url)) is not None and (read := _source_map(entry)) is not None:
                maps.setdefault(path, read)
    return Scripts(tuple(found), maps)


def read_coverage(
    out_dir: str | Path, base: str, files: Mapping[str, str], scripts: Scripts | None = None
) -> Traced | None:
    """The code lines of ``files`` (relative path -> the text the run saw) the run's
    node processes ran, merged; a file some process compiled from other text (its
    top-level range is not the file's length) is ``unmeasured``.  None when no process
    wrote coverage for a script of the workspace outside ``node_modules``.  ``scripts``:
    the run's, when already read."""
    ranges: dict[str, list[list[tuple[int, int, int]]]] = {}
    unmeasured: set[str] = set()
    measured = False
    for path, funcs in (scripts or read_scripts(out_dir)).functions:
        if not path.startswith(base + "/"):
            continue
        rel = path[len(base) + 1 :]
        measured = measured or "node_modules/" not in rel
        if rel not in files and "node_modules/" in rel:  # a link node kept (--preserve-symlinks)
            real = os.path.realpath(path)
            rel = real[len(base) + 1 :] if real.startswith(base + "/") else rel
        if rel not in files:
            continue
        spans = spans_of(funcs)
        if not spans or spans[0][:2] != (0, _utf16_len(files[rel])):
            unmeasured.add(rel)
        else:
            ranges.setdefault(rel, []).append(spans)
    if not measured:
        return None
    lines: dict[str, frozenset[int]] = {}
    for rel, text in files.items():
        if rel in unmeasured:
            continue
        length = _utf16_len(text)
        mask = 0
        for spans in ranges.get(rel, []):  # a character ran when it ran in any process
            mask |= _ran_mask(spans, length)
        ran = mask.to_bytes(length, "little")
        lines[rel] = frozenset(
            n
            for n, offsets in code_chars(text).items()
            if any(ran[u] for u in offsets if u < length)
        )
    return Traced(lines, True, frozenset(unmeasured))
