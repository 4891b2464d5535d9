"""Team priors as a file: ``acrouter memory export --team`` writes per-(model, kind)
totals only, and a new member whose ``teamPriors`` names that file starts where the team
left off: the team found ``cheap`` failing on bug fixes, so ``strong`` goes first.  The
member's own history still outranks the team's."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from acrouter.app import EditorApp, PriorStore, build_editor_app
from acrouter.config import parse_settings
from acrouter.context import build_task
from acrouter.domain import Attempt, Document, Outcome
from acrouter.memory import TinyDBMemory
from acrouter.memory.team import load_team_priors

from tests.cli.terminal import acrouter, complete, write_config
from tests.fakes.calc_project import make_project
from tests.fakes.openai_server import FakeOpenAI

INSTRUCTION = "Fix the bug in add"
PRIORS = PriorStore()  # the bundled benchmark priors, loaded once
SECRET_INSTRUCTION = "Fix the overflow in project-nightingale billing"
TEAM_OUTCOMES = 12  # bug fixes the team recorded: cheap failed each, strong passed


def document(root: Path) -> Document:
    target = make_project(root)
    return Document(uri=target.as_uri(), path=str(target), text=target.read_text())


def app_for(tmp_path: Path, fake: FakeOpenAI, memory: Path, **extra: Any) -> EditorApp:
    models = [
        {
            "name": "cheap",
            "model": "openai/cheap-m",
            "apiBase": fake.base_url,
            "apiKeyEnv": "TEAM_KEY",
            "benchmarkModel": "claude-opus-4-6",
        },
        {
            "name": "strong",
            "model": "openai/strong-m",
            "apiBase": fake.base_url,
            "apiKeyEnv": "TEAM_KEY",
            "benchmarkModel": "MiniMax-M2.7",
        },
    ]
    settings, problems = parse_settings(
        {
            "models": models,
            "maxAttempts": 2,
            "testCommand": f"{sys.executable} -m pytest -q -p no:cacheprovider",
            **extra,
        }
    )
    assert problems == []
    return build_editor_app(
        settings, memory_path=memory, env={"TEAM_KEY": "sk-team"}, priors=PRIORS
    )


def first_choice(app: EditorApp, doc: Document) -> str | None:
    task = build_task(doc, INSTRUCTION, folders=[Path(doc.path).parent])
    return app.policy().plan(task, ("cheap", "strong"), ()).model


def teammate_memory(home: Path, kind: str) -> None:
    """A teammate's routing memory: on bug fixes cheap failed and strong passed."""
    mem = TinyDBMemory(home / "memory.json")
    for i in range(TEAM_OUTCOMES):
        mem.record(
            Outcome(
                request_id=f"req-secret-{i}",
                time=1_790_000_000.0 + i,
                kind=kind,
                attempts=(
                    Attempt("cheap", "fail", 0.0004, 900.0, "1 passed, 1 failed", 1, 1, 0.5),
                    Attempt("strong", "pass", 0.0031, 2100.0, "2 passed, 0 failed", 2, 0, 1.0),
                    # a set-up failure of cheap: not evidence, not shared
                    Attempt(
                        "cheap", "error", 0.0, 5.0, "the gateway rejected the key", counted=False
                    ),
                ),
                final_model="strong",
                verified=True,
                why="**Kind:** bug fixing",
                workspace_id="ws-hash-7f3a9c",
                instruction=SECRET_INSTRUCTION,
                features=(11, 22, 33),
                meta={"source": "/home/alice/nightingale/billing.py"},
            )
        )
    mem.close()


def export_team(home: Path, out: Path) -> dict[str, Any]:
    r = acrouter(home, "memory", "export", "--team", "--out", str(out))
    assert r.returncode == 0, r.stderr
    return json.loads(out.read_text())


def test_a_new_member_starts_with_strong_when_the_team_saw_cheap_fail(
    tmp_path: Path, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    doc = document(tmp_path / "proj")
    kind = build_task(doc, INSTRUCTION, folders=[Path(doc.path).parent]).kind
    assert kind == "bug_fixing"

    # without team priors the benchmark prior puts cheap first on this bug fix
    alone = app_for(tmp_path, fake, tmp_path / "alone.json")
    assert first_choice(alone, doc) == "cheap"

    # a teammate exports totals only
    alice = tmp_path / "alice"
    alice.mkdir()
    teammate_memory(alice, kind)
    team_file = tmp_path / "team-priors.json"
    shared = export_team(alice, team_file)
    assert shared == {
        "format": "acrouter-team-priors",
        "version": 1,
        "aggregates": [
            {
                "model": "cheap",
                "kind": "bug_fixing",
                "n": TEAM_OUTCOMES,
                "passes": 0,
                "scoreSum": 0.5 * TEAM_OUTCOMES,
                "costUsdSum": pytest.approx(0.0004 * TEAM_OUTCOMES),
                "costN": TEAM_OUTCOMES,
            },
            {
                "model": "strong",
                "kind": "bug_fixing",
                "n": TEAM_OUTCOMES,
                "passes": TEAM_OUTCOMES,
                "scoreSum": 1.0 * TEAM_OUTCOMES,
                "costUsdSum": pytest.approx(0.0031 * TEAM_OUTCOMES),
                "costN": TEAM_OUTCOMES,
            },
        ],
    }
    text = team_file.read_text()
    for private in (
        "req-secret",
        SECRET_INSTRUCTION,
        "nightingale",
        "ws-hash",
        "/home/alice",
        "why",
        "time",
    ):
        assert private not in text

    # the new member: empty memory, teamPriors names the file
    bob = app_for(tmp_path, fake, tmp_path / "bob.json", teamPriors=[str(team_file)])
    assert bob.problems == []
    assert first_choice(bob, doc) == "strong"
    result = bob.route(doc, INSTRUCTION, folders=[Path(doc.path).parent])
    assert [a.model for a in result.attempts] == ["strong"] and result.verified
    assert f"team on bug fixing: 0 of {TEAM_OUTCOMES} passed" in result.why, result.why


def test_own_history_outranks_the_team(tmp_path: Path, fake: FakeOpenAI) -> None:
    doc = document(tmp_path / "proj")
    team_file = tmp_path / "team-priors.json"
    alice = tmp_path / "alice"
    alice.mkdir()
    teammate_memory(alice, "bug_fixing")
    export_team(alice, team_file)
    memory = tmp_path / "carol.json"
    carol = app_for(tmp_path, fake, memory, teamPriors=[str(team_file)])
    assert first_choice(carol, doc) == "strong"
    # carol's own bug fixes in this workspace: cheap passed every time
    task = build_task(doc, INSTRUCTION, folders=[Path(doc.path).parent])
    mem = TinyDBMemory(memory)
    for i in range(6):
        mem.record(
            Outcome(
                f"own-{i}",
                1_790_000_100.0 + i,
                "bug_fixing",
                (Attempt("cheap", "pass", 0.0004, 800.0, "", 2, 0, 1.0),),
                "cheap",
                True,
                workspace_id=task.meta.get("workspace_id"),
            )
        )
    mem.close()
    assert first_choice(carol, doc) == "cheap"


def test_unusable_team_files_are_named_and_skipped(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            {
                "format": "acrouter-team-priors",
                "version": 1,
                "aggregates": [
                    {
                        "model": "cheap",
                        "kind": "bug_fixing",
                        "n": 3,
                        "passes": 1,
                        "scoreSum": 1.5,
                        "costUsdSum": 0.01,
                        "costN": 3,
                    },
                    {
                        "model": "cheap",
                        "kind": "bug_fixing",
                        "n": 3,
                        "passes": 5,
                        "scoreSum": 1.5,
                        "costUsdSum": 0.01,
                        "costN": 3,
                    },
                ],
            }
        )
    )
    other = tmp_path / "export.json"
    other.write_text(json.dumps({"version": 1, "records": [], "aggregates": []}))
    priors, problems = load_team_priors(
        [str(good), str(good), str(other), str(tmp_path / "missing.json")]
    )
    [cheap] = priors  # the two copies of good.json are summed; the bad entry is skipped
    assert (cheap.n, cheap.passes, cheap.cost_n) == (6, 2, 6)
    assert len(problems) == 4
    assert sum("aggregates[1]" in p for p in problems) == 2
    assert any("export.json: not an ACRouter team priors file" in p for p in problems)
    assert any("missing.json" in p and "cannot read" in p for p in problems)


def test_a_team_file_problem_names_the_setting_of_the_front_end_in_use(
    tmp_path: Path, fake: FakeOpenAI, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "missing-team.json"
    # the command line: the setting is config.toml's teamPriors
    write_config(home, fake.base_url, extra=f'teamPriors = ["{missing}"]\n')
    r = complete(home, make_project(tmp_path / "proj"), INSTRUCTION)
    assert r.returncode == 0, r.stderr
    assert f"teamPriors: cannot read {missing}" in r.stderr
    assert "acrouter.teamPriors" not in r.stderr
    # the editor: the setting is acrouter.teamPriors
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    app = app_for(tmp_path, fake, tmp_path / "editor.json", teamPriors=[str(missing)])
    app.policy()  # the team files are read when the policy is built
    [problem] = app.problems
    assert problem.startswith(f"acrouter.teamPriors: cannot read {missing}")
