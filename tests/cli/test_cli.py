"""`acrouter complete` and `acrouter memory` from a terminal, against the fake OpenAI server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.openai_server import Behaviour, FakeOpenAI
from tests.lsp.test_e2e import BUGGY, RIGHT, WRONG, make_project

REPO = Path(__file__).resolve().parents[2]


def acrouter(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "ACROUTER_HOME": str(home),
        "CHEAP_KEY": "sk-cli-test",
        "PYTHONPATH": str(REPO / "server"),
    }
    return subprocess.run([sys.executable, "-m", "acrouter", *args], capture_output=True, text=True,
                          env=env, input=stdin, timeout=300, check=False)


@pytest.fixture
def setup(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    target = make_project(tmp_path / "proj")
    with FakeOpenAI() as fake:
        fake.behaviours["cheap-m"] = Behaviour(reply=WRONG)
        fake.behaviours["strong-m"] = Behaviour(reply=RIGHT)
        (home / "config.toml").write_text(f'''
testCommand = "{sys.executable} -m pytest -q -p no:cacheprovider"
maxAttempts = 2

[[models]]
name = "cheap"
model = "openai/cheap-m"
apiBase = "{fake.base_url}"
apiKeyEnv = "CHEAP_KEY"
benchmarkModel = "claude-opus-4-6"

[[models]]
name = "strong"
model = "openai/strong-m"
apiBase = "{fake.base_url}"
apiKeyEnv = "CHEAP_KEY"
benchmarkModel = "MiniMax-M2.7"
''')
        yield home, target


def test_complete_json_then_apply_then_memory(setup):
    home, target = setup
    r = acrouter(home, "complete", "--file", str(target), "--range", "1:1-3:1",
                 "--instruction", "Fix the bug in add", "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["verified"] and res["finalModel"] == "strong"
    assert res["edit"]["files"] == {"calc.py": "def add(a, b):\n    return a + b\n"}
    assert target.read_text() == BUGGY  # not applied without --apply

    r = acrouter(home, "complete", "--file", str(target), "--instruction", "Fix the bug in add", "--apply")
    assert r.returncode == 0, r.stderr
    assert "strong" in r.stdout and "+    return a + b" in r.stdout
    assert target.read_text() == "def add(a, b):\n    return a + b\n"

    show = acrouter(home, "memory", "show")
    assert show.returncode == 0 and "Fix the bug in add" in show.stdout and "2 records" in show.stdout
    exported = json.loads(acrouter(home, "memory", "export").stdout)
    assert len(exported["records"]) == 2
    assert "sk-cli-test" not in (home / "memory.json").read_text()

    refused = acrouter(home, "memory", "reset")  # no terminal, no --yes: refuse
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert acrouter(home, "memory", "reset", "--yes").stdout.strip() == "removed 2 records"
    assert "no routing history" in acrouter(home, "memory", "show").stdout


def test_complete_without_config_says_what_to_do(tmp_path):
    home = tmp_path / "h"
    home.mkdir()
    target = make_project(tmp_path / "p")
    r = acrouter(home, "complete", "--file", str(target), "--instruction", "fix")
    assert r.returncode == 2
    assert "config.toml" in r.stderr
    bad = acrouter(home, "complete", "--file", str(target), "--range", "0:0-1:1", "--instruction", "fix")
    assert bad.returncode == 2 and "1-based" in bad.stderr


def test_a_gateway_budget_error_is_not_counted_in_json_show_and_export(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    target = make_project(tmp_path / "proj")
    with FakeOpenAI() as fake:
        fake.behaviours["cheap-m"] = Behaviour(proxy_error="budget")  # a LiteLLM proxy's 422
        fake.behaviours["strong-m"] = Behaviour(reply=RIGHT)
        (home / "config.toml").write_text(f'''
testCommand = "{sys.executable} -m pytest -q -p no:cacheprovider"
maxAttempts = 2

[[models]]
name = "cheap"
model = "openai/cheap-m"
apiBase = "{fake.base_url}"
apiKeyEnv = "CHEAP_KEY"
benchmarkModel = "claude-opus-4-6"

[[models]]
name = "strong"
model = "openai/strong-m"
apiBase = "{fake.base_url}"
apiKeyEnv = "CHEAP_KEY"
benchmarkModel = "MiniMax-M2.7"
''')
        r = acrouter(home, "complete", "--file", str(target), "--instruction", "Fix the bug in add", "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert [(a["model"], a["verdict"], a["counted"]) for a in res["attempts"]] == [
        ("cheap", "error", False), ("strong", "pass", True)]
    assert res["attempts"][0]["detail"].startswith("budget: budget exceeded at http://127.0.0.1:")
    assert "not held against cheap: budget exceeded" in res["why"]

    show = acrouter(home, "memory", "show")
    assert show.returncode == 0
    assert "attempts: cheap error (not counted: budget exceeded at http://127.0.0.1:" in show.stdout
    assert "-> strong pass" in show.stdout
    exported = json.loads(acrouter(home, "memory", "export").stdout)
    assert [a["counted"] for a in exported["records"][0]["attempts"]] == [False, True]
    assert "sk-cli-test" not in (home / "memory.json").read_text()
