"""Edit formats, the guard against dropped code, and what the prompt holds (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.context import build_task, covering_tests
from acrouter.definitions import dropped_definitions
from acrouter.domain import (
    Baseline,
    Completion,
    Document,
    Feedback,
    ModelSpec,
    Position,
    PromptContext,
    Range,
    TestFailure,
    Verdict,
)
from acrouter.errors import ParseError, PreflightError
from acrouter.gateway import FakeGateway
from acrouter.memory import InMemoryMemory
from acrouter.orchestrator import Orchestrator
from acrouter.prompts import FEEDBACK_CHARS, ChatPrompts

CALC = "import math\n\n\ndef add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n\n\ndef area(r):\n    return math.pi * r * r\n"


def project(tmp_path: Path, text: str = CALC, name: str = "calc.py") -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    p = tmp_path / name
    p.write_text(text)
    return p


def task_for(
    path: Path,
    instruction: str = "Fix the bug in add",
    rng: Range | None = None,
    text: str | None = None,
):
    text = path.read_text() if text is None else text
    d = Document(uri=path.as_uri(), path=str(path), text=text, range=rng)
    return build_task(d, instruction, folders=[path.parent])


def sr(path: str, search: str, replace: str, fence: str = "python") -> str:
    return f"{path}\n```{fence}\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"


def parse(task, reply: str, context: PromptContext | None = None):
    return ChatPrompts().parse(task, Completion("m", reply), context or PromptContext())


# ----------------------------------------------------------------------------- SEARCH/REPLACE
def test_search_replace_edits_only_the_matched_lines(tmp_path):
    t = task_for(project(tmp_path))
    e = parse(t, "Here:\n" + sr("calc.py", "    return a - b\n", "    return a + b\n"))
    assert e.files == {"calc.py": CALC.replace("a - b", "a + b")}


def test_several_blocks_and_files_and_a_new_file(tmp_path):
    p = project(tmp_path)
    (tmp_path / "util.py").write_text("def one():\n    return 1\n")
    reply = (
        sr("calc.py", "def add(a, b):\n    return a - b\n", "def add(a, b):\n    return a + b\n")
        + sr("calc.py", "def mul(a, b):\n", "def mul(a, b):  # product\n")
        + sr("util.py", "    return 1\n", "    return 1.0\n")
        + sr("new_mod.py", "", "X = 1\n")
    )
    e = parse(task_for(p), reply)
    assert e.files["calc.py"] == CALC.replace("a - b", "a + b").replace(
        "def mul(a, b):", "def mul(a, b):  # product"
    )
    assert e.files["util.py"] == "def one():\n    return 1.0\n"
    assert e.files["new_mod.py"] == "X = 1\n"
    # what each file held when the edit was made from it (None: it did not exist), for a
    # front end that checks nothing changed before writing
    assert e.bases == {"calc.py": CALC, "util.py": "def one():\n    return 1\n", "new_mod.py": None}
    diff = "```diff\n--- a/util.py\n+++ b/util.py\n@@ -2 +2 @@\n-    return 1\n+    return 2\n```"
    assert parse(task_for(p), diff).bases == {"util.py": "def one():\n    return 1\n"}


def test_whitespace_tolerant_matching_reindents_the_replacement(tmp_path):
    p = project(tmp_path)
    # trailing blanks and a dedented copy of the lines still match the one place
    e = parse(task_for(p), sr("calc.py", "return a - b   \n", "return a + b\n"))
    assert e.files["calc.py"] == CALC.replace("a - b", "a + b")
    e = parse(
        task_for(p),
        sr("calc.py", "def mul(a, b):\n  return a * b\n", "def mul(a, b):\n  return b * a\n"),
    )
    assert "def mul(a, b):\n  return b * a\n" in e.files["calc.py"]


def test_a_search_text_that_matches_nowhere_or_twice_is_unusable(tmp_path):
    p = project(tmp_path, "x = 1\nx = 1\ny = 2\n", "m.py")
    t = task_for(p, "set y to 3")
    with pytest.raises(ParseError, match="does not match"):
        parse(t, sr("m.py", "z = 9\n", "z = 10\n"))
    with pytest.raises(ParseError, match="2 places"):
        parse(t, sr("m.py", "x = 1\n", "x = 2\n"))
    with pytest.raises(ParseError, match="not closed"):
        parse(t, "m.py\n```\n<<<<<<< SEARCH\ny = 2\n=======\ny = 3\n```")
    # the reply's code never appears in the error (it reaches the next model's prompt)
    with pytest.raises(ParseError) as info:
        parse(t, sr("m.py", "secret_code = 9\n", "z = 10\n"))
    assert "secret_code" not in str(info.value)


def test_a_block_may_not_leave_the_workspace(tmp_path):
    t = task_for(project(tmp_path))
    with pytest.raises(ParseError):
        parse(t, sr("../evil.py", "", "x = 1\n"))


# ----------------------------------------------------------------------------- whole-file replies
def test_whole_file_reply_that_drops_definitions_is_unusable(tmp_path):
    """The issue's 13-line case: a reply with only the fixed function."""
    t = task_for(project(tmp_path))
    with pytest.raises(ParseError) as info:
        parse(t, "```python\ndef add(a, b):\n    return a + b\n```")
    assert (
        "mul" in str(info.value) and "area" in str(info.value) and "import math" in str(info.value)
    )
    full = CALC.replace("a - b", "a + b")
    assert parse(t, f"```python\n{full}```").files == {"calc.py": full}


def test_removal_the_instruction_asks_for_is_allowed(tmp_path):
    t = task_for(project(tmp_path), "Remove the mul function")
    e = parse(t, sr("calc.py", "def mul(a, b):\n    return a * b\n\n\n", ""))
    assert "def mul" not in e.files["calc.py"]
    t = task_for(project(tmp_path), "Fix add")
    with pytest.raises(ParseError, match="mul"):
        parse(t, sr("calc.py", "def mul(a, b):\n    return a * b\n\n\n", ""))


def test_moving_a_function_to_another_file_is_not_a_loss(tmp_path):
    t = task_for(project(tmp_path), "Put area in geometry.py")
    reply = sr("calc.py", "def area(r):\n    return math.pi * r * r\n", "") + sr(
        "geometry.py", "", "import math\n\n\ndef area(r):\n    return math.pi * r * r\n"
    )
    e = parse(t, reply)
    assert "def area" in e.files["geometry.py"] and "def area" not in e.files["calc.py"]


def test_selection_reply_may_rewrite_what_was_selected(tmp_path):
    p = project(tmp_path)
    rng = Range(Position(3, 0), Position(5, 0))  # def add ... return
    t = task_for(p, "Rewrite this", rng)
    e = parse(t, "```python\ndef plus(a, b):\n    return a + b\n```")
    assert "def plus" in e.files["calc.py"] and "def mul" in e.files["calc.py"]


CACHE = """\
class Cache(dict):
    def get_or(self, key, default):
        return self[key] if key in self else default

    def __contains__(self, key):
        return dict.__contains__(self, key)

    def length(self):
        return len(self)
"""


def test_a_reply_that_drops_a_method_is_unusable(tmp_path):
    """Found by benchmarks/verify_trust.py on tinydb: a whole-file reply without
    ``LRUCache.__contains__``, which no test reaches, was verified."""
    t = task_for(project(tmp_path, CACHE, "cache.py"), "Tidy up get_or")
    dropped = CACHE.replace(
        "    def __contains__(self, key):\n        return dict.__contains__(self, key)\n\n", ""
    )
    with pytest.raises(ParseError, match=r"1 definition.*: Cache\.__contains__"):
        parse(t, f"```python\n{dropped}```")
    # asked for by name, or moved to a base class (or out of the class): not a loss
    asked = task_for(project(tmp_path, CACHE, "cache.py"), "Remove the __contains__ override")
    assert "__contains__" not in parse(asked, f"```python\n{dropped}```").files["cache.py"]
    moved = "class Base(dict):\n    def length(self):\n        return len(self)\n\n\n" + (
        CACHE.replace("class Cache(dict):", "class Cache(Base):").replace(
            "\n    def length(self):\n        return len(self)\n", ""
        )
    )
    assert dropped_definitions(CACHE, moved, "cache.py") == []
    # a class that goes is named once, not with each of its methods
    assert dropped_definitions(CACHE, "x = 1\n", "cache.py") == ["class Cache"]


def test_other_languages_are_guarded_by_line_patterns():
    old = "import { x } from './x';\n\nexport function a() { return 1; }\n\nfunction b() {\n  return 2;\n}\n"
    new = "export function a() { return 3; }\n"
    assert dropped_definitions(old, new, "m.ts") == ["import ./x", "b"]
    assert (
        dropped_definitions(old, new, "m.ts", instruction="delete b and remove unused imports")
        == []
    )
    go = 'package m\n\nimport "fmt"\n\nfunc A() {}\n\nfunc (s *S) B() {}\n'
    # (a Go method is named with its receiver's type: godefinitions)
    assert dropped_definitions(go, "package m\n\nfunc A() {}\n", "m.go") == ["import fmt", "S.B"]


def test_the_outline_of_a_large_file_lists_each_line_once(tmp_path):
    # ``from a import b, c`` defines two names on one line: one outline row
    funcs = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(1500))
    head = "from collections.abc import Iterable, Sized\nimport os\n\n\n"
    p = project(tmp_path, head + funcs, "big.py")
    user = ChatPrompts().messages(task_for(p, "Fix f742"), PromptContext(budget_tokens=32_000))[1][
        "content"
    ]
    assert user.count("     1: from collections.abc import Iterable, Sized") == 1
    assert "     2: import os\n     5: def f0(x):" in user


def test_large_file_is_never_sent_truncated_for_a_whole_file_reply(tmp_path):
    funcs = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(1500))
    p = project(tmp_path, "import os\n\n\n" + funcs, "big.py")
    t = task_for(p, "Fix f742 so it returns x + 742.5")
    prompts = ChatPrompts()
    ctx = PromptContext(budget_tokens=32_000)
    assert not prompts.file_sent_whole(t, ctx)
    user = prompts.messages(t, ctx)[1]["content"]
    assert "complete new file" not in user and "whole file" in user
    assert "def f742(x):\n    return x + 742\n" in user  # the definition the instruction names
    assert "     4: def f0(x):" in user and "more" in user  # the outline, bounded
    assert len(user) < ChatPrompts.budget_chars(ctx)
    with pytest.raises(ParseError, match="too large"):
        parse(t, "```python\ndef f742(x):\n    return x + 742.5\n```", ctx)
    e = parse(
        t,
        sr("big.py", "def f742(x):\n    return x + 742\n", "def f742(x):\n    return x + 742.5\n"),
        ctx,
    )
    assert e.files["big.py"].count("def f") == 1500


# ----------------------------------------------------------------------------- what the model sees
def test_prompt_holds_covering_tests_baseline_and_bounded_feedback(tmp_path):
    p = project(tmp_path)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_calc.py").write_text(
        "from calc import add\n\ndef test_add():\n    assert add(2, 3) == 5\n"
    )
    (tmp_path / "tests" / "test_other.py").write_text(
        "import calc\n\ndef test_mul():\n    assert calc.mul(2, 3) == 6\n"
    )
    (tmp_path / "tests" / "test_unrelated.py").write_text("def test_x():\n    assert True\n")
    assert covering_tests(tmp_path, p) == ["tests/test_calc.py", "tests/test_other.py"]
    t = task_for(p)
    base = Baseline(
        "pytest -q", 1, 1, (TestFailure("tests.test_calc::test_add", "assert -1 == 5"),)
    )
    notes = tuple(
        Feedback(
            "fail",
            f"1 failing test: tests.test_calc::test_add (assert {i} == 5)" + " x" * 400,
            (TestFailure("tests.test_calc::test_add", f"assert {i} == 5"),),
        )
        for i in range(6)
    )
    user = ChatPrompts().messages(t, PromptContext(base, notes, 32_000))[1]["content"]
    assert "Test file tests/test_calc.py" in user and "assert add(2, 3) == 5" in user
    assert "Test file tests/test_other.py" in user and "test_unrelated" not in user
    assert "tests.test_calc::test_add: assert -1 == 5" in user
    start = user.index("Earlier attempts")
    end = user.index("Instruction:")
    assert end - start <= FEEDBACK_CHARS + 2
    assert "Attempt 1: fail" in user


class _Verifier:
    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.verified = 0

    def prepare(self, task, cancel=None):
        if self.refuse:
            raise PreflightError("no test command found", "testCommand")
        return Baseline("pytest", 1, 1, (TestFailure("t::test_add", "assert -1 == 5"),))

    def verify(self, task, edit, model, cancel=None):
        self.verified += 1
        ok = "a + b" in edit.files.get("calc.py", "")
        if ok:
            return Verdict("pass", "2 passed", tests_passed=2, tests_failed=0, score=1.0)
        return Verdict(
            "fail",
            "1 failing test: t::test_add (assert 6 == 5)",
            tests_passed=1,
            tests_failed=1,
            score=0.5,
            failures=(TestFailure("t::test_add", "assert 6 == 5"),),
        )


class _Policy:
    name = "scripted"

    def plan(self, task, models, tried):
        from acrouter.domain import Decision

        left = [m for m in ("a", "b") if m not in {x.model for x in tried}]
        return Decision(left[0] if left else None)

    def learn(self, task, outcome):
        pass


WRONG_SR = sr("calc.py", "    return a - b\n", "    return a * b + 0\n")
RIGHT_SR = sr("calc.py", "    return a - b\n", "    return a + b\n")


@pytest.mark.parametrize("share", [True, False])
def test_the_next_model_is_told_why_the_last_attempt_failed(tmp_path, share):
    p = project(tmp_path)
    gw = FakeGateway({"a": WRONG_SR, "b": RIGHT_SR})
    specs = [ModelSpec("a", "x/a"), ModelSpec("b", "x/b")]
    o = Orchestrator(
        specs, _Policy(), gw, ChatPrompts(), _Verifier(), InMemoryMemory(), share_failures=share
    )
    r = o.run(task_for(p))
    assert r.verified and r.final_model == "b"
    first, second = (c[1][1]["content"] for c in gw.calls)
    assert "t::test_add: assert -1 == 5" in first and "Earlier attempts" not in first
    if share:
        assert "Attempt 1: fail: 1 failing test: t::test_add (assert 6 == 5)" in second
        assert "a * b + 0" not in second  # never the failed code
    else:
        assert "Earlier attempts" not in second


def test_a_refused_preflight_calls_no_model(tmp_path):
    gw = FakeGateway({"a": RIGHT_SR, "b": RIGHT_SR})
    mem = InMemoryMemory()
    o = Orchestrator(
        [ModelSpec("a", "x/a")], _Policy(), gw, ChatPrompts(), _Verifier(refuse=True), mem
    )
    with pytest.raises(PreflightError):
        o.run(task_for(project(tmp_path)))
    assert gw.calls == [] and mem.count() == 0


def test_the_budget_comes_from_the_models_context_window(tmp_path):
    p = project(
        tmp_path, "".join(f"def f{i}(x):\n    return x\n\n\n" for i in range(400)), "big.py"
    )
    gw = FakeGateway(
        {"small": "no reply", "large": "no reply"}, windows={"small": 2_000, "large": 200_000}
    )
    specs = [ModelSpec("small", "x/s"), ModelSpec("large", "x/l")]

    class Both(_Policy):
        def plan(self, task, models, tried):
            from acrouter.domain import Decision

            left = [m for m in ("small", "large") if m not in {x.model for x in tried}]
            return Decision(left[0] if left else None)

    o = Orchestrator(specs, Both(), gw, ChatPrompts(), _Verifier(), InMemoryMemory())
    o.run(task_for(p, "Fix f7"))
    small, large = (c[1][1]["content"] for c in gw.calls)
    assert "too large to show whole" in small and "def f399" not in small
    assert "too large to show whole" not in large and "def f399(x)" in large


def test_a_named_definition_under_a_condition_or_in_a_large_class_is_shown(tmp_path):
    # a large file's excerpt looked for the named definition among top-level ones only:
    # typing_extensions' get_original_bases (defined under `if hasattr(...): else:`) was
    # named by the instruction and the failing test, yet the prompt showed other code
    # and asked for SEARCH texts "from the parts above"; so was a method of a class too
    # large to show whole
    filler = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(600))
    methods = "".join(f"    def m{i}(self):\n        return {i}\n\n" for i in range(1500))
    text = (
        "import sys\n\n\n"
        + filler
        + "if sys.version_info >= (9, 0):\n    get_bases = None\nelse:\n"
        + "    def get_bases(cls, /):\n        return cls.__bases__\n\n\n"
        + "class Big:\n"
        + methods
        + "    def scale(self, k):\n        return k * 3\n\n\n"
        + filler.replace("def f", "def g")
    )
    p = project(tmp_path, text, "big.py")
    ctx = PromptContext(budget_tokens=32_000)
    for instruction, code in (
        (
            "get_bases ignores __orig_bases__; fix it",
            "    def get_bases(cls, /):\n        return cls.__bases__\n",
        ),
        ("Big.scale multiplies by 3; make it 2", "    def scale(self, k):\n        return k * 3\n"),
    ):
        user = ChatPrompts().messages(task_for(p, instruction), ctx)[1]["content"]
        assert "too large to show whole" in user
        assert code in user, instruction
        assert len(user) < ChatPrompts.budget_chars(ctx)
