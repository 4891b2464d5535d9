"""Which command runs a project's tests, and how to read per-test results from it.

pytest runs get ``--junitxml`` (per-test results); other runners are judged by their
exit code, unless they happen to run pytest underneath (``PYTEST_ADDOPTS`` asks it for
a report too).
"""

from __future__ import annotations

import configparser
import json
import logging
import os
import re
import shlex
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import attrs

log = logging.getLogger(__name__)

#: Outcomes of one test in a report.
PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
_RANK = {SKIPPED: 0, PASSED: 1, FAILED: 2}
#: A report larger than this is not parsed (a test suite cannot make us read gigabytes).
MAX_REPORT_BYTES = 64 * 1024 * 1024
_SHELL_CHARS = re.compile(r"[|&;<>()$`*?\[\]{}~\n\\!]")
_NPM_DEFAULT_TEST = "no test specified"


# --------------------------------------------------------------------------- detection


def project_python(root: Path) -> Path | None:
    """The project's own virtualenv interpreter (``.venv/`` or ``venv/``), if any."""
    for name in (".venv", "venv", "env"):
        venv = root / name
        py = venv / "bin" / "python"
        if (venv / "pyvenv.cfg").is_file() and os.access(py, os.X_OK):
            return py
    return None


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _has_test_files(folder: Path, depth: int = 3) -> bool:
    if depth < 0 or not folder.is_dir():
        return False
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    for e in entries:
        if (
            e.is_file()
            and e.name.endswith(".py")
            and (e.name.startswith("test_") or e.name.endswith("_test.py"))
        ):
            return True
    return any(
        _has_test_files(Path(e.path), depth - 1)
        for e in entries
        if e.is_dir(follow_symlinks=False)
        and not e.name.startswith(".")
        and e.name != "__pycache__"
    )


def uses_pytest(root: Path) -> bool:
    if (root / "pytest.ini").is_file() or (root / "conftest.py").is_file():
        return True
    if "[tool.pytest" in _text(root / "pyproject.toml"):
        return True
    if "[tool:pytest]" in _text(root / "setup.cfg") or "[pytest]" in _text(root / "tox.ini"):
        return True
    if any(_has_test_files(root / d) for d in ("tests", "test")):
        return True
    try:
        return any(
            e.is_file()
            and e.name.endswith(".py")
            and (e.name.startswith("test_") or e.name.endswith("_test.py"))
            for e in os.scandir(root)
        )
    except OSError:
        return False


def _npm_test_script(root: Path) -> bool:
    try:
        data = json.loads(_text(root / "package.json") or "null")
    except ValueError:
        return False
    scripts = data.get("scripts") if isinstance(data, dict) else None
    test = scripts.get("test") if isinstance(scripts, dict) else None
    return isinstance(test, str) and bool(test.strip()) and _NPM_DEFAULT_TEST not in test


def _make_test_target(root: Path) -> bool:
    for name in ("GNUmakefile", "makefile", "Makefile"):
        if re.search(r"^test\s*:", _text(root / name), re.MULTILINE):
            return True
    return False


def detect_test_command(root: str | os.PathLike[str]) -> str | None:
    """The command that runs this project's tests, or None when there is no sign of one."""
    root = Path(root)
    if uses_pytest(root):
        py = project_python(root)
        return f"{shlex.quote(str(py))} -m pytest" if py else "python3 -m pytest"
    if _npm_test_script(root):
        return "npm test"
    if (root / "Cargo.toml").is_file():
        return "cargo test"
    if (root / "go.mod").is_file():
        return "go test ./..."
    if _make_test_target(root):
        return "make test"
    return None


# --------------------------------------------------------------------------- the plan


@attrs.frozen
class TestPlan:
    """How to run a test command: an argv, and whether per-test results are expected."""

    __test__ = False  # not a pytest test class

    command: str
    argv: tuple[str, ...]
    pytest: bool  # the command is pytest itself: a missing report is a failure
    interpreter: str | None  # the Python running pytest, when known

    def executable(self) -> str:
        return self.argv[0]


def _pytest_interpreter(argv: list[str]) -> tuple[bool, str | None]:
    if not argv:
        return False, None
    prog = os.path.basename(argv[0])
    if prog in ("pytest", "py.test"):
        return True, None
    if re.fullmatch(r"python(\d+(\.\d+)?)?", prog):
        rest = argv[1:]
        for i, tok in enumerate(rest):
            if tok == "-m" and i + 1 < len(rest):
                return rest[i + 1] in ("pytest", "py.test"), argv[0]
            if tok.startswith("-m") and len(tok) > 2:
                return tok[2:] in ("pytest", "py.test"), argv[0]
            if not tok.startswith("-"):
                break
    return False, None


def plan_command(command: str, report_path: str) -> TestPlan:
    """The argv for ``command``; pytest commands get a JUnit report at ``report_path``."""
    command = command.strip()
    needs_shell = bool(_SHELL_CHARS.search(command))
    argv: list[str] | None = None
    if not needs_shell:
        try:
            argv = shlex.split(command)
        except ValueError:
            needs_shell = True
        if argv and "=" in argv[0]:
            needs_shell = True  # FOO=1 pytest ...
    if needs_shell or not argv:
        return TestPlan(command, ("/bin/sh", "-c", command), False, None)
    is_pytest, interpreter = _pytest_interpreter(argv)
    if is_pytest:
        argv = [
            *argv,
            f"--junitxml={report_path}",
            "-p",
            "no:cacheprovider",
            "-o",
            "junit_family=xunit2",
        ]
    return TestPlan(command, tuple(argv), is_pytest, interpreter)


def pytest_addopts(existing: str | None, report_path: str) -> str:
    """``PYTEST_ADDOPTS`` asking a pytest run somewhere below another runner for a report."""
    ours = f"--junitxml={shlex.quote(report_path)} -p no:cacheprovider"
    return f"{existing} {ours}" if existing else ours


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
            parser.read_string("[venv]\n" + _text(cfg))
        except configparser.Error:
            return None
        raw = parser.get("venv", "version_info", fallback=None) or parser.get(
            "venv", "version", fallback=""
        ) or ""
        m = re.match(r"(\d+)\.(\d+)", raw.strip())
        return (int(m.group(1)), int(m.group(2))) if m else None
    m = re.search(r"python(\d+)\.(\d+)$", os.path.realpath(path))
    return (int(m.group(1)), int(m.group(2))) if m else None


def can_check_syntax(interpreter: str | None) -> bool:
    """Whether compiling with this Python is a fair syntax check for the project's."""
    version = python_version(interpreter)
    return version is not None and version <= sys.version_info[:2]


# --------------------------------------------------------------------------- reports


@attrs.frozen
class Report:
    outcomes: dict[str, str]  # test id -> passed | failed | skipped
    messages: dict[str, str]  # test id -> first line of the failure message


def parse_junit(path: str | os.PathLike[str]) -> Report | None:
    """Per-test outcomes from a JUnit XML report; None if missing, too big or unreadable."""
    try:
        size = os.path.getsize(path)
    except OSError:
        return None
    if size > MAX_REPORT_BYTES:
        log.warning("test report %s is %d bytes; ignored", path, size)
        return None
    try:
        tree = ET.parse(path)
    except (ET.ParseError, OSError, ValueError) as exc:
        log.debug("unreadable test report %s: %s", path, exc)
        return None
    outcomes: dict[str, str] = {}
    messages: dict[str, str] = {}
    for case in tree.getroot().iter("testcase"):
        classname = case.get("classname") or ""
        name = case.get("name") or ""
        test_id = f"{classname}::{name}" if classname else name
        outcome = PASSED
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = FAILED
                msg = (child.get("message") or child.text or child.tag).strip().splitlines()
                if msg and test_id not in messages:
                    messages[test_id] = msg[0][:200]
            elif child.tag == "skipped" and outcome != FAILED:
                outcome = SKIPPED
        if _RANK[outcome] >= _RANK.get(outcomes.get(test_id, SKIPPED), 0):
            outcomes[test_id] = outcome
    return Report(outcomes, messages)
