"""End-to-end, over stdio: a verified edit's verdict describes the workspace its tests ran
on.  The client asks ``changedSince`` when the user applies the edit (maybe minutes
later) and learns which files changed since: a test buffer edited and not saved, a file
saved or created on disk, one deleted.  Caches and what the tests' tools write never
count; the files the edit changes are named too (the client refuses those itself)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.lsp.test_e2e import route_arg, run
from tests.lsp.test_editor_edges import change_doc, open_doc
from tests.lsp.test_unsaved_buffers import STRICTER, TEST_CALC

ROUTE = "acrouter.server.routeAndComplete"
CHANGED_SINCE = "acrouter.server.changedSince"


def bump(path: Path, text: str) -> None:
    """Save ``text`` with a modification time surely after the request's."""
    st = path.stat()
    path.write_text(text)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))


async def test_apply_learns_which_files_changed_since_the_tests_ran(lsp):
    client, target, root = lsp
    res = await run(client, ROUTE, route_arg(target))
    assert res["verified"] is True, res["why"]
    asked = {"requestId": res["requestId"]}
    assert await run(client, CHANGED_SINCE, asked) == {"known": True, "changes": []}

    # the user edits the test in the editor (not saved), saves conftest.py, adds a module,
    # and runs the tests in a terminal (caches, coverage data)
    test_file = root / "tests" / "test_calc.py"
    open_doc(client, test_file, TEST_CALC, version=1)  # as on disk: no change yet
    change_doc(client, test_file, STRICTER, version=2)
    bump(root / "conftest.py", "import pytest\n")
    (root / "helpers.py").write_text("X = 1\n")
    (root / "__pycache__").mkdir(exist_ok=True)
    (root / "__pycache__" / "calc.cpython-311.pyc").write_bytes(b"\0")
    (root / ".pytest_cache").mkdir(exist_ok=True)
    (root / ".pytest_cache" / "lastfailed").write_text("{}")
    (root / ".coverage").write_text("")
    got = await run(client, CHANGED_SINCE, asked)
    assert got["known"] is True
    assert [(c["path"], c["how"]) for c in got["changes"]] == [
        ("conftest.py", "changed on disk"),
        ("helpers.py", "added"),
        ("tests/test_calc.py", "edited, not saved"),
    ]
    assert got["changes"][2]["uri"] == test_file.as_uri()

    # the edit's own file, changed on disk: named too (the client's stricter check refuses)
    bump(target, target.read_text() + "\n")
    got = await run(client, CHANGED_SINCE, asked)
    assert ("calc.py", "changed on disk") in [(c["path"], c["how"]) for c in got["changes"]]


async def test_a_request_the_server_does_not_know_cannot_be_vouched_for(lsp):
    client, _target, _root = lsp
    got = await run(client, CHANGED_SINCE, {"requestId": "no-such-request"})
    assert got == {"known": False, "changes": []}
