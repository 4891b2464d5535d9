"""The guard against dropped code reads each text once (``definitions.guard``).

It used to parse each Python text five times when no ``shared_trees()`` scope was open
(``acrouter verify``), and, in an edit of several files, to read every other changed file
once more per changed file (a JS file tokenized twice).  Now each text's tree and lists
are kept per text while the guard runs; the verdicts must stay what they were, including
when the same texts are judged again with another instruction in one scope.
"""

from __future__ import annotations

from collections import Counter

import pytest
from acrouter import definitions
from acrouter.definitions import dropped_definitions, guard
from acrouter.errors import ParseError
from acrouter.pytrees import shared_trees

OLD = """\
import os


def keep():
    return 1


def gone():
    return 2


class Box:
    def open(self):
        return 3

    def close(self):
        return 4
"""
NEW = OLD.replace("def gone():\n    return 2\n", "").replace(
    "    def close(self):\n        return 4\n", ""
)

JS_A = "export function a() { return 1 }\nexport function b() { return 2 }\n"
JS_B = "export function c() { return 3 }\n"


@pytest.fixture
def js_reads(monkeypatch):
    """Counts ``js_definitions`` calls per text, as the guard makes them."""
    seen: Counter[str] = Counter()
    real = definitions.js_definitions

    def counting(text):
        seen[text] += 1
        return real(text)

    monkeypatch.setattr(definitions, "js_definitions", counting)
    return seen


def _refusal(olds, news, instruction=""):
    try:
        guard(olds, news, language_of=lambda _r: None, instruction=instruction)
    except ParseError as exc:
        return str(exc)
    return ""


def test_guard_parses_each_python_text_once_with_no_scope_open(parses):
    refusal = _refusal({"m.py": OLD}, {"m.py": NEW})
    assert "2 definition(s)" in refusal and "gone" in refusal and "Box.close" in refusal
    assert parses == Counter({OLD: 1, NEW: 1})


def test_a_text_compared_with_itself_is_not_read(parses, js_reads):
    assert dropped_definitions(OLD, OLD, "m.py") == []
    assert dropped_definitions(JS_A, JS_A, "m.js") == []
    assert not parses and not js_reads


def test_a_multi_file_js_edit_tokenizes_each_text_once(js_reads):
    # b moved from a.js to b.js: no loss; each of the four texts read once
    news = {"a.js": "export function a() { return 1 }\n", "b.js": JS_B + "export function b() {}\n"}
    assert _refusal({"a.js": JS_A, "b.js": JS_B}, news) == ""
    assert js_reads == Counter({JS_A: 1, JS_B: 1, news["a.js"]: 1, news["b.js"]: 1})
    # the same edit without the move is refused for b
    assert "a.js that the instruction did not ask to remove: b" in _refusal(
        {"a.js": JS_A, "b.js": JS_B}, {"a.js": news["a.js"], "b.js": JS_B + "\n"}
    )


def test_verdicts_are_the_same_when_the_reads_are_shared():
    """Judged again in one scope (kept reads), with other instructions and selections,
    the same texts give the verdicts a fresh read gives."""
    cases = [
        ("", None),
        ("remove gone", None),
        ("remove gone and close", None),
        ("", (7, 9)),  # the selection holds gone
    ]
    fresh = [dropped_definitions(OLD, NEW, "m.py", instruction=i, exempt_lines=e) for i, e in cases]
    assert fresh == [["gone", "Box.close"], ["Box.close"], [], ["Box.close"]]
    with shared_trees():
        for _ in range(2):
            shared = [
                dropped_definitions(OLD, NEW, "m.py", instruction=i, exempt_lines=e)
                for i, e in cases
            ]
            assert shared == fresh


def test_definitions_gives_a_list_its_caller_may_change():
    with shared_trees():
        first = definitions.definitions(OLD, "m.py")
        first.clear()
        assert [d.name for d in definitions.definitions(OLD, "m.py")] == [
            "import os",
            "keep",
            "gone",
            "class Box",
        ]
        broken = "def f(:\n"
        lines = definitions.definitions(broken, "m.py")
        lines.append(lines[0])
        assert len(definitions.definitions(broken, "m.py")) == 1
