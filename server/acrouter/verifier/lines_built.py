"""Edited JavaScript and TypeScript the tests ran only as another file: a build made
before the edit, or a copy in ``node_modules`` (the node side of :mod:`.lines_shadow`).

A TypeScript project whose ``npm test`` is ``node --test dist/`` runs what ``tsc`` built
before the edit: the edit of ``src/calc.ts`` never reaches the tests, which pass
whatever it does (``add`` broken was "verified", 2 passed, with no word of doubt).  A
monorepo's tests may load ``node_modules/calc/index.js``, a copy installed from the
registry or a tarball, instead of the workspace's ``packages/calc/index.js``.

The run's node processes write which scripts they compiled (``NODE_V8_COVERAGE``,
asked for whenever the edit changes JavaScript or TypeScript under a runner that loads
the code itself: :func:`.lines_run.trace_env`).  An edited file none of them loaded
(:attr:`Loads.unloaded`) ran in no form of its own.  Its stand-in, when one is known
(:func:`find`), is the file the tests ran instead:

- a script whose source map names the edited file as a source (a build or a bundle);
- a build by name: ``dist/calc.js`` (or ``lib/``, ``build/``, ``out/``, ...) for
  ``src/calc.ts`` (``tsc``'s ``rootDir`` → ``outDir``), or ``dist/src/calc.js``;
- for a JavaScript file, a script under ``node_modules`` at the same path within its
  package whose code lines are at least half the edited file's (a copy, maybe older);
- without a sandbox, the user's own file: the copy the tests ran in links to the user's
  ``node_modules``, and a workspace package linked there leads back to the original.

A stand-in the run itself wrote (a build step in the test command: ``tsc && node --test
dist/``) holds the edit, so :func:`settle` drops it once the run's writes are known; the
lines of the files no script loaded are then those their builds' source maps tell
(:mod:`.lines_mapped`), else not known.  One it did not write was built from the code
before the edit: the pass becomes an error (:mod:`.lines_shadow`).  An edited file with
no stand-in that no process loaded ran none of its lines.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Collection, Mapping
from pathlib import Path, PurePosixPath

import attrs

from .lines_js import Scripts
from .lines_mapped import mapped_lines
from .lines_trace import NODE_MODULES, Loads, Traced

#: what node runs: a build's suffixes
RUNS = (".js", ".mjs", ".cjs")
#: what compiles to it, with no source map needed to tell a build of it by name
TYPESCRIPT = (".ts", ".tsx", ".mts", ".cts")
#: the folders builds are written to (``tsc``'s ``outDir``, babel's ``--out-dir``, ...)
OUT_DIRS = frozenset(
    {"dist", "lib", "build", "built", "out", "output", "es", "esm", "cjs", "umd", "compiled"}
)


def _rel(path: str, base: str) -> str | None:
    return path[len(base) + 1 :] if path.startswith(base + "/") else None


def _mapped(target: str, sources: Mapping[str, frozenset[str]]) -> str | None:
    """A script whose source map names ``target`` (an absolute path) as a source."""
    return min((s for s, named in sources.items() if target in named), default=None)


def _by_name(rel: str, scripts: Collection[str]) -> str | None:
    """A script of the workspace whose path is ``rel``'s with an output folder in place
    of ``rel``'s top folder (or in front of it) and a suffix node runs."""
    mine = PurePosixPath(rel)
    for other in sorted(scripts):
        theirs = PurePosixPath(other)
        if other == rel or theirs.suffix not in RUNS or theirs.stem != mine.stem:
            continue
        a, b = list(mine.parent.parts), list(theirs.parent.parts)
        while a and b and a[-1] == b[-1]:  # their common tail of folders
            a.pop()
            b.pop()
        sibling = len(a) == len(b) >= 1 and a[:-1] == b[:-1]
        inside = len(b) == len(a) + 1 and b[:-1] == a
        if (sibling or inside) and b[-1] in OUT_DIRS:
            return other
    return None


def _code(text: str) -> list[str]:
    lines = (x.strip() for x in text.splitlines())
    return [x for x in lines if x and not x.startswith(("//", "/*", "*"))]


def _copied(rel: str, text: str, scripts: Collection[str]) -> str | None:
    """A script under ``node_modules`` at ``rel``'s path within its package (``rel``
    ends with it), at least half of whose code lines are ``text``'s."""
    mine = Counter(_code(text))
    for path in sorted(scripts):
        parts = path.split("/")
        if NODE_MODULES not in parts:
            continue
        at = len(parts) - 1 - parts[::-1].index(NODE_MODULES)
        inner = parts[at + 2 + parts[at + 1].startswith("@") :]
        if not inner or not (rel == "/".join(inner) or rel.endswith("/" + "/".join(inner))):
            continue
        try:
            theirs = _code(Path(path).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if theirs and 2 * sum((Counter(theirs) & mine).values()) >= len(theirs):
            return path
    return None


def find(
    base: str, files: Mapping[str, str], scripts: Scripts, origin: str | None = None
) -> tuple[Loads, dict[str, str]] | None:
    """Of the edited ``files`` (relative path -> new text): those no node process loaded
    (``scripts``: what they compiled, and the source maps they read), and each one's
    stand-in, relative to ``base`` when inside it.  ``origin``: the user's workspace,
    when the run saw a copy of it at ``base`` (no sandbox): its own file is a stand-in
    too (the copy's ``node_modules`` links to the user's, and a workspace package linked
    there leads back to it).  None when no process loaded a script of the workspace
    outside ``node_modules`` (not a node runner), or when they loaded every edited file."""
    paths = {p for p, _ in scripts.functions}
    # a package node loaded through a link it kept (--preserve-symlinks): the file it
    # leads to was loaded (the link's target as the host sees it: under the overlay, or
    # the copy mounted, at the workspace's own path)
    paths |= {os.path.realpath(p) for p in paths if f"/{NODE_MODULES}/" in p}
    loaded = {r for p in paths if (r := _rel(p, base)) is not None}
    own = {r for r in loaded if NODE_MODULES not in r.split("/")}
    if not own:
        return None
    unloaded = frozenset(rel for rel in files if rel not in loaded)
    if not unloaded:
        return None
    sources = scripts.sources
    instead: dict[str, str] = {}
    mapped: dict[str, frozenset[int]] = {}
    for rel in sorted(unloaded):
        other = f"{origin}/{rel}" if origin and f"{origin}/{rel}" in paths else None
        other = other or _mapped(f"{base}/{rel}", sources)
        if other is None and rel.endswith(TYPESCRIPT):  # JavaScript's: its source map
            other = _by_name(rel, own)
        if other is None and rel.endswith(RUNS):
            other = _copied(rel, files[rel], paths)
        if other == f"{origin}/{rel}":  # the user's own file: said in full
            instead[rel] = other
        elif other is not None:
            instead[rel] = _rel(other, base) or (origin and _rel(other, origin)) or other
        ran = mapped_lines(f"{base}/{rel}", files[rel], scripts)
        if ran is not None:
            mapped[rel] = ran
    return Loads(unloaded, frozenset(own), mapped), instead


def settle(traced: Traced | None, wrote: Mapping[str, str]) -> Traced | None:
    """``traced`` once the run's writes (``wrote``: relative path -> what the run did to
    it, :mod:`.written`) are known: a stand-in the run wrote is no stand-in (the run
    built it, from the edit).  When the run wrote a script its node processes loaded,
    an edited file none loaded ran through a build of the run: its lines are those its
    builds' source maps tell (:attr:`.lines_trace.Loads.mapped`), else not known."""
    if traced is None or not wrote:
        return traced
    elsewhere = {k: v for k, v in traced.elsewhere.items() if v not in wrote}
    loads = traced.loads
    if loads is None or not loads.unloaded or not loads.scripts & wrote.keys():
        if elsewhere == traced.elsewhere:
            return traced
        return attrs.evolve(traced, elsewhere=elsewhere)
    built = {r: v for r, v in loads.mapped.items() if r in loads.unloaded and r not in elsewhere}
    unknown = loads.unloaded - built.keys()
    lines = {k: v for k, v in traced.lines.items() if k not in loads.unloaded}
    return attrs.evolve(
        traced,
        lines={**lines, **built},
        unmeasured=traced.unmeasured | (unknown - elsewhere.keys()),
        elsewhere=elsewhere,
    )
