"""A pass from tests that imported another copy of the edited code: not a pass.

The classic case: a project laid out under ``src/`` and installed into its virtualenv
without ``-e`` (or an old install left there).  Its tests ``import calcpkg`` and get the
installed copy in ``site-packages``; the workspace's ``src/calcpkg/__init__.py``, which
the edit changed, is never imported, so the tests pass whatever the edit does (``add``
broken was "verified", `2 passed, 0 failed`).  The changed-lines tracer sees it: in no
process of the run was the edited file imported, and in one a module of the same dotted
name came from another file, a copy of it (at least half of that file's code lines are
the edited file's; :attr:`.lines_trace.Traced.elsewhere`).

Go's tests do the same when the module they run in takes the edited package from another
folder: a ``replace`` to another copy, ``vendor/``, the module cache
(:func:`.lines_gotrace.built_from`; the profile names files by import path, so the copy's
blocks read as the edited file's until ``go list`` says where the package came from).

The same holds for an extension module built from the edited file before the edit and
left beside it (``calc.cpython-311-x86_64-linux-gnu.so`` next to ``calc.py``: Cython's
``build_ext --inplace``, mypyc): Python imports it before the ``.py`` file, so the edit
never runs unless the test command rebuilds it (then it is newer than the edit, and not
taken for one).  And not for a copy identical to the edited file: a command that
installs the project before its tests (tox, nox, ``pip install . && pytest``) runs the
edit from there: the tracer watches the copy's code as the edited file's, line for line
(``_edited`` in :mod:`.lines_plugin`); a copy it could not watch so is
:attr:`.lines_trace.Traced.unmeasured` (which lines ran is not known).

And for Rust: ``cargo test`` that built another copy of the edited file's crate (a path
dependency to a vendored folder, a ``[source]`` replacement) and not the edited file
(:mod:`.lines_rust`).

Not when the copy imported instead is one the edit changed too (``src/semver`` and the
``build/lib/semver`` a ``pip install .`` leaves in the project, both edited): the tests ran
the edit there, and the other copy's changes are edited code no test ran, as any.

Such a pass becomes verdict ``error``, not counted (the set-up's fault, not the
model's), with what was imported instead and what to do; ``Verdict.untested`` carries
it, and the request stops there: every other model's edit would go untested the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from ..domain import Verdict
from .lines_trace import NODE_MODULES

if TYPE_CHECKING:
    from .lines_trace import Change, Traced

#: the files of an extension module (Cython's, mypyc's), which Python imports before a
#: ``.py`` file of the same name beside it
COMPILED = (".so", ".pyd")


def _advice(shadowed: Sequence[tuple[str, str]]) -> str:
    """What the tests ran instead of the edited files, and what to do."""
    named = "; ".join(f"{other} instead of {rel}" for rel, other in shadowed)
    if all(other.startswith("/") and other.endswith("/" + rel) for rel, other in shadowed):
        return (
            f"they ran {named}: your workspace's own files, reached through the links of "
            "the copy they ran in (without a sandbox, the copy's node_modules and "
            'virtualenv folders are links to yours). Run the tests in the sandbox ("bwrap"), '
            "which puts the edited copy in the workspace's place, then ask again"
        )
    if all(other.endswith(COMPILED) for _, other in shadowed):
        return (
            f"they imported {named}, a compiled module built before it. Make the test "
            "command rebuild it first (python setup.py build_ext --inplace && ...) or "
            "remove it, then ask again"
        )
    if all(rel.endswith(".go") for rel, _ in shadowed):
        return (
            f"they built {named}: the module the tests ran in takes the edited package "
            "from another copy (a replace directive, vendor/, the module cache). Point it "
            'at the workspace\'s folder (a replace to it in go.mod, or a go.work that "use"s '
            'it), or make the test command vendor it first ("go mod vendor && go test '
            '..."), then ask again'
        )
    if all(rel.endswith(".rs") and "/out/" in other for rel, other in shadowed):
        rerun = "; ".join(f"cargo:rerun-if-changed={rel}" for rel, _ in shadowed)
        return (
            f"they built {named}: a copy the build script made before the edit and did not "
            f"make again. Make the build script rerun when it changes ({rerun}), then ask "
            "again"
        )
    if all(rel.endswith(".rs") for rel, _ in shadowed):
        return (
            f"they built {named}, another copy of its crate. Make the crates the tests "
            "build depend on the workspace's crate (a path dependency to its folder, or "
            "a workspace member), or vendor it again (cargo vendor), then ask again"
        )
    if all(rel.endswith(".py") for rel, _ in shadowed):
        return (
            f"they imported {named}. Install the project into the tests' environment in "
            "editable mode (pip install -e .) or put its source folder on their path, then "
            "ask again"
        )
    if all(NODE_MODULES in other.split("/") for _, other in shadowed):
        return (
            f"they loaded {named}. Make the workspace's package the one its dependents "
            'load (an npm workspace, npm link, or a "file:" dependency), then ask again'
        )
    built = "; ".join(f"{other}, built from {rel} before the edit" for rel, other in shadowed)
    return (
        f"they ran {built}. Make the test command build the code first (e.g. "
        '"npm run build && npm test", or a "pretest" script), then ask again'
    )


def imported_elsewhere(
    verdict: Verdict, change_list: Sequence[Change], traced: Traced | None
) -> Verdict | None:
    """The ``error`` verdict for a pass or a fail whose tests imported none of the edited
    Python files but another file under the same module name, else None: such a fail
    came from the set-up too (tests the edit changed, renaming what they import, import
    the new name from the old copy), never from the edited code."""
    if verdict.verdict not in ("pass", "fail") or traced is None:
        return None
    changed = {c.path for c in change_list}
    # a copy imported instead that the edit changed too (src/ and the build/lib/ copy
    # ``pip install .`` leaves beside it, both edited): the tests ran the edit from there
    shadowed = sorted(
        (rel, f) for rel, f in traced.elsewhere.items() if rel in changed and f not in changed
    )
    if not shadowed or any(traced.lines.get(rel) for rel, _ in shadowed):
        return None
    said = "the tests never ran the edit: " + _advice(shadowed[:3])
    detail = f"{said} ({verdict.detail})" if verdict.detail else said
    return attrs.evolve(
        verdict, verdict="error", detail=detail, counted=False, score=None, untested=said
    )
