"""Running ``acrouter`` as a user does in a terminal: their home (config.toml, memory),
their environment, a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def cli_env(home: Path) -> dict[str, str]:
    """The environment of an ``acrouter`` process run by a user whose home is ``home``."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "ACROUTER_HOME": str(home),
        "PYTHONPATH": str(REPO / "server"),
    }


def acrouter(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**cli_env(home), "CHEAP_KEY": "sk-cli-test"}
    return subprocess.run(
        [sys.executable, "-m", "acrouter", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=300,
        check=False,
    )


def write_config(home: Path, base_url: str, *, test_command: bool = True, extra: str = "") -> Path:
    tc = (
        f'testCommand = "{sys.executable} -m pytest -q -p no:cacheprovider"\n'
        if test_command
        else ""
    )
    cfg = home / "config.toml"
    cfg.write_text(f'''{tc}maxAttempts = 2
{extra}
[[models]]
name = "cheap"
model = "openai/cheap-m"
apiBase = "{base_url}"
apiKeyEnv = "CHEAP_KEY"
benchmarkModel = "claude-opus-4-6"

[[models]]
name = "strong"
model = "openai/strong-m"
apiBase = "{base_url}"
apiKeyEnv = "CHEAP_KEY"
benchmarkModel = "MiniMax-M2.7"
''')
    return cfg


def complete(home: Path, file: Path, instruction: str, *flags: str) -> subprocess.CompletedProcess:
    """``acrouter complete --file FILE --instruction INSTRUCTION [flags]``."""
    return acrouter(home, "complete", "--file", str(file), "--instruction", instruction, *flags)
