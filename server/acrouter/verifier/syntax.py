"""Fail fast on a Python syntax error in the edit, before any test runs: compiled with
our own interpreter, when it is no older than the project's (a newer project's syntax
would look like an error)."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from .detection import project_python, read_text
from .runners import TestPlan


def python_version(interpreter: str | None) -> tuple[int, int] | None:
    """The (major, minor) version of ``interpreter`` without running it, when it shows."""
    if not interpreter:
        return None
    path = shutil.which(interpreter) if os.sep not in interpreter else interpreter
    if not path:
        return None
    cfg = Path(path).parent.parent / "pyvenv.cfg"
    if cfg.is_file():
        parser = configparser.ConfigParser()
        try:
            parser.read_string("[venv]\n" + read_text(cfg))
        except configparser.Error:
            return None
        raw = (
            parser.get("venv", "version_info", fallback=None)
            or parser.get("venv", "version", fallback="")
            or ""
        )
        m = re.match(r"(\d+)\.(\d+)", raw.strip())
        return (int(m.group(1)), int(m.group(2))) if m else None
    m = re.search(r"python(\d+)\.(\d+)$", os.path.realpath(path))
    return (int(m.group(1)), int(m.group(2))) if m else None


def can_check_syntax(interpreter: str | None) -> bool:
    """Whether compiling with this Python is a fair syntax check for the project's."""
    version = python_version(interpreter)
    return version is not None and version <= sys.version_info[:2]


def syntax_error(texts: Mapping[str, str], plan: TestPlan, root: Path) -> str | None:
    """The first syntax error in the edited Python files, or None (also when our
    interpreter cannot judge the project's syntax)."""
    interpreter = plan.interpreter or str(project_python(root) or "python3")
    if not can_check_syntax(interpreter):
        return None
    for rel, text in texts.items():
        if not rel.endswith(".py"):
            continue
        try:
            compile(text, rel, "exec", dont_inherit=True)
        except SyntaxError as exc:
            return f"syntax error in {rel} line {exc.lineno}: {exc.msg}"
        except (ValueError, RecursionError) as exc:  # (an expression nested too deeply)
            return f"{rel} cannot be compiled: {exc}"
    return None
