"""Which lines an edit changed: the line diff the verifier's :mod:`.verifier.lines` and
:mod:`.verifier.lines_js` read the changed statements from, and the guard's
:mod:`.elisions` the code a placeholder took the place of.

The common head and tail are set aside first.  What lies between is matched exactly
with difflib (no "junk" lines) while it is small.  A larger middle is cut at anchors
first, as patience diff does: the lines that occur once in each side, matched in
order (the longest increasing run of their places), split it into gaps that are
matched the same way, down to difflib.  Exact matching grows about as the cube of the
middle, and difflib's heuristic on a large middle with many repeated lines (a blank
line, ``return y``) about as the square: an edit of 4,000 functions of a 20,000-line
file took 10 s there (``benchmarks/lines_diff.py``).  Every line an opcode leaves out
is the same in both texts (the anchors are equal lines, and difflib says so of its
"equal" runs), so a changed line is never taken for an unchanged one; a diff that is not
the shortest may call a few unchanged lines changed (a warning too many).
"""

from __future__ import annotations

import bisect
import difflib
from collections import Counter
from collections.abc import Sequence

#: a changed middle of at most this many lines (either side) is matched exactly
EXACT_LINES = 1000

Opcode = tuple[str, int, int, int, int]


def line_opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """difflib's opcodes from the lines ``a`` to ``b``, equal runs left out (see the
    module's text for how a large middle is matched)."""
    out: list[Opcode] = []
    _gap(a, b, 0, len(a), 0, len(b), out)
    return out


def _gap(
    a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int, out: list[Opcode]
) -> None:
    """The opcodes of ``a[alo:ahi]`` against ``b[blo:bhi]``, appended to ``out``."""
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        alo, blo = alo + 1, blo + 1
    while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
    if alo == ahi and blo == bhi:
        return
    if alo == ahi or blo == bhi:
        out.append(("insert" if alo == ahi else "delete", alo, ahi, blo, bhi))
        return
    small = max(ahi - alo, bhi - blo) <= EXACT_LINES
    anchors = [] if small else _anchors(a, b, alo, ahi, blo, bhi)
    if not anchors:
        matcher = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=not small)
        out.extend(
            (op, i1 + alo, i2 + alo, j1 + blo, j2 + blo)
            for op, i1, i2, j1, j2 in matcher.get_opcodes()
            if op != "equal"
        )
        return
    i, j = alo, blo
    for ai, bj in anchors:
        _gap(a, b, i, ai, j, bj, out)
        i, j = ai + 1, bj + 1
    _gap(a, b, i, ahi, j, bhi, out)


def _anchors(
    a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """The lines found once in ``a[alo:ahi]`` and once in ``b[blo:bhi]``, as (place in
    a, place in b), the longest run of them in the same order in both."""
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if count_b[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if count_a[a[i]] == 1 and a[i] in where_b]
    return _increasing(pairs)


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (in order of their first place) whose second places
    increase too (patience sorting)."""
    tops: list[int] = []  # the smallest last second place of a run of each length
    ends: list[int] = []  # the index in pairs of that run's last pair
    back: list[int] = []  # each pair's predecessor in its run (-1: none)
    for k, (_, j) in enumerate(pairs):
        n = bisect.bisect_left(tops, j)
        if n == len(tops):
            tops.append(j)
            ends.append(k)
        else:
            tops[n], ends[n] = j, k
        back.append(ends[n - 1] if n else -1)
    run: list[tuple[int, int]] = []
    k = ends[-1] if ends else -1
    while k >= 0:
        run.append(pairs[k])
        k = back[k]
    return run[::-1]
