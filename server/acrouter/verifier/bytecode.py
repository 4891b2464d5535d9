"""The workspace's bytecode of an edited Python file: never loaded in the edit's place.

Python loads ``__pycache__/calc.cpython-311.pyc`` instead of compiling ``calc.py``
when the ``.pyc`` says it is current.  A timestamp ``.pyc`` is checked against the
source's mtime and size (the edited file is written as the run starts: a new mtime), a
``checked-hash`` one against its hash, but an ``unchecked-hash`` one
(``py_compile`` / ``compileall --invalidation-mode unchecked-hash``, which some
packagers use) is never checked: the tests ran the bytecode of the file as it was before
the edit, and ``add`` made to subtract was "verified" (``pass: 2 passed, 0 failed``,
every changed line seen run, since the old bytecode has the same line numbers).

So the cached bytecode of every edited ``.py`` file is kept from the run: under an
overlay an empty file (``/dev/null``, read-only) is bound over each (Python reads no
valid header there and compiles the source), and a scratch copy does not hold them.
The run writes none itself (``PYTHONDONTWRITEBYTECODE=1``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

#: what is bound over a cached ``.pyc`` of an edited file under an overlay
EMPTY = "/dev/null"


def cached_bytecode(root: Path, edited: Iterable[str]) -> list[str]:
    """The ``.pyc`` files (relative to ``root``, as found there) Python may load for the
    edited files ``edited`` (relative paths): ``__pycache__/<stem>.<tag>[.opt-N].pyc``
    beside each ``.py`` / ``.pyw``."""
    found: list[str] = []
    for rel in edited:
        path = PurePosixPath(rel)
        if path.suffix not in (".py", ".pyw") or "." in path.stem:
            continue  # (a module's name holds no dot)
        cache = path.parent / "__pycache__"
        try:
            with os.scandir(root / cache) as it:  # (regular files: a bind needs no symlink)
                names = [e.name for e in it if e.is_file(follow_symlinks=False)]
        except OSError:
            continue
        prefix = path.stem + "."
        found.extend(
            (cache / n).as_posix()
            for n in sorted(names)
            if n.startswith(prefix) and n.endswith(".pyc")
        )
    return found
