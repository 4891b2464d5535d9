"""The lines of an edited TypeScript (or compiled JavaScript) file that a build of it
ran, read back through the build's source map (the build side of :mod:`.lines_js`).

A test command that builds first (``tsc && node --test dist/``) runs ``dist/calc.js``,
never ``src/calc.ts``; V8's coverage is of the build.  When node read the build's
source map (its ``source-map-cache``, written beside the coverage), each mapping ties a
position of the build to a line of the source: a source line ran when the innermost
range holding one of its mapped positions ran.  A code line no mapping points at made
no code of the build (an interface's field, a type) and is counted as run: there was
nothing of it to run.  The build's coverage is used only when its top-level range spans
the script as node read it (the map's line lengths), as :mod:`.lines_js` requires of a
file's own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from .lines_js import Scripts, SourceMap, _ran_mask, code_chars, spans_of

_B64 = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}


def _vlq(segment: str) -> list[int]:
    """The numbers of one mapping segment (base64 VLQ), or [] when it is not one."""
    out: list[int] = []
    value = shift = 0
    for ch in segment:
        digit = _B64.get(ch)
        if digit is None:
            return []
        value += (digit & 31) << shift
        if digit & 32:
            shift += 5
        else:
            out.append(-(value >> 1) if value & 1 else value >> 1)
            value = shift = 0
    return out if not shift else []


def segments(mappings: str) -> Iterator[tuple[int, int, int, int]]:
    """(generated line, generated column, source index, source line), 0-based, of each
    mapping that names a source."""
    source = line = column = 0
    for generated, text in enumerate(mappings.split(";")):
        at = 0
        for segment in text.split(","):
            values = _vlq(segment) if segment else []
            if not values:
                continue
            at += values[0]
            if len(values) >= 4:
                source += values[1]
                line += values[2]
                column += values[3]
                yield generated, at, source, line


def _ran(
    source_map: SourceMap, runs: Sequence[list[Any]], index: int
) -> tuple[set[int], set[int]] | None:
    """The source lines (1-based) of source ``index`` that the mappings point at, and
    those whose mapped positions ran in any of ``runs`` (the script's functions, one
    list per process); None when the coverage is not of the script the map describes."""
    lengths = source_map.line_lengths
    size = sum(lengths) + max(len(lengths) - 1, 0)
    mask = 0
    for funcs in runs:
        spans = spans_of(funcs)
        if not lengths or not spans or spans[0][:2] != (0, size):
            return None
        mask |= _ran_mask(spans, size)
    ran = mask.to_bytes(size, "little")
    starts = [0]
    for n in lengths:
        starts.append(starts[-1] + n + 1)
    mapped: set[int] = set()
    hit: set[int] = set()
    for generated, column, source, line in segments(source_map.mappings):
        if source != index or generated >= len(lengths):
            continue
        mapped.add(line + 1)
        offset = starts[generated] + column
        if offset < size and ran[offset]:
            hit.add(line + 1)
    return mapped, hit


def mapped_lines(target: str, text: str, scripts: Scripts) -> frozenset[int] | None:
    """The code lines of ``text`` (the edited file at ``target``, an absolute path) that
    the builds naming it in their source maps ran, or had no code there; None when no
    build's map names it, or a build's coverage cannot be read through its map."""
    naming = {p: m for p, m in scripts.maps.items() if target in m.sources}
    runs: dict[str, list[list[Any]]] = {}
    for path, funcs in scripts.functions:
        if path in naming:  # (the coverage of the builds that name it, of each process)
            runs.setdefault(path, []).append(funcs)
    if not runs:
        return None
    mapped: set[int] = set()
    hit: set[int] = set()
    for path, funcs in runs.items():
        source_map = naming[path]
        for index, source in enumerate(source_map.sources):
            if source != target:
                continue
            found = _ran(source_map, funcs, index)
            if found is None:
                return None
            mapped |= found[0]
            hit |= found[1]
    return frozenset(n for n in code_chars(text) if n in hit or n not in mapped)
