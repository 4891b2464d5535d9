"""What every language's parameter reader (:mod:`.pyparameters`, :mod:`.jsparameters`,
:mod:`.rubyparameters`, :mod:`.phpparameters`) says the same way: a parameter a
function keeps but takes in another place binds its callers' arguments otherwise."""

from __future__ import annotations

from collections.abc import Sequence


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``."""
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def renamed(before: Sequence[str], after: Sequence[str]) -> set[str]:
    """The parameters of ``after`` (passed by position, in order) in the place of one of
    ``before`` that went: a rename, which callers passing by position do not see (the
    old name's loss, where it is one, is named by itself)."""
    names = set(after)
    return {p for i, p in enumerate(after) if i < len(before) and before[i] not in names}


def moved(before: Sequence[str], after: Sequence[str]) -> list[str]:
    """The parameters a caller passes by position, ``before`` and ``after`` an edit (in
    order; ``""`` for one without a name, as a destructuring pattern), that the function
    takes in another place, as ``factor (moved from 2nd to 3rd place)``: a new one put
    before them, or the parameters reordered.  None when one of ``before`` is no longer
    among ``after`` (gone, renamed, made keyword-only: each reader names that shift
    itself, or it is a rename's)."""
    if not {p for p in before if p} <= set(after):
        return []
    return [
        f"{p} (moved from {ordinal(i + 1)} to {ordinal(after.index(p) + 1)} place)"
        for i, p in enumerate(before)
        if p and after.index(p) != i
    ]
