"""Files of thousands of lines on the request path (``benchmarks/big_files.py`` times
them): the SEARCH/REPLACE blocks of a reply are applied to a file split into lines once,
with the same result as one block at a time; hunks without line numbers still go where
their lines match exactly one place after the previous hunk; the region shown around a
selection in a file too large to send whole grows as far as the budget allows; the Python trees (and docstrings) of a text
are read once while an edit is judged, and nothing of them is kept after; what the
server's warm-up loaded is kept out of the garbage collector's scans."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
from acrouter.app import EditorApp, PriorStore
from acrouter.config import DEFAULTS
from acrouter.context import build_task
from acrouter.domain import Completion, Document, Position, PromptContext, Range
from acrouter.edits import SearchReplace, SearchReplaceText, apply_search_replace
from acrouter.errors import ParseError, VerifyError
from acrouter.memory.inmemory import InMemoryMemory
from acrouter.prompts import ChatPrompts
from acrouter.prompts.excerpt import wanted_lines
from acrouter.pytrees import cached, parse, shared_trees
from acrouter.verifier import apply_diff_texts
from acrouter.verifier.doctests import OTHER_STRINGS, docstrings


def one_at_a_time(text: str, blocks: list[SearchReplace]) -> str:
    for n, block in enumerate(blocks, 1):
        text = apply_search_replace(text, block, f"block {n}")
    return text


def all_at_once(text: str, blocks: list[SearchReplace]) -> str:
    edited = SearchReplaceText(text)
    for n, block in enumerate(blocks, 1):
        edited.apply(block, f"block {n}")
    return edited.text()


def sr(search: tuple[str, ...], replace: tuple[str, ...]) -> SearchReplace:
    return SearchReplace(None, search, replace)


BLOCKS = [
    sr(("    return a - b",), ("    return a + b",)),  # exact
    sr(("def mul(a, b):   ",), ("def mul(a, b):  # times",)),  # but for trailing spaces
    sr(("return a * b",), ("if a:", "    return a * b", "return 0")),  # re-indented
    sr(("", "def area(r):", ""), ("def area(radius):",)),  # blank lines trimmed
    sr(("    return math.pi * r * r",), ()),  # deleted (the file's last line)
    sr((), ("def extra():", "    return 1")),  # empty SEARCH: added at the end
    sr(("def extra():",), ("def extra():  # new",)),  # a block on what a block added
]
CALC = (
    "import math\n\n\ndef add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n"
    "\n\ndef area(r):\n    return math.pi * r * r"
)


@pytest.mark.parametrize(
    "text",
    [
        CALC,
        CALC + "\n",
        CALC.replace("\n", "\r\n"),
        "\ufeff" + CALC + "\n",
        CALC.replace("\n", "\r"),
    ],
    ids=["no-final-newline", "lf", "crlf", "bom", "cr"],
)
def test_blocks_applied_to_lines_split_once_are_blocks_applied_one_at_a_time(text: str) -> None:
    assert all_at_once(text, BLOCKS) == one_at_a_time(text, BLOCKS)
    assert "return a + b" in all_at_once(text, BLOCKS) and "extra():  # new" in all_at_once(
        text, BLOCKS
    )


def test_a_block_that_matches_twice_or_nowhere_is_named_after_the_earlier_ones() -> None:
    text = "x = 1\ny = 2\nx = 1\n"
    edited = SearchReplaceText(text)
    edited.apply(sr(("y = 2",), ("y = 3",)), "block 1")
    with pytest.raises(ParseError, match="block 2: the SEARCH text matches 2 places"):
        edited.apply(sr(("x = 1",), ("x = 0",)), "block 2")
    with pytest.raises(ParseError, match="block 3: the SEARCH text does not match"):
        edited.apply(sr(("y = 2",), ("y = 4",)), "block 3")  # block 1 changed it
    assert edited.text() == "x = 1\ny = 3\nx = 1\n"


def test_500_blocks_on_a_file_of_5000_lines_make_the_file_the_reply_asks_for(
    tmp_path: Path,
) -> None:
    lines = [f"def f{i}(x):\n    return x + {i}\n" for i in range(2500)]
    (tmp_path / ".git").mkdir()
    path = tmp_path / "big.py"
    path.write_text("".join(lines))
    reply = "".join(
        f"big.py\n```python\n<<<<<<< SEARCH\n    return x + {i}\n=======\n"
        f"    return {i} + x\n>>>>>>> REPLACE\n```\n\n"
        for i in range(0, 2500, 5)
    )
    doc = Document(uri=path.as_uri(), path=str(path), text=path.read_text())
    task = build_task(doc, "Swap the operands", folders=[tmp_path])
    edit = ChatPrompts().parse(task, Completion("m", reply), PromptContext())
    expected = "".join(
        line.replace(f"x + {i}\n", f"{i} + x\n") if i % 5 == 0 else line
        for i, line in enumerate(lines)
    )
    assert edit.files == {"big.py": expected}


def test_a_text_is_parsed_once_in_a_scope_and_again_after_it() -> None:
    text = "def f():\n    return 1\n"
    with shared_trees():
        tree = parse(text)
        with shared_trees():  # nested: the same trees
            assert parse(text) is tree
        assert parse("def f():\n    return 2\n") is not tree
        assert cached("n", text, lambda: [1]) is cached("n", text, lambda: [2])
        for _ in range(2):  # the error of a text that does not parse, each time
            with pytest.raises(SyntaxError):
                parse("def (:\n")
    assert parse(text) is not tree  # outside a scope: ast.parse
    assert cached("n", text, lambda: [2]) == [2]


def test_the_docstrings_of_a_module_with_thousands_are_all_found() -> None:
    parts = ['"""The module."""\n', "PROMPT = f'>>> {1}'\n"]  # an f-string holds no examples
    for i in range(3000):
        parts.append(f'def f{i}(x):\n    """Add {i}.\n\n    >>> f{i}(1)\n    {i + 1}\n    """\n')
        parts.append(f"    return x + {i}\n")
    parts.append('f0.__doc__ = """>>> f0(2)\n3\n"""\n')
    found = docstrings("".join(parts))
    assert found is not None
    assert set(found) == {f"f{i}" for i in range(3000)} | {OTHER_STRINGS}
    assert found["f2999"][0][1] == (("f2999(1)\n", "3000\n"),)
    assert [examples for _node, examples in found[OTHER_STRINGS]] == [(("f0(2)\n", "3\n"),)]


class _NoWarmUp:  # a gateway without a slow set-up
    pass


def test_the_warm_up_moves_what_it_loaded_out_of_the_collectors_scans(tmp_path: Path) -> None:
    app = EditorApp(
        DEFAULTS,
        memory=InMemoryMemory(),
        priors=PriorStore(loader=lambda: {"loaded": [object() for _ in range(10)]}),
        gateway_factory=lambda s: _NoWarmUp(),  # type: ignore[arg-type,return-value]
        verifier_factory=lambda s: None,  # type: ignore[arg-type,return-value]
        prompts=ChatPrompts(),
    )
    gc.unfreeze()

    class Node:
        pass

    cycle = Node()
    cycle.me = cycle  # type: ignore[attr-defined]
    gone = weakref.ref(cycle)
    del cycle  # garbage only a collection frees
    try:
        app.warm_up()
        assert gc.get_freeze_count() > 0
        assert gone() is None  # collected before the freeze, not kept for ever
        assert app.priors.get() == app.priors.get()  # loaded once, kept
    finally:
        gc.unfreeze()


def test_500_hunks_without_line_numbers_each_go_where_their_lines_match_once(
    tmp_path: Path,
) -> None:
    (tmp_path / "big.py").write_bytes(
        "".join(f"def f{i}(x):\r\n    return x + {i}   \r\n" for i in range(2500)).encode()
    )
    hunks = "".join(
        f"@@ ... @@\n def f{i}(x):\n-    return x + {i}\n+    return {i} + x\n"
        for i in range(0, 2500, 5)
    )
    out = apply_diff_texts(tmp_path, f"--- a/big.py\n+++ b/big.py\n{hunks}")
    # trailing whitespace and CRLF aside, each hunk's lines stand in one place
    assert out["big.py"] == "".join(
        f"def f{i}(x):\r\n    return {i} + x\r\n"
        if i % 5 == 0
        else f"def f{i}(x):\r\n    return x + {i}   \r\n"
        for i in range(2500)
    )
    twice = "@@ ... @@\n-    return x\n+    return -x\n"
    (tmp_path / "two.py").write_text("def a(x):\n    return x\n\n\ndef b(x):\n    return x  \n")
    with pytest.raises(VerifyError, match=r"match 2 places \(lines 2, 6\)"):
        apply_diff_texts(tmp_path, f"--- a/two.py\n+++ b/two.py\n{twice}")
    # after the previous hunk only: the second hunk's lines stand once after b's header
    after_first = "@@ ... @@\n-def b(x):\n+def b(y):\n@@ ... @@\n-    return x\n+    return -x\n"
    out = apply_diff_texts(tmp_path, f"--- a/two.py\n+++ b/two.py\n{after_first}")
    assert out["two.py"] == "def a(x):\n    return x\n\n\ndef b(y):\n    return -x\n"


def test_the_region_shown_around_a_selection_grows_as_far_as_the_budget_allows(
    tmp_path: Path,
) -> None:
    lines = [f"x{i} = {'1' * (i % 37)}\n" for i in range(3000)]
    (tmp_path / ".git").mkdir()
    path = tmp_path / "big.py"
    path.write_text("".join(lines))
    rng = Range(Position(1200, 0), Position(1500, 0))
    doc = Document(uri=path.as_uri(), path=str(path), text=path.read_text(), range=rng)
    task = build_task(doc, "Simplify", folders=[tmp_path])
    for limit in (10_000, 20_000, 40_000):  # (the selection alone: 8,167 characters)
        [(a, b)] = wanted_lines(task, PromptContext(), limit)

        def cost(a: int, b: int) -> int:
            return sum(len(x) for x in lines[a:b]) + 40

        assert a <= 1200 and b >= 1501 and cost(a, b) <= limit
        # one line more on either side would not fit (or there is none)
        assert (a == 0 or cost(a - 1, b) > limit) and (b == 3000 or cost(a, b + 1) > limit)
