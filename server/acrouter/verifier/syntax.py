"""Fail fast on a Python syntax error in the edit, before any test runs: compiled with
our own interpreter when it is no older than the project's, else with the project's
(a newer project's syntax would look like an error to ours).

The verifier's other checks (the harness tripwire, the doctest and rename rules, the
shadowed modules) read the edited files with our own ``ast``: a file in syntax only a
newer Python reads (``type X = int``, ``def f[T]()``, PEP 701 f-strings: 3.12) would be
one they silently cannot judge, so such an edit is not verified (:func:`unreadable`).

The project's interpreter compiles the files outside the sandbox, but runs none of the
project's code: ``-I -S`` (no site, so no ``.pth`` file or ``sitecustomize``, no
environment variables, no current folder on ``sys.path``), the texts on its standard
input, and it is the workspace's interpreter as it was before the edit."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from ..edits import BOM
from .detection import project_python, pyenv_target, python_version, stdlib_folder
from .runners import TestPlan

#: compiles the files of a JSON object {path: text} on stdin; prints the first error
#: as syntax_error words it (a JSON string), or null
_COMPILE = """\
import json, sys
for rel, text in json.load(sys.stdin).items():
    try:
        compile(text, rel, "exec", dont_inherit=True)
    except SyntaxError as exc:
        print(json.dumps("syntax error in %s line %s: %s" % (rel, exc.lineno, exc.msg)))
        break
    except (ValueError, RecursionError, MemoryError) as exc:
        print(json.dumps("%s cannot be compiled: %s" % (rel, exc)))
        break
else:
    print("null")
"""


def can_check_syntax(interpreter: str | None) -> bool:
    """Whether compiling with this Python is a fair syntax check for the project's."""
    version = python_version(interpreter)
    return version is not None and version <= sys.version_info[:2]


def _interpreter(plan: TestPlan, root: Path) -> str:
    """The project's Python; a relative path (``.venv/bin/python -m pytest``) is the
    workspace's, where the command runs; a pyenv shim, the Python it runs there
    (:func:`.detection.pyenv_target`)."""
    python = plan.interpreter or str(project_python(root) or "python3")
    python = str(root / python) if os.sep in python and not os.path.isabs(python) else python
    return pyenv_target(python, root) or python


def project_version(plan: TestPlan, root: Path) -> tuple[int, int] | None:
    """The (major, minor) version of the Python the project's tests run in, when known."""
    return python_version(_interpreter(plan, root))


def project_stdlib(plan: TestPlan, root: Path) -> Path | None:
    """The standard library's folder of the Python the project's tests run in, when it
    shows without running it (:func:`.detection.stdlib_folder`)."""
    return stdlib_folder(_interpreter(plan, root))


def _compiled_by(interpreter: str, texts: Mapping[str, str]) -> tuple[bool, str | None]:
    """(whether ``interpreter`` could judge, the first error it found) for these
    Python files.  Only an interpreter whose version shows (a real ``pythonX.Y`` or a
    virtualenv's): never a wrapper script of unknown kind."""
    path = shutil.which(interpreter) if os.sep not in interpreter else interpreter
    if not path or not texts or python_version(path) is None:
        return False, None
    try:
        done = subprocess.run(
            [path, "-I", "-S", "-c", _COMPILE],
            input=json.dumps(dict(texts)),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=60,
            cwd="/",
            env={"PATH": os.environ.get("PATH", os.defpath), "LC_ALL": "C.UTF-8"},
            check=False,
        )
        found = json.loads(done.stdout) if done.returncode == 0 else None
    except (OSError, subprocess.SubprocessError, ValueError):
        return False, None
    if done.returncode != 0 or not (found is None or isinstance(found, str)):
        return False, None
    return True, found


def syntax_error(texts: Mapping[str, str], plan: TestPlan, root: Path) -> str | None:
    """The first syntax error in the edited Python files, or None (also when neither our
    interpreter nor the project's can judge the project's syntax)."""
    interpreter = _interpreter(plan, root)
    # (a file saved with a byte-order mark: Python drops it from the bytes, compile()
    # refuses it in a str)
    python = {rel: text.removeprefix(BOM) for rel, text in texts.items() if rel.endswith(".py")}
    if not can_check_syntax(interpreter):
        return _compiled_by(interpreter, python)[1]
    for rel, text in python.items():
        try:
            compile(text, rel, "exec", dont_inherit=True)
        except SyntaxError as exc:
            return f"syntax error in {rel} line {exc.lineno}: {exc.msg}"
        except (ValueError, RecursionError, MemoryError) as exc:  # (nested too deeply)
            return f"{rel} cannot be compiled: {exc or 'the parser ran out of stack'}"
    return None


def _readable(text: str) -> bool:
    try:
        ast.parse(text.removeprefix(BOM))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def unreadable(
    texts: Mapping[str, str], olds: Mapping[str, str | None], plan: TestPlan, root: Path
) -> str | None:
    """Why the edit cannot be verified because our ``ast`` cannot read one of its Python
    files (as edited, or as it was) that the project's newer Python may: the checks that
    read them would not see what they look for.  None when our interpreter is no older
    than the project's (the syntax check then judged the edit with ours), and for a file
    the project's Python refuses too before the edit (broken before it)."""
    interpreter = _interpreter(plan, root)
    if can_check_syntax(interpreter):
        return None
    for rel in sorted(texts):
        if not rel.endswith(".py"):
            continue
        old = olds.get(rel)
        if old is None or _readable(old):
            if _readable(texts[rel]):
                continue
        elif _readable(texts[rel]) and all(_compiled_by(interpreter, {rel: old.removeprefix(BOM)})):
            continue  # the project's Python refuses it too: broken before the edit
        ours = ".".join(map(str, sys.version_info[:2]))
        version = python_version(interpreter)
        theirs = ".".join(map(str, version)) if version else "of unknown version"
        return (
            f"{rel} is written in syntax that the Python the verifier runs on ({ours}) cannot "
            f"read, and the project's Python ({theirs}) may: the verifier's checks of the "
            "edit (its harness tripwire, the doctest and rename rules) read the code with "
            f"their own Python, so this edit cannot be verified; run the ACRouter server on "
            f"Python {theirs if version else 'as new as the project'} or newer"
        )
    return None
