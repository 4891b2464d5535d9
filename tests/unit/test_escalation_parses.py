"""An escalating request parses its document once (``pytrees.kept_trees``): each attempt
judges its edit in a scope of its own (``shared_trees()``), and every one read the same
document again, once per attempt.  The guard's verdicts stay what a fresh read gives; the
edits' own texts still go with their attempt, and nothing is kept after the request."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from acrouter import pytrees
from acrouter.context import build_task
from acrouter.domain import (
    Attempt,
    Completion,
    Decision,
    Document,
    ModelSpec,
    Outcome,
    PromptContext,
    Task,
)
from acrouter.errors import ParseError
from acrouter.memory import InMemoryMemory
from acrouter.orchestrator import Orchestrator
from acrouter.prompts import ChatPrompts

from tests.policy.helpers import FakeVerifier

DOC = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(40))


def reply(search: str, replace: str) -> str:
    return f"m.py\n```python\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"


#: attempt 1 drops f3 (refused by the guard), attempt 2 changes f5 (the tests fail it),
#: attempt 3 drops f3 again
DROP = reply("def f3(x):\n    return x + 3\n", "")
CHANGE = reply("    return x + 5\n", "    return 5 + x\n")
REPLIES = (DROP, CHANGE, DROP)


class Replies:
    """Model i answers ``REPLIES[i]``."""

    def __init__(self) -> None:
        self.calls = 0

    def context_window(self, spec: ModelSpec) -> int | None:
        return None

    def complete(self, spec, messages, task, cancel=None) -> Completion:
        self.calls += 1
        return Completion(model=spec.name, text=REPLIES[self.calls - 1], cost_usd=0.001)


class InTurn:
    """Tries the models in order."""

    name = "in-turn"

    def plan(self, task: Task, models: Sequence[str], tried: Sequence[Attempt]) -> Decision:
        done = {a.model for a in tried}
        left = [m for m in models if m not in done]
        return Decision(model=left[0] if left else None, reason="next")

    def learn(self, task: Task, outcome: Outcome) -> None:
        return None


def test_an_escalating_request_parses_its_document_once(
    tmp_path: Path, parses: Counter[str]
) -> None:
    (tmp_path / ".git").mkdir()
    path = tmp_path / "m.py"
    path.write_text(DOC)
    doc = Document(uri=path.as_uri(), path=str(path), text=DOC, language_id="python")
    task = build_task(doc, "Swap the operands of f5", folders=[tmp_path])
    specs = tuple(ModelSpec(name=n, model=f"openai/{n}") for n in ("a", "b", "c"))
    orch = Orchestrator(
        specs,
        InTurn(),
        Replies(),
        ChatPrompts(),
        FakeVerifier(lambda t, m: 0.0),
        InMemoryMemory(),
        max_attempts=3,
    )
    result = orch.run(task)
    assert [a.model for a in result.attempts] == ["a", "b", "c"]
    assert parses[DOC] == 1  # it was 3: once per attempt
    changed = DOC.replace("return x + 5\n", "return 5 + x\n")
    assert parses[changed] == 1  # attempt 2's edit, read in its attempt only

    # the guard's verdict, read from the kept trees, is a fresh read's
    try:
        ChatPrompts().parse(task, Completion("m", DROP), PromptContext())
    except ParseError as exc:
        fresh = str(exc)
    else:
        raise AssertionError("the guard let a dropped function through")
    first, _, third = (a.detail for a in result.attempts)
    assert fresh in first and "f3" in fresh
    assert third == first
    assert pytrees._KEPT.get() is None  # nothing is kept after the request
