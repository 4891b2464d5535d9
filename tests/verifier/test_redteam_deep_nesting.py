"""A Python file nested too deeply for ``compile`` / ``ast.parse`` (a long ``+`` chain).

The verifier raised ``RecursionError`` on such an edit (from the syntax check's
``compile``); when the syntax check does not run (a project whose Python is newer than
ours), the tripwire's ``ast.parse`` raised it too, and a file it cannot read is one it
cannot judge.

How deep is too deep depends on the Python: 3.11 counts its compiler's recursion and
gives up on a 3,000-term ``+``; 3.14 recurses as deep as the C stack lets it (about
100,000 terms with an 8 MiB stack)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from acrouter.domain import Edit
from acrouter.verifier.harness import reaches_into_harness

from .helpers import (
    CALC_FIXED,
    PROJECT_PYTHON,
    PYTEST,
    TEST_CALC,
    task_for,
    verifier,
    write_tree,
)


def _deep(terms: int) -> str:
    return "X = " + " + ".join(['"a"'] * terms) + "\n"


#: too deep for Python 3.11's ``compile`` and ``ast.parse``
DEEP = _deep(3000)
#: too deep for any Python's parser, whatever its C stack (test_parser_stack)
UNARY = "X = " + "-" * 10_000 + "1\n"

#: the ``+`` chains tried, the shortest first (3.14 with a 64 MiB stack: 300,000)
TERMS = (3000, 10_000, 30_000, 100_000, 300_000)

#: prints the fewest terms of those on its command line that ``compile`` refuses as
#: nested too deeply (``RecursionError``), or nothing.  Its memory is bounded (3 GiB):
#: 3.14 compiles 100,000 terms in 3 GB and more with a 64 MiB stack (then refuses
#: 300,000 at once), in 5 GB with an unlimited one
_PROBE = """\
import resource, sys
_, hard = resource.getrlimit(resource.RLIMIT_AS)
cap = 3 << 30
if hard != resource.RLIM_INFINITY:
    cap = min(cap, hard)
resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
for n in map(int, sys.argv[1:]):
    try:
        compile("X = " + " + ".join(['"a"'] * n) + "\\n", "calc.py", "exec", dont_inherit=True)
    except RecursionError:
        print(n)
        break
    except MemoryError:
        continue
"""


def _too_deep_to_compile(python: str) -> int | None:
    """The fewest :data:`TERMS` that ``python``'s ``compile`` refuses as nested too
    deeply, asked of a process of its own (as the syntax check compiles there for a
    project whose Python is newer than ours; in ours, called deeper in its stack, it
    gives up no later), or None."""
    done = subprocess.run(
        [python, "-I", "-S", "-c", _PROBE, *map(str, TERMS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(done.stdout) if done.stdout.strip() else None


def test_a_file_too_deep_to_compile_fails_instead_of_raising(tmp_path: Path) -> None:
    # the project's Python is ours (helpers.PYTEST): the syntax check compiles in this process
    terms = _too_deep_to_compile(PROJECT_PYTHON)
    # a Python that compiles every chain tried (an unlimited C stack): the parser's own
    # stack, whose size no C stack changes, overflows on 10,000 unary signs
    deep = UNARY if terms is None else _deep(terms)
    root = write_tree(
        tmp_path / "proj",
        {"calc.py": CALC_FIXED, "tests/test_calc.py": TEST_CALC, "pytest.ini": "[pytest]\n"},
    )
    edit = Edit(files={"calc.py": CALC_FIXED + "\n" + deep})
    v = verifier().verify(task_for(root, f"{PYTEST} tests"), edit, "m")
    assert v.verdict == "fail" and "cannot be compiled" in v.detail, v.detail


def test_the_tripwire_does_not_pass_a_file_it_cannot_read() -> None:
    why = reaches_into_harness({"calc.py": CALC_FIXED + DEEP}, {"calc.py": CALC_FIXED})
    assert why is not None and "nested too deeply" in why
