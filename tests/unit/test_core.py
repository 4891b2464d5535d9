"""Unit tests of the pipeline stages with fakes: config, context, prompts, orchestrator."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.config import parse_settings
from acrouter.context import build_task, classify, uri_to_path, workspace_id, workspace_root
from acrouter.domain import (
    Attempt,
    Baseline,
    Cancelled,
    Candidate,
    Completion,
    Decision,
    Document,
    ModelSpec,
    Position,
    Range,
    Verdict,
)
from acrouter.errors import GatewayError, ParseError, PreflightError, RequestError
from acrouter.memory import InMemoryMemory
from acrouter.orchestrator import Orchestrator
from acrouter.prompts import ChatPrompts


# ----------------------------------------------------------------------------- config
def test_settings_defaults_and_valid_values():
    s, problems = parse_settings(
        {
            "acrouter": {
                "models": [
                    {
                        "name": "a",
                        "model": "openai/gpt-4o-mini",
                        "apiKeyEnv": "OPENAI_API_KEY",
                        "benchmarkModel": "gpt-5.4",
                        "inputCostPer1M": 0.15,
                        "outputCostPer1M": 0.6,
                    }
                ],
                "maxAttempts": 2,
                "costWeight": 0.5,
                "sandbox": "none",
                "storeInstructions": False,
            }
        }
    )
    assert problems == []
    assert s.models[0] == ModelSpec(
        "a",
        "openai/gpt-4o-mini",
        api_key_env="OPENAI_API_KEY",
        input_cost_per_1m=0.15,
        output_cost_per_1m=0.6,
        benchmark_model="gpt-5.4",
    )
    assert (s.max_attempts, s.cost_weight, s.sandbox, s.store_instructions) == (
        2,
        0.5,
        "none",
        False,
    )
    d, p = parse_settings(None)
    assert p == [] and d.max_attempts == 3 and d.cost_weight == 0.1 and d.test_command is None


@pytest.mark.parametrize(
    "key,value",
    [
        ("maxAttempts", "three"),
        ("maxAttempts", 0),
        ("maxAttempts", 2.5),
        ("costWeight", -1),
        ("requestTimeoutSeconds", True),
        ("sandbox", "docker"),
        ("storeInstructions", "yes"),
        ("models", "gpt"),
        ("shareFailures", "no"),
        ("traceChangedLines", "off"),
        ("contextTokens", 5),
        ("maxFileKilobytes", 0),
    ],
)
def test_each_bad_setting_falls_back_with_one_problem_naming_the_key(key, value):
    s, problems = parse_settings({key: value})
    assert len(problems) == 1 and key in problems[0]
    assert s == parse_settings({})[0]


def test_bad_model_entries_are_dropped_and_named():
    s, problems = parse_settings(
        {
            "models": [
                {"name": "ok", "model": "m"},
                {"model": "no-name"},
                {"name": "ok", "model": "dup"},
                {"name": "b", "model": "m", "benchmarkModel": "gpt-9"},
                {"name": "c", "model": "m", "apiKey": "sk-x"},
            ]
        }
    )
    assert [m.name for m in s.models] == ["ok", "b", "c"]
    assert s.models[1].benchmark_model is None
    assert len(problems) == 4
    assert any("apiKey" in p for p in problems)
    assert all("sk-x" not in p for p in problems)


# ----------------------------------------------------------------------------- context
@pytest.mark.parametrize(
    "text,kind",
    [
        ("Fix the crash when the list is empty", "bug_fixing"),
        ("Write unit tests for parse()", "test_generation"),
        ("Refactor this into smaller functions", "code_refactoring"),
        ("Explain what this does", "code_understanding"),
        ("Translate this function to Rust", "multi_language"),
        ("Plot the dataframe by month", "data_science"),
        ("Make this algorithm O(n log n)", "algorithm"),
        ("Finish the TODO", "code_completion"),
        ("Add a CLI entry point", "code_generation"),
        # a defect told by what the code should do (was code_generation: no cue)
        ("f590 subtracts; it should add", "bug_fixing"),
        ("parse_date returns the month instead of the day", "bug_fixing"),
        ("the total is off by one for empty carts", "bug_fixing"),
        ("this doesn't work for negative numbers", "bug_fixing"),
        ("Make this faster; it should be O(n)", "algorithm"),
        ("Write a function that should return the mean", "code_generation"),
    ],
)
def test_classify(text, kind):
    assert classify(text, "x = 1")[0] == kind


def doc(tmp_path: Path, text: str = "a = 1\nb = 2\n", rng: Range | None = None) -> Document:
    p = tmp_path / "m.py"
    p.write_text(text)
    return Document(uri=p.as_uri(), path=str(p), text=text, range=rng)


def test_build_task_validates_and_hashes_the_workspace(tmp_path):
    (tmp_path / ".git").mkdir()
    t = build_task(
        doc(tmp_path, rng=Range(Position(1, 0), Position(1, 5))), "Fix b", folders=[tmp_path]
    )
    assert t.kind == "bug_fixing" and t.workspace == str(tmp_path.resolve())
    assert (
        t.meta["workspace_id"] == workspace_id(tmp_path)
        and str(tmp_path) not in t.meta["workspace_id"]
    )
    with pytest.raises(RequestError):
        build_task(doc(tmp_path, rng=Range(Position(9, 0), Position(9, 1))), "Fix")
    with pytest.raises(RequestError):
        build_task(doc(tmp_path, rng=Range(Position(0, 99), Position(1, 0))), "Fix")
    with pytest.raises(RequestError):
        build_task(doc(tmp_path), "   ")
    with pytest.raises(RequestError):
        uri_to_path("untitled:Untitled-1")


def test_workspace_root_follows_the_editor_and_refuses_a_link_leading_outside(tmp_path):
    ws = tmp_path / "ws"
    (ws / "src").mkdir(parents=True)
    (ws / ".git").mkdir()
    (ws / "src" / "real.py").write_text("x = 1\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pyproject.toml").write_text("")  # a project of its own
    (elsewhere / "calc.py").write_text("x = 1\n")
    inside = ws / "inside.py"
    inside.symlink_to(ws / "src" / "real.py")
    outside = ws / "calc.py"
    outside.symlink_to(elsewhere / "calc.py")
    # a link to a file of the same workspace: that workspace
    assert workspace_root(inside, [ws]) == ws.resolve()
    assert workspace_root(inside) == ws.resolve()
    # a link to a file elsewhere: refused before any model call, with or without folders
    # (before, the root became the other project, whose tests would have "verified" it)
    for folders in ([ws], []):
        with pytest.raises(PreflightError, match="leads outside the workspace"):
            workspace_root(outside, folders)
    with pytest.raises(PreflightError, match="symbolic link"):
        build_task(
            Document(uri=outside.as_uri(), path=str(outside), text="x = 1\n"),
            "fix",
            folders=[ws],
        )
    # a workspace folder opened through a link: its files are inside it
    alias = tmp_path / "alias"
    alias.symlink_to(ws)
    assert workspace_root(alias / "src" / "real.py", [alias]) == ws.resolve()


def test_a_ruby_projects_root_is_its_gemfiles_folder(tmp_path):
    """Without an editor's folder, a Bundler project's top (its ``Gemfile``); before, a
    Ruby project without ``.git`` was the edited file's own folder, ``lib/``, where its
    tests cannot run."""
    top = tmp_path / "reader"
    rb = top / "lib" / "reader" / "parse.rb"
    rb.parent.mkdir(parents=True)
    rb.write_text("def parse(text)\n  text\nend\n")
    assert workspace_root(rb) == rb.parent.resolve()
    (top / "Gemfile").write_text('source "https://rubygems.org"\n')
    assert workspace_root(rb) == top.resolve()


@pytest.mark.parametrize("marker", ["Makefile.PL", "Build.PL", "cpanfile", "dist.ini"])
def test_a_perl_distributions_root_is_its_top_folder(tmp_path, marker):
    """Before, a Perl distribution without ``.git`` was the edited module's own folder
    (``lib/Text/``), where ``prove -lr t`` finds no ``t/``."""
    pm = tmp_path / "Text-Reader" / "lib" / "Text" / "Reader.pm"
    pm.parent.mkdir(parents=True)
    pm.write_text("package Text::Reader;\n1;\n")
    assert workspace_root(pm) == pm.parent.resolve()
    (tmp_path / "Text-Reader" / marker).write_text("")
    assert workspace_root(pm) == (tmp_path / "Text-Reader").resolve()


def test_a_maven_builds_root_is_its_top_pom_not_a_modules(tmp_path):
    """Without an editor's folder: the outermost ``pom.xml`` (a module builds against the
    others, which its own folder lacks), or ``.mvn``; before, a Maven project without
    ``mvnw`` or ``.git`` was the edited file's own folder, where no test command is found."""
    top = tmp_path / "shop"
    java = top / "core" / "src" / "main" / "java" / "Cart.java"
    java.parent.mkdir(parents=True)
    java.write_text("class Cart {}\n")
    (top / "pom.xml").write_text("<project/>\n")
    (top / "core" / "pom.xml").write_text("<project/>\n")
    assert workspace_root(java) == top.resolve()
    (top / "pom.xml").unlink()
    assert workspace_root(java) == (top / "core").resolve()
    (top / ".mvn").mkdir()  # (a build whose top holds no pom.xml of its own is rare)
    assert workspace_root(java) == (top / "core").resolve()
    (top / "core" / "pom.xml").unlink()
    assert workspace_root(java) == top.resolve()


# ----------------------------------------------------------------------------- prompts
def test_reply_with_one_block_replaces_the_range(tmp_path):
    d = doc(tmp_path, "def f():\n    return 1\n\nx = f()\n", Range(Position(0, 0), Position(2, 0)))
    t = build_task(d, "return 2", folders=[tmp_path])
    msgs = ChatPrompts().messages(t)
    assert (
        msgs[0]["role"] == "system"
        and "return 2" in msgs[1]["content"]
        and "m.py" in msgs[1]["content"]
    )
    e = ChatPrompts().parse(
        t, Completion("m", "Sure:\n```python\ndef f():\n    return 2\n```\nDone.")
    )
    assert e.files == {"m.py": "def f():\n    return 2\n\nx = f()\n"}


def test_reply_without_range_replaces_the_file_only_when_nothing_is_dropped(tmp_path):
    t = build_task(doc(tmp_path), "rewrite", folders=[tmp_path])
    e = ChatPrompts().parse(t, Completion("m", "```\na = 1\nb = 2\nc = 3\n```"))
    assert e.files == {"m.py": "a = 1\nb = 2\nc = 3\n"}
    with pytest.raises(ParseError, match="a, b"):  # the whole file replaced by a fragment
        ChatPrompts().parse(t, Completion("m", "```\nc = 3\n```"))
    d = ChatPrompts().parse(
        t, Completion("m", "```diff\n--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-a = 1\n+a = 3\n```")
    )
    assert d.files == {"m.py": "a = 3\nb = 2\n"}
    with pytest.raises(ParseError):
        ChatPrompts().parse(t, Completion("m", "no code here"))
    with pytest.raises(ParseError):
        ChatPrompts().parse(t, Completion("m", "```js\n1\n```\n```ts\n2\n```"))


# ----------------------------------------------------------------------------- orchestrator
class ScriptedPolicy:
    name = "scripted"

    def __init__(self, order):
        self.order = order
        self.seen: list[tuple[Attempt, ...]] = []
        self.learned = []

    def plan(self, task, models, tried):
        self.seen.append(tuple(tried))
        left = [m for m in self.order if m not in {a.model for a in tried}]
        cand = tuple(Candidate(m, 0.5, 0.001, 0.5, "test") for m in left)
        return Decision(
            left[0] if left else None, cand, "scripted", accept=tried[0].model if tried else None
        )

    def learn(self, task, outcome):
        self.learned.append(outcome)


class Gw:
    def __init__(self, replies):
        self.replies = replies
        self.messages: list[list[dict[str, str]]] = []

    def context_window(self, spec):
        return None

    def complete(self, spec, messages, task, cancel=None):
        self.messages.append([dict(m) for m in messages])
        r = self.replies[spec.name]
        if isinstance(r, Exception):
            raise r
        return Completion(spec.name, r, cost_usd=0.01, latency_ms=5)


class Vf:
    def prepare(self, task, cancel=None):
        return Baseline()

    def verify(self, task, edit, model, cancel=None):
        ok = "good" in edit.files.get("m.py", "")
        return Verdict(
            "pass" if ok else "fail",
            "t",
            tests_passed=1 if ok else 0,
            tests_failed=0 if ok else 1,
            score=1.0 if ok else 0.0,
        )


def sr(name: str) -> str:
    """A SEARCH/REPLACE reply that adds ``name = 1`` after ``b = 2`` in m.py."""
    return (
        f"m.py\n```python\n<<<<<<< SEARCH\nb = 2\n=======\nb = 2\n{name} = 1\n>>>>>>> REPLACE\n```"
    )


def orch(tmp_path, replies, order, max_attempts=3, **kw):
    specs = [ModelSpec(n, "x/" + n) for n in order]
    pol = ScriptedPolicy(order)
    mem = InMemoryMemory()
    return (
        Orchestrator(
            specs, pol, Gw(replies), ChatPrompts(), Vf(), mem, max_attempts=max_attempts, **kw
        ),
        pol,
        mem,
    )


def test_escalates_after_failures_and_hides_scores_mid_task(tmp_path):
    o, pol, mem = orch(
        tmp_path,
        {"a": GatewayError("401 bad key", "auth"), "b": sr("bad"), "c": sr("good")},
        ["a", "b", "c"],
    )
    r = o.run(build_task(doc(tmp_path), "fix", folders=[tmp_path]))
    assert [(a.model, a.verdict) for a in r.attempts] == [
        ("a", "error"),
        ("b", "fail"),
        ("c", "pass"),
    ]
    assert r.final_model == "c" and r.verified and r.edit is not None
    assert "auth" in r.attempts[0].detail
    assert all(a.score is None for tried in pol.seen for a in tried)  # scores revealed only after
    assert pol.learned[0].attempts[1].score == 0.0
    assert mem.count() == 1 and mem.outcomes()[0].final_model == "c"
    assert "c passed the tests" in r.why and "a: **error**" in r.why
    assert r.cost_usd == pytest.approx(0.02)


def test_a_pass_with_unrun_changes_says_so_in_the_attempt_and_the_why(tmp_path):
    from acrouter.lsp.convert import attempt_json

    unrun = "no test ran 1 of the 2 statements the edit changes: m.py line 3"
    verdicts = {
        "a": Verdict("fail", "1 failed", tests_passed=0, tests_failed=1, score=0.0),
        "b": Verdict(
            "pass", f"1 passed, 0 failed; {unrun}", tests_passed=1, score=1.0, unrun=unrun
        ),
    }
    o, mem = scripted({"a": sr("x"), "b": sr("y")}, verdicts, ["a", "b"])
    r = o.run(build_task(doc(tmp_path), "fix", folders=[tmp_path]))
    assert r.verified and r.final_model == "b"
    assert [a.unrun for a in r.attempts] == ["", unrun]
    assert attempt_json(r.attempts[1])["unrun"] == unrun and "unrun" not in attempt_json(
        r.attempts[0]
    )
    assert f"**Result:** b passed the tests. But {unrun}: read those lines yourself." in r.why
    # the Routing History reads it back from the memory file
    from acrouter.lsp.convert import history_json
    from acrouter.memory.records import outcome_from_dict, outcome_to_dict

    (stored,) = mem.outcomes()
    again = history_json(outcome_from_dict(outcome_to_dict(stored)))
    assert [a.get("unrun") for a in again["attempts"]] == [None, unrun]


class CancelAt(Gw):
    """The user cancels while ``model`` is answering."""

    def __init__(self, replies, model):
        super().__init__(replies)
        self.model = model

    def complete(self, spec, messages, task, cancel=None):
        if spec.name == self.model:
            raise Cancelled()
        return super().complete(spec, messages, task, cancel)


class CancelInTests(Vf):
    """The user cancels while the tests run on ``model``'s edit."""

    def __init__(self, model):
        self.model = model

    def verify(self, task, edit, model, cancel=None):
        if model == self.model:
            raise Cancelled()
        return super().verify(task, edit, model, cancel)


def test_a_request_cancelled_during_a_call_records_what_it_spent_not_the_cancel(tmp_path):
    specs = [ModelSpec(n, "x/" + n) for n in ("a", "b")]
    pol, mem = ScriptedPolicy(["a", "b"]), InMemoryMemory()
    gw = CancelAt({"a": sr("bad"), "b": sr("good")}, "b")
    o = Orchestrator(specs, pol, gw, ChatPrompts(), Vf(), mem)
    with pytest.raises(Cancelled):
        o.run(build_task(doc(tmp_path), "fix", folders=[tmp_path]))
    [rec] = mem.outcomes()
    assert [(a.model, a.verdict, a.counted) for a in rec.attempts] == [
        ("a", "fail", True),  # the tests judged a's edit: evidence like any other
        ("b", "error", False),  # under way when cancelled: not held against b
    ]
    assert rec.attempts[0].cost_usd == pytest.approx(0.01)
    assert rec.attempts[1].cost_usd is None and rec.cost_usd is None  # b's bill is unknown
    assert rec.final_model is None and not rec.verified and rec.meta["cancelled"] is True
    assert "not held against b: the request was cancelled while b was answering" in rec.why
    assert "cancelled by the user" in rec.why and "before the cancel are learned" in rec.why
    assert [x.request_id for x in pol.learned] == [rec.request_id]  # uncounted: skipped


def test_a_request_cancelled_while_the_tests_ran_records_the_calls_cost(tmp_path):
    specs = [ModelSpec("a", "x/a")]
    pol, mem = ScriptedPolicy(["a"]), InMemoryMemory()
    o = Orchestrator(specs, pol, Gw({"a": sr("good")}), ChatPrompts(), CancelInTests("a"), mem)
    with pytest.raises(Cancelled):
        o.run(build_task(doc(tmp_path), "fix", folders=[tmp_path]))
    [rec] = mem.outcomes()
    [a] = rec.attempts
    assert (a.verdict, a.counted, a.cost_usd) == ("error", False, pytest.approx(0.01))
    assert "while the tests ran on a's edit" in a.detail
    assert "nothing of it is learned against the models" in rec.why


def test_a_request_cancelled_before_any_call_records_nothing(tmp_path):
    class CancelBefore(Vf):
        def prepare(self, task, cancel=None):
            raise Cancelled()

    specs = [ModelSpec("a", "x/a")]
    pol, mem = ScriptedPolicy(["a"]), InMemoryMemory()
    o = Orchestrator(specs, pol, Gw({"a": sr("good")}), ChatPrompts(), CancelBefore(), mem)
    with pytest.raises(Cancelled):
        o.run(build_task(doc(tmp_path), "fix", folders=[tmp_path]))
    assert mem.count() == 0 and pol.learned == []


def test_unparseable_reply_is_a_failed_attempt_and_max_attempts_holds(tmp_path):
    o, _, _ = orch(
        tmp_path,
        {"a": "no block", "b": sr("bad"), "c": sr("good")},
        ["a", "b", "c"],
        max_attempts=2,
    )
    r = o.run(build_task(doc(tmp_path), "fix", folders=[tmp_path]))
    assert [a.verdict for a in r.attempts] == ["fail", "fail"]
    assert "unusable reply" in r.attempts[0].detail
    assert r.final_model is None and not r.verified and r.edit is None


def test_accept_unverified_uses_the_policy_choice(tmp_path):
    o, _, _ = orch(tmp_path, {"a": sr("bad1"), "b": sr("bad2")}, ["a", "b"], accept_unverified=True)
    r = o.run(build_task(doc(tmp_path), "fix", folders=[tmp_path]))
    assert r.final_model == "a" and not r.verified


class VfVerdicts:
    """Returns the scripted verdict per model."""

    def __init__(self, verdicts):
        self.verdicts = verdicts

    def prepare(self, task, cancel=None):
        return Baseline()

    def verify(self, task, edit, model, cancel=None):
        v = self.verdicts[model]
        if isinstance(v, Exception):
            raise v
        return v


def scripted(replies, verdicts, order, max_attempts=None):
    """An Orchestrator over models ``order`` (tried in that order), the gateway replying
    ``replies`` and the verifier returning ``verdicts`` per model; and its memory."""
    mem = InMemoryMemory()
    o = Orchestrator(
        [ModelSpec(n, "x/" + n) for n in order],
        ScriptedPolicy(list(order)),
        Gw(replies),
        ChatPrompts(),
        VfVerdicts(verdicts),
        mem,
        max_attempts=max_attempts or len(order),
    )
    return o, mem


def test_setup_failures_are_not_held_against_a_model(tmp_path):
    from acrouter.errors import VerifyError
    from acrouter.memory import fold

    names = ["key", "budget", "down", "cfg", "vfy", "env", "base", "slow", "cheap"]
    replies = {
        "key": GatewayError("auth: the gateway rejected the key", "auth"),
        "budget": GatewayError("budget: budget exceeded", "budget"),
        "down": GatewayError("unreachable: cannot reach http://127.0.0.1:9", "unreachable"),
        "cfg": GatewayError("config: unknown model", "config"),
        "slow": GatewayError("timeout: no reply within 120 s", "timeout"),
    }
    replies.update({n: sr("bad") for n in ("vfy", "env", "base", "cheap")})
    verdicts = {
        "vfy": VerifyError("bubblewrap (bwrap) is required"),
        "env": Verdict("error", "ModuleNotFoundError: No module named 'x'"),
        "base": Verdict("fail", "the tests fail without the edit", counted=False),
        "cheap": Verdict("fail", "1 failed", tests_passed=0, tests_failed=1, score=0.0),
    }
    o, mem = scripted(replies, verdicts, names)
    r = o.run(build_task(doc(tmp_path), "fix", folders=[tmp_path]))
    assert {a.model: a.counted for a in r.attempts} == {
        "key": False,
        "budget": False,
        "down": False,
        "cfg": False,
        "vfy": False,
        "env": False,
        "base": False,
        "slow": False,  # a first timeout: the provider's passing trouble (see test_cooldown)
        "cheap": True,
    }
    assert [a.counted for a in mem.outcomes()[0].attempts] == [a.counted for a in r.attempts]
    aggs: dict = {}
    fold(aggs, mem.outcomes()[0])
    assert set(aggs) == {("cheap", "bug_fixing")}


class OfferedPolicy(ScriptedPolicy):
    """Tries ``order``, but only among the models the orchestrator offers."""

    def plan(self, task, models, tried):
        self.seen.append(tuple(tried))
        left = [m for m in self.order if m in models and m not in {a.model for a in tried}]
        cand = tuple(Candidate(m, 0.5, 0.001, 0.5, "test") for m in left)
        return Decision(left[0] if left else None, cand, "no model left" if not left else "next")


def test_models_behind_an_unreachable_gateway_are_not_called_again(tmp_path):
    gw_base = "http://127.0.0.1:9"
    down = GatewayError(f"unreachable: cannot reach {gw_base}", "unreachable")
    gw = Gw({"team-a": down, "team-b": sr("good"), "direct": sr("good")})
    specs = [
        ModelSpec("team-a", "openai/a", api_base=gw_base),
        ModelSpec("team-b", "openai/b", api_base=gw_base),
        ModelSpec("direct", "x/direct"),
    ]
    o = Orchestrator(
        specs,
        OfferedPolicy(["team-a", "team-b", "direct"]),
        gw,
        ChatPrompts(),
        Vf(),
        InMemoryMemory(),
        max_attempts=3,
    )
    r = o.run(build_task(doc(tmp_path), "fix", folders=[tmp_path]))
    # team-b shares team-a's gateway: not called (it would fail the same way), direct is
    assert [(a.model, a.verdict, a.counted) for a in r.attempts] == [
        ("team-a", "error", False),
        ("direct", "pass", True),
    ]
    assert len(gw.messages) == 2 and r.verified


def test_when_every_model_is_behind_the_unreachable_gateway_the_why_says_so(tmp_path):
    gw_base = "http://gateway.internal:4000"
    down = GatewayError(f"unreachable: cannot reach {gw_base}", "unreachable")
    gw = Gw({"team-a": down, "team-b": sr("good")})
    specs = [ModelSpec(n, "openai/" + n, api_base=gw_base) for n in ("team-a", "team-b")]
    o = Orchestrator(
        specs, OfferedPolicy(["team-a", "team-b"]), gw, ChatPrompts(), Vf(), InMemoryMemory()
    )
    r = o.run(build_task(doc(tmp_path), "fix", folders=[tmp_path]))
    assert [a.model for a in r.attempts] == ["team-a"] and len(gw.messages) == 1
    assert f"not tried: team-b (their apiBase {gw_base} could not be reached" in r.why
    assert "No model is at fault here" in r.why
