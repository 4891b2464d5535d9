"""End-to-end, over stdio: a verified edit's verdict describes the workspace its tests ran
on.  The client asks ``changedSince`` when the user applies the edit (maybe minutes
later) and learns which files changed since: a test buffer edited and not saved, a file
saved or created on disk, one deleted.  Caches and what the tests' tools write never
count; the files the edit changes are named too (the client refuses those itself)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pygls.exceptions import JsonRpcException

from tests.fakes.calc_project import BUGGY, make_project
from tests.lsp.test_e2e import route_arg, run, settings, start_session
from tests.lsp.test_editor_edges import change_doc, open_doc
from tests.lsp.test_unsaved_buffers import APPROX_UNSAVED, STRICTER, TEST_CALC

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
        ("helpers.py", "created"),
        ("tests/test_calc.py", "edited, not saved"),
    ]
    assert got["changes"][2]["uri"] == test_file.as_uri()

    # the edit's own file, changed on disk: named too (the client's stricter check refuses)
    bump(target, target.read_text() + "\n")
    got = await run(client, CHANGED_SINCE, asked)
    assert ("calc.py", "changed on disk") in [(c["path"], c["how"]) for c in got["changes"]]


async def test_a_module_the_tests_import_from_beside_the_workspace_counts(fake, home, tmp_path):
    # the tests import a module of a sibling folder on the PYTHONPATH they inherit (as
    # the server's); no sandbox, which would mask /tmp, where the sibling is
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "sibling.py").write_text("ZERO = 0\n")
    root = tmp_path / "proj"
    target = make_project(root)
    test = root / "tests" / "test_calc.py"
    test.write_text(
        test.read_text() + "\n\ndef test_sibling():\n    from sibling import ZERO\n"
        "    assert add(ZERO, 1) == 1\n"
    )
    client, _ = await start_session(
        home, settings(fake.base_url, sandbox="none"), root, pythonpath=[lib]
    )
    try:
        res = await run(client, ROUTE, route_arg(target))
        assert res["verified"] is True, res["why"]
        asked = {"requestId": res["requestId"]}
        assert await run(client, CHANGED_SINCE, asked) == {"known": True, "changes": []}
        bump(lib / "sibling.py", "ZERO = 1\n")
        got = await run(client, CHANGED_SINCE, asked)
        path = os.path.realpath(lib / "sibling.py")
        assert got == {
            "known": True,
            "changes": [{"path": path, "uri": Path(path).as_uri(), "how": "changed on disk"}],
        }
    finally:
        await client.shutdown_session()


async def test_a_request_the_server_does_not_know_cannot_be_vouched_for(lsp):
    client, _target, _root = lsp
    got = await run(client, CHANGED_SINCE, {"requestId": "no-such-request"})
    assert got == {"known": False, "changes": []}


VERIFY_AGAIN = "acrouter.server.verifyAgain"
STATS = "acrouter.server.memoryStats"


async def test_verify_again_runs_the_tests_on_the_edit_in_the_workspace_as_it_is_now(lsp, fake):
    client, target, root = lsp
    res = await run(client, ROUTE, route_arg(target))
    assert res["verified"] is True and res["finalModel"] == "strong", res["why"]
    asked = {"requestId": res["requestId"]}
    records = (await run(client, STATS, {}))["records"]
    calls = len(fake.requests)

    # the user makes the test stricter in the editor (not saved): a + b fails it now
    test_file = root / "tests" / "test_calc.py"
    open_doc(client, test_file, TEST_CALC, version=1)
    change_doc(client, test_file, STRICTER, version=2)
    again = await run(client, VERIFY_AGAIN, asked)
    assert again["known"] is True and again["verdict"] == "fail", again
    assert again["testsFailed"] == 1 and "test_add" in again["detail"], again
    # the verdict at hand is still the old one: Apply goes on warning about the change
    got = await run(client, CHANGED_SINCE, asked)
    assert [(c["path"], c["how"]) for c in got["changes"]] == [
        ("tests/test_calc.py", "edited, not saved")
    ]

    # the user corrects the test (still not saved): the edit passes it, and the tests'
    # workspace is now the one the user sees, so Apply has nothing left to warn about
    change_doc(client, test_file, APPROX_UNSAVED, version=3)
    again = await run(client, VERIFY_AGAIN, asked)
    assert again["verdict"] == "pass" and again["testsPassed"] == 2, again
    assert await run(client, CHANGED_SINCE, asked) == {"known": True, "changes": []}

    # no model was called, nothing was recorded, nothing was written
    assert len(fake.requests) == calls
    assert (await run(client, STATS, {}))["records"] == records
    assert target.read_text() == BUGGY and test_file.read_text() == TEST_CALC


async def test_verify_again_refuses_when_a_file_of_the_edit_changed(lsp):
    client, target, _root = lsp
    res = await run(client, ROUTE, route_arg(target))
    assert res["verified"] is True, res["why"]
    bump(target, target.read_text() + "\n# the user's own change\n")
    with pytest.raises(JsonRpcException) as failed:
        await run(client, VERIFY_AGAIN, {"requestId": res["requestId"]})
    assert "calc.py changed since the edit was made from it; run the request again" in str(
        failed.value
    )


async def test_verify_again_of_a_request_the_server_does_not_know(lsp):
    client, _target, _root = lsp
    assert await run(client, VERIFY_AGAIN, {"requestId": "no-such-request"}) == {"known": False}
