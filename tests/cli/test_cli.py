"""`acrouter complete` and `acrouter memory` from a terminal, against the fake OpenAI server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.openai_server import Behaviour, FakeOpenAI
from tests.lsp.test_e2e import BUGGY, CALC13, ONLY_ADD, RIGHT, SR_FIX, WRONG, make_project

REPO = Path(__file__).resolve().parents[2]


def acrouter(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "ACROUTER_HOME": str(home),
        "CHEAP_KEY": "sk-cli-test",
        "PYTHONPATH": str(REPO / "server"),
    }
    return subprocess.run(
        [sys.executable, "-m", "acrouter", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=300,
        check=False,
    )


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
    r = acrouter(
        home,
        "complete",
        "--file",
        str(target),
        "--range",
        "1:1-3:1",
        "--instruction",
        "Fix the bug in add",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["verified"] and res["finalModel"] == "strong"
    assert res["edit"]["files"] == {"calc.py": "def add(a, b):\n    return a + b\n"}
    assert target.read_text() == BUGGY  # not applied without --apply

    r = acrouter(
        home, "complete", "--file", str(target), "--instruction", "Fix the bug in add", "--apply"
    )
    assert r.returncode == 0, r.stderr
    assert "strong" in r.stdout and "+    return a + b" in r.stdout
    assert target.read_text() == "def add(a, b):\n    return a + b\n"

    show = acrouter(home, "memory", "show")
    assert (
        show.returncode == 0 and "Fix the bug in add" in show.stdout and "2 records" in show.stdout
    )
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
    bad = acrouter(
        home, "complete", "--file", str(target), "--range", "0:0-1:1", "--instruction", "fix"
    )
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
        r = acrouter(
            home, "complete", "--file", str(target), "--instruction", "Fix the bug in add", "--json"
        )
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert [(a["model"], a["verdict"], a["counted"]) for a in res["attempts"]] == [
        ("cheap", "error", False),
        ("strong", "pass", True),
    ]
    assert res["attempts"][0]["detail"].startswith("budget: budget exceeded at http://127.0.0.1:")
    assert "not held against cheap: budget exceeded" in res["why"]

    show = acrouter(home, "memory", "show")
    assert show.returncode == 0
    assert "attempts: cheap error (not counted: budget exceeded at http://127.0.0.1:" in show.stdout
    assert "-> strong pass" in show.stdout
    exported = json.loads(acrouter(home, "memory", "export").stdout)
    assert [a["counted"] for a in exported["records"][0]["attempts"]] == [False, True]
    assert "sk-cli-test" not in (home / "memory.json").read_text()


# ----------------------------------------------------------------------------- issue 10


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


def test_whole_file_reply_that_drops_code_is_refused_and_the_next_model_is_told_why(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    target = make_project(tmp_path / "proj")
    target.write_text(CALC13)
    with FakeOpenAI() as fake:
        fake.behaviours["cheap-m"] = Behaviour(reply=ONLY_ADD)
        fake.behaviours["strong-m"] = Behaviour(reply=SR_FIX)
        write_config(home, fake.base_url)
        r = acrouter(
            home,
            "complete",
            "--file",
            str(target),
            "--instruction",
            "Fix the bug in add",
            "--apply",
            "--json",
        )
        assert r.returncode == 0, r.stderr
        res = json.loads(r.stdout)
        cheap, strong = res["attempts"]
        assert cheap["verdict"] == "fail" and "unusable reply" in cheap["detail"]
        assert (
            "mul" in cheap["detail"]
            and "area" in cheap["detail"]
            and "import math" in cheap["detail"]
        )
        assert strong["verdict"] == "pass" and res["verified"]
        # nothing was lost: only the fixed line changed
        assert target.read_text() == CALC13.replace("a - b", "a + b")
        # what each model saw, as the server received it
        first, second = fake.prompts("cheap-m")[0], fake.prompts("strong-m")[0]
    for prompt in (first, second):
        assert (
            "<<<<<<< SEARCH" in prompt and ">>>>>>> REPLACE" in prompt
        )  # the edit format asked for
        assert "complete new file" not in prompt
        assert "def mul(a, b):" in prompt  # the whole 13-line file
        assert "Test file tests/test_calc.py" in prompt and "assert add(2, 3) == 5" in prompt
        assert "test_add: assert -1 == 5" in prompt  # the failing test and its first assertion line
    assert "Earlier attempts" not in first
    assert "Attempt 1: fail: unusable reply" in second and "mul" in second
    feedback = second[second.index("Earlier attempts") : second.index("Instruction:")]
    assert "def add(a, b):\n    return a + b" not in feedback  # never the failed code


def test_preflight_refuses_before_any_model_is_called(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    make_project(tmp_path / "proj")
    binary = tmp_path / "proj" / "blob.py"
    binary.write_bytes(b"x = 1\n\x00\x01\x02")
    latin = tmp_path / "proj" / "latin.py"
    latin.write_bytes("name = 'Jos\u00e9'\n".encode("latin-1"))
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / ".git").mkdir()
    untested = bare / "m.py"
    untested.write_text("def f():\n    return 1\n")
    with FakeOpenAI() as fake:
        fake.behaviours["*"] = Behaviour(reply=RIGHT)
        cfg = write_config(home, fake.base_url, test_command=False, extra="maxFileKilobytes = 1\n")
        r = acrouter(home, "complete", "--file", str(binary), "--instruction", "fix")
        assert r.returncode == 2 and "NUL bytes" in r.stderr and "Traceback" not in r.stderr
        r = acrouter(home, "complete", "--file", str(latin), "--instruction", "fix")
        assert r.returncode == 2 and "not UTF-8" in r.stderr and "Traceback" not in r.stderr
        big = tmp_path / "proj" / "big.py"
        big.write_text("x = 1\n" * 400)
        r = acrouter(home, "complete", "--file", str(big), "--instruction", "fix")
        assert r.returncode == 2 and "maxFileKilobytes" in r.stderr and str(cfg) in r.stderr
        r = acrouter(home, "complete", "--file", str(untested), "--instruction", "fix f")
        assert r.returncode == 2, r.stderr
        assert (
            "no test command" in r.stderr
            and "testCommand" in r.stderr
            and "acrouter.testCommand" not in r.stderr
        )
        assert "no model was called" in r.stderr
        # the tests cannot run at all (pytest collects nothing): refused as well
        r = acrouter(
            home,
            "complete",
            "--file",
            str(untested),
            "--instruction",
            "fix f",
            "--test-command",
            f"{sys.executable} -m pytest -q -p no:cacheprovider",
        )
        assert r.returncode == 2 and "no model was called" in r.stderr, r.stderr
        assert fake.chat_requests() == []  # nothing was paid for
    assert (
        json.loads(acrouter(home, "memory", "export").stdout)["records"] == []
    )  # no attempt recorded


def test_cli_details_range_timeout_broken_pipe_and_config_key_names(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    target = make_project(tmp_path / "proj")
    with FakeOpenAI() as fake:
        # replies slower than any test run: only --timeout can end the request in time
        fake.behaviours["cheap-m"] = Behaviour(reply=WRONG, delay_s=900)
        fake.behaviours["strong-m"] = Behaviour(reply=RIGHT, delay_s=900)
        write_config(home, fake.base_url, extra='costWeight = "high"\n')
        r = acrouter(
            home, "complete", "--file", str(target), "--range", "50:1-51:1", "--instruction", "fix"
        )
        assert r.returncode == 2 and "line 50" in r.stderr and "(2 lines)" in r.stderr
        r = acrouter(
            home, "complete", "--file", str(target), "--range", "1:40-2:1", "--instruction", "fix"
        )
        assert r.returncode == 2 and "column 40" in r.stderr and "line 1" in r.stderr
        # config problems name the key as written in config.toml
        assert "costWeight" in r.stderr and "acrouter.costWeight" not in r.stderr
        r = acrouter(
            home,
            "complete",
            "--file",
            str(target),
            "--instruction",
            "Fix the bug in add",
            "--timeout",
            "45",
            "--apply",
        )
        assert r.returncode == 124, r.stderr
        assert "gave up after 45 s (--timeout)" in r.stderr
        assert fake.delays_done == []  # the deadline ended it, not a slow reply (if one came)
        assert target.read_text() == BUGGY

    from acrouter.domain import Attempt, Outcome
    from acrouter.memory import TinyDBMemory

    mem = TinyDBMemory(home / "memory.json")
    for i in range(400):
        mem.record(
            Outcome(
                f"r{i}",
                1.0e9 + i,
                "bug_fixing",
                (Attempt("cheap", "pass", 0.001, 5.0, score=1.0),),
                "cheap",
                True,
                "why " * 20,
                "ws",
                f"instruction {i}",
            )
        )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "ACROUTER_HOME": str(home),
        "PYTHONPATH": str(REPO / "server"),
    }
    piped = subprocess.run(
        ["sh", "-c", f"'{sys.executable}' -m acrouter memory export | head -n 3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert len(piped.stdout.splitlines()) == 3
    assert "Traceback" not in piped.stderr and "BrokenPipe" not in piped.stderr, piped.stderr
