"""Tests that cannot even be collected without the edit (a test file imports a module
that does not exist): the request goes on, since the edit may add the module; when an
edit leaves the same error, no other model is called (each would be paid to meet it).
The same when the only failing tests need the network, which the sandbox has not.

The whole loop: the Orchestrator with a fake gateway, the real prompts and the real
sandboxed verifier on a tiny project."""

from __future__ import annotations

from pathlib import Path

from .helpers import CALC, needs_bwrap, route, write_tree
from .helpers import TEST_CALC as TEST_CALC_PLAIN

TEST_CALC = (
    "import calc_constants\n"
    "from calc import add\n\n\n"
    "def test_add():\n    assert add(2, 3) == calc_constants.FIVE\n"
)
FIX_ADD = "calc.py\n```python\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n```\n"
ADD_MODULE = (
    "calc_constants.py\n```python\n<<<<<<< SEARCH\n=======\nFIVE = 5\n>>>>>>> REPLACE\n```\n"
)


@needs_bwrap
def test_an_edit_that_leaves_the_import_error_stops_the_request(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "proj", {"calc.py": CALC, "tests/test_calc.py": TEST_CALC})
    (root / ".git").mkdir()
    _, result, gateway, memory = route(
        root, "Fix the bug in add", {"cheap": FIX_ADD, "mid": FIX_ADD, "strong": FIX_ADD}
    )
    assert [c[0] for c in gateway.calls] == ["cheap"]  # nobody else was paid to meet it
    [attempt] = result.attempts
    assert (attempt.verdict, attempt.counted) == ("error", False)
    assert result.final_model is None and result.edit is None and not result.verified
    stopped = result.why.split("Stopped: ", 1)[1]
    assert stopped.startswith(
        "the tests could not run before the edit and still cannot after cheap's edit ("
    )
    assert "No module named 'calc_constants'" in stopped
    assert "Fix the test set-up" in stopped and "ask for it explicitly" in stopped
    assert "No model is at fault here" in result.why
    # never learned as the model's failure
    assert [a.counted for a in memory.outcomes()[0].attempts] == [False]


@needs_bwrap
def test_an_edit_that_adds_the_missing_module_passes_as_before(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "proj", {"calc.py": CALC, "tests/test_calc.py": TEST_CALC})
    (root / ".git").mkdir()
    _, result, gateway, _ = route(
        root, "Fix the bug in add", {"cheap": FIX_ADD + "\n" + ADD_MODULE, "strong": FIX_ADD}
    )
    assert [c[0] for c in gateway.calls] == ["cheap"]
    assert result.verified and result.final_model == "cheap"
    assert result.edit is not None and result.edit.files["calc_constants.py"] == "FIVE = 5\n"
    assert "Stopped" not in result.why


TEST_NET = (
    "import socket\n\n\n"
    "def test_service_answers():\n"
    "    socket.create_connection(('127.0.0.1', 9), timeout=2).close()\n"
)
RENAME_ARGS = (
    "calc.py\n```python\n<<<<<<< SEARCH\ndef mul(a, b):\n    return a * b\n=======\n"
    "def mul(x, y):\n    return x * y\n>>>>>>> REPLACE\n```\n"
)


@needs_bwrap
def test_an_edit_whose_only_failing_tests_need_the_network_stops_the_request(
    tmp_path: Path,
) -> None:
    # found last session: such a verdict was not held against the model, but the next
    # model was still called (and paid) to meet the same network error
    calc = CALC.replace("a - b", "a + b")
    files = {"calc.py": calc, "tests/test_calc.py": TEST_CALC_PLAIN, "tests/test_net.py": TEST_NET}
    root = write_tree(tmp_path / "proj", files)
    (root / ".git").mkdir()
    _, result, gateway, memory = route(
        root,
        "Rename mul's parameters to x and y",
        {"cheap": RENAME_ARGS, "mid": RENAME_ARGS, "strong": RENAME_ARGS},
    )
    assert [c[0] for c in gateway.calls] == ["cheap"]
    [attempt] = result.attempts
    assert (attempt.verdict, attempt.counted) == ("fail", False)
    assert not result.verified
    stopped = result.why.split("Stopped: ", 1)[1]
    assert stopped.startswith("the failing tests need the network")
    assert "test_service_answers" in stopped and "Connection refused" in stopped
    assert "after cheap's edit" in stopped and "out of the test command" in stopped
    assert [a.counted for a in memory.outcomes()[0].attempts] == [False]


@needs_bwrap
def test_a_network_test_beside_a_fix_does_not_stop_a_fix_that_passes(tmp_path: Path) -> None:
    files = {"calc.py": CALC, "tests/test_calc.py": TEST_CALC_PLAIN, "tests/test_net.py": TEST_NET}
    root = write_tree(tmp_path / "proj", files)
    (root / ".git").mkdir()
    _, result, gateway, _ = route(root, "Fix the bug in add", {"cheap": FIX_ADD, "strong": FIX_ADD})
    assert [c[0] for c in gateway.calls] == ["cheap"]
    assert result.verified and result.final_model == "cheap"
    assert "Stopped" not in result.why
