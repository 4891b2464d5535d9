"""One version for the server and the extension that carries it.

`make vsix` bundles the wheel built from pyproject.toml; the server reports
acrouter.__version__ at initialize; the extension compares it with its own
package.json version (the version handshake). The three must agree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import acrouter

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_server_and_extension_share_one_version() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    extension = json.loads((ROOT / "vscode-client" / "package.json").read_text())["version"]
    assert acrouter.__version__ == pyproject == extension
