"""End-to-end, over stdio: the workspace a request is verified against is the one the
user sees in the editor — every open document whose text is not on disk (a test file
edited and not saved, too) takes the file's place in both test runs, the one without
the edit (its cached baseline included) and the one with it; the why names them; an
edit of another unsaved buffer is made from it and applied to it at its version only."""

from __future__ import annotations

import asyncio
from pathlib import Path

from acrouter.lsp.freshness import base_digest
from pytest_lsp import LanguageClient

from tests.fakes.calc_project import BUGGY
from tests.fakes.openai_server import Behaviour
from tests.lsp.test_e2e import apply_text_edits, route_arg, run
from tests.lsp.test_editor_edges import change_doc, open_doc, record_apply, until

ROUTE = "acrouter.server.routeAndComplete"
BASELINE_LOG = "running the tests without the edit (baseline)"

#: the project's test file (tests/fakes/calc_project.py), as on disk
TEST_CALC = (
    "from calc import add\n\n"
    "def test_add():\n    assert add(2, 3) == 5\n\n"
    "def test_zero():\n    assert add(0, 0) == 0\n"
)
#: the user changed the test in the editor (not saved): a + b no longer passes it
STRICTER = TEST_CALC.replace("== 5\n", "== 5\n    assert add(0.1, 0.2) == 0.3\n")
#: the user's unsaved correction of STRICTER (saved on disk)
APPROX_UNSAVED = "import pytest\n" + STRICTER.replace("== 0.3", "== pytest.approx(0.3)")


def baseline_runs(client: LanguageClient) -> int:
    """How many runs without the edit the server has made (it logs each one)."""
    return sum(BASELINE_LOG in m.message for m in client.log_messages)


async def test_a_fix_that_passes_on_disk_fails_on_the_unsaved_test(lsp):
    client, target, root = lsp
    test_file = root / "tests" / "test_calc.py"
    assert test_file.read_text() == TEST_CALC
    open_doc(client, test_file, STRICTER, version=2)  # edited in the editor, not saved
    res = await run(client, ROUTE, route_arg(target))
    # on disk, strong's a + b passes both tests (test_route_escalates_verifies_and_remembers)
    assert res["verified"] is False, res["why"]
    assert [a["verdict"] for a in res["attempts"]] == ["fail", "fail"], res["attempts"]
    strong = res["attempts"][1]
    assert strong["model"] == "strong" and strong["testsFailed"] == 1, strong
    assert "test_add" in strong["detail"], strong["detail"]
    assert test_file.read_text() == TEST_CALC and target.read_text() == BUGGY


async def test_a_fix_that_fails_on_disk_passes_on_the_unsaved_test(lsp):
    client, target, root = lsp
    test_file = root / "tests" / "test_calc.py"
    test_file.write_text(STRICTER)  # on disk a + b fixes no failing test: no model passes
    open_doc(client, test_file, APPROX_UNSAVED, version=5)
    res = await run(client, ROUTE, route_arg(target))
    assert res["verified"] is True and res["finalModel"] == "strong", res["why"]
    assert res["attempts"][-1]["testsPassed"] == 2, res["attempts"]
    assert test_file.read_text() == STRICTER  # the buffer went to the sandbox only
    # (c) the why says what the tests ran on
    assert (
        "**Unsaved buffers:** tests ran on 1 unsaved editor buffer: tests/test_calc.py "
        "(not the files on disk)"
    ) in res["why"], res["why"]
    explained = await run(client, "acrouter.server.explain", {"requestId": res["requestId"]})
    assert "tests/test_calc.py (not the files on disk)" in explained["why"]


async def test_the_baseline_is_run_again_when_an_unsaved_buffer_changes(lsp):
    client, target, root = lsp
    test_file = root / "tests" / "test_calc.py"
    open_doc(client, test_file, TEST_CALC + "\n# a comment, not saved\n", version=1)
    first = await run(client, ROUTE, route_arg(target))
    assert first["verified"], first["why"]
    after_first = baseline_runs(client)
    assert after_first >= 1
    again = await run(client, ROUTE, route_arg(target, instruction="Fix the bug in add again"))
    assert again["verified"], again["why"]
    assert baseline_runs(client) == after_first  # same buffers, same files: cached
    change_doc(client, test_file, STRICTER, version=2)
    third = await run(client, ROUTE, route_arg(target, instruction="Fix add, please"))
    assert baseline_runs(client) > after_first  # not the cached run of the other text
    assert third["verified"] is False, third["why"]
    assert "test_add" in third["attempts"][-1]["detail"], third["attempts"]


async def test_an_open_document_equal_to_the_disk_is_no_unsaved_buffer(lsp):
    client, target, root = lsp
    open_doc(client, root / "tests" / "test_calc.py", TEST_CALC, version=9)  # = disk
    open_doc(client, target, BUGGY.replace("\n", "\r\n"), version=3)  # = disk but line ends
    res = await run(client, ROUTE, route_arg(target))
    assert res["verified"], res["why"]
    assert "Unsaved buffers" not in res["why"] and "unsaved" not in res["why"], res["why"]


async def test_an_unsaved_buffer_that_cannot_be_used_is_named_in_the_why(lsp):
    # the file on disk is not UTF-8 (the editor decoded it its own way): its text in the
    # editor is not its bytes, so the tests read the disk, and the user is told
    client, target, root = lsp
    notes = root / "notes.txt"
    notes.write_bytes(b"caf\xe9\n")
    open_doc(client, notes, "caf\xe9 au lait\n", version=4)
    res = await run(client, ROUTE, route_arg(target))
    assert res["verified"], res["why"]
    assert (
        "**Unsaved buffers not used:** notes.txt (the file on disk is not UTF-8 text): the "
        "file on disk was used, not what the editor shows; save to use the editor's text"
    ) in res["why"], res["why"]
    assert notes.read_bytes() == b"caf\xe9\n"


# ----------------------------------------------------------------------------- applying
NOTES_DISK = "A = 1\n"
NOTES_UNSAVED = "A = 1\nB = 2\n"
#: a reply that fixes add and changes a line of notes.py that exists only in its buffer
TWO_FILES = (
    "calc.py\n```python\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n"
    ">>>>>>> REPLACE\n```\n\nnotes.py\n```python\n<<<<<<< SEARCH\nB = 2\n=======\nB = 3\n"
    ">>>>>>> REPLACE\n```"
)


def notes_change(res: dict, notes: Path) -> dict:
    (change,) = [
        c
        for c in res["edit"]["documentChanges"]
        if c.get("textDocument", {}).get("uri") == notes.as_uri()
    ]
    return change


async def test_an_edit_of_another_unsaved_buffer_is_made_from_it_and_applied_at_its_version(
    lsp, fake
):
    client, target, root = lsp
    notes = root / "notes.py"
    notes.write_text(NOTES_DISK)
    open_doc(client, notes, NOTES_UNSAVED, version=4)
    fake.behaviours["cheap-m"] = Behaviour(reply=TWO_FILES)
    applied = record_apply(client)
    arg = route_arg(target, apply=True)
    del arg["range"]
    res = await run(client, ROUTE, arg)
    assert res["verified"] and res["finalModel"] == "cheap", res["why"]
    assert res.get("applied") is True, res.get("applyFailure")
    change = notes_change(res, notes)
    assert change["textDocument"] == {"uri": notes.as_uri(), "version": 4}  # the buffer's
    assert apply_text_edits(NOTES_UNSAVED, change["edits"]) == "A = 1\nB = 3\n"
    assert res["baseDigests"][notes.as_uri()] == base_digest(NOTES_UNSAVED)
    assert len(applied) == 1 and not any(
        getattr(c, "kind", None) == "create" for c in applied[0].edit.document_changes
    )
    assert notes.read_text() == NOTES_DISK and target.read_text() == BUGGY  # nothing written


async def test_apply_is_refused_clearly_when_another_unsaved_buffer_changed_mid_request(lsp, fake):
    client, target, root = lsp
    notes = root / "notes.py"
    notes.write_text(NOTES_DISK)
    open_doc(client, notes, NOTES_UNSAVED, version=4)
    fake.behaviours["cheap-m"] = Behaviour(reply=TWO_FILES, delay_s=3)
    applied = record_apply(client)
    arg = route_arg(target, apply=True)
    del arg["range"]
    fut = asyncio.ensure_future(run(client, ROUTE, arg))
    await until(lambda: fake.chat_requests("cheap-m"))
    typed = NOTES_UNSAVED + "C = 4\n"
    change_doc(client, notes, typed, version=5)
    res = await fut
    assert res["verified"], res["why"]
    assert res["applied"] is False and applied == []
    assert res["applyFailure"] == (
        "notes.py was edited in the editor since the edit was made from its unsaved buffer "
        "(its unsaved changes are kept); nothing was applied"
    )
    assert "on disk" not in res["applyFailure"]
    assert notes.read_text() == NOTES_DISK
