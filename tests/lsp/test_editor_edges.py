"""End-to-end, over stdio: what a real editor produces besides the plain request on a
saved file — unsaved buffers, documents that change while a request runs, URIs and
folders of every kind, two requests at once, a cancel, a shutdown mid-request."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from acrouter.lsp.freshness import base_digest
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcRequestCancelled
from pytest_lsp import LanguageClient

from tests.fakes.calc_project import BUGGY, SR_FIX, make_project
from tests.fakes.openai_server import Behaviour
from tests.lsp.test_e2e import (
    apply_text_edits,
    route_arg,
    run,
    settings,
    start,
    start_session,
)

ROUTE = "acrouter.server.routeAndComplete"


def open_doc(client: LanguageClient, path: Path, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id="python", version=version, text=text
            )
        )
    )


def change_doc(client: LanguageClient, path: Path, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=path.as_uri(), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def until(check: Any, seconds: float = 60) -> None:
    for _ in range(int(seconds * 10)):
        if check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out waiting")


def record_apply(client: LanguageClient) -> list[types.ApplyWorkspaceEditParams]:
    """A lax client that applies whatever it is sent (records it)."""
    applied: list[types.ApplyWorkspaceEditParams] = []

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def on_apply(params: types.ApplyWorkspaceEditParams):
        applied.append(params)
        return types.ApplyWorkspaceEditResult(applied=True)

    return applied


# ----------------------------------------------------------------------------- unsaved buffers
SUB_TEST = "from calc import sub\n\n\ndef test_sub():\n    assert sub(5, 3) == 2\n"
UNSAVED = "# a note not saved yet\n" + BUGGY + "\n\ndef sub(a, b):\n    return -(b - a)\n"


async def test_an_unsaved_buffer_is_routed_verified_and_edited_not_the_disk(lsp):
    client, target, root = lsp
    (root / "tests" / "test_sub.py").write_text(SUB_TEST)  # passes on the buffer only
    before, mtime = target.read_bytes(), target.stat().st_mtime_ns
    open_doc(client, target, UNSAVED, version=3)
    rng = {"start": {"line": 1, "character": 0}, "end": {"line": 3, "character": 0}}
    res = await run(client, ROUTE, route_arg(target, range=rng))
    assert res["verified"] is True, res["why"]
    assert res["attempts"][-1]["testsPassed"] == 3, res["attempts"]  # test_sub ran on the buffer
    (change,) = res["edit"]["documentChanges"]
    assert change["textDocument"] == {"uri": target.as_uri(), "version": 3}
    assert apply_text_edits(UNSAVED, change["edits"]) == UNSAVED.replace("a - b", "a + b")
    assert (target.read_bytes(), target.stat().st_mtime_ns) == (before, mtime)


async def test_a_search_replace_edit_is_made_on_the_unsaved_buffer(lsp, fake):
    client, target, root = lsp
    (root / "tests" / "test_sub.py").write_text(SUB_TEST)
    fake.behaviours["cheap-m"] = Behaviour(reply=SR_FIX)
    open_doc(client, target, UNSAVED, version=5)
    arg = route_arg(target)
    del arg["range"]
    res = await run(client, ROUTE, arg)
    assert res["verified"] and res["finalModel"] == "cheap", res["why"]
    (change,) = res["edit"]["documentChanges"]
    assert change["textDocument"] == {"uri": target.as_uri(), "version": 5}
    assert apply_text_edits(UNSAVED, change["edits"]) == UNSAVED.replace("a - b", "a + b")
    assert res["baseDigests"] == {target.as_uri(): base_digest(UNSAVED)}
    assert target.read_text() == BUGGY


# ----------------------------------------------------------------------------- stale documents
async def test_apply_is_refused_when_the_open_document_changed_mid_request(lsp, fake):
    client, target, _ = lsp
    open_doc(client, target, BUGGY, version=1)
    applied = record_apply(client)
    fake.behaviours["strong-m"] = Behaviour(
        reply="```python\ndef add(a, b):\n    return a + b\n```", delay_s=3
    )
    fut = asyncio.ensure_future(run(client, ROUTE, route_arg(target, apply=True)))
    await until(lambda: fake.chat_requests("strong-m"))
    edited = "# typed while the request ran\n" + BUGGY
    change_doc(client, target, edited, version=2)
    res = await fut
    assert res["verified"]
    assert (
        res["applyFailure"] == "calc.py was edited since the request was made; nothing was applied"
    )
    assert res["applied"] is False and applied == []  # the server did not even ask the editor
    assert target.read_text() == BUGGY


async def test_apply_is_refused_when_the_closed_file_changed_on_disk_mid_request(lsp, fake):
    """A file the editor does not have open: the WorkspaceEdit carries no version to pin,
    so the server must itself check the file still holds what the edit was made from."""
    client, target, _ = lsp
    applied = record_apply(client)
    fake.behaviours["strong-m"] = Behaviour(
        reply="```python\ndef add(a, b):\n    return a + b\n```", delay_s=3
    )
    fut = asyncio.ensure_future(run(client, ROUTE, route_arg(target, apply=True)))
    await until(lambda: fake.chat_requests("strong-m"))
    saved = "# saved by another program\n" + BUGGY
    target.write_text(saved)
    res = await fut
    assert res["verified"]
    assert (
        res["applyFailure"]
        == "calc.py changed on disk since the edit was made; nothing was applied"
    )
    assert (
        res["applied"] is False and applied == []
    )  # the range (lines 0-2 of the old text) would hit the wrong lines
    assert target.read_text() == saved


# ----------------------------------------------------------------------------- URIs and folders
@pytest.mark.parametrize(
    "uri",
    [
        "untitled:Untitled-1",
        "vscode-remote://ssh-remote%2Bbox/home/u/proj/calc.py",
        "git:/home/u/proj/calc.py?%7B%22ref%22%3A%22HEAD%22%7D",
        "file://otherhost/share/calc.py",
    ],
    ids=["untitled", "vscode-remote", "git", "unc"],
)
async def test_documents_without_a_local_file_are_refused_clearly(lsp, fake, uri):
    client, target, _ = lsp
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=BUGGY
            )
        )
    )
    with pytest.raises(JsonRpcException) as info:
        await run(client, ROUTE, route_arg(target, textDocument={"uri": uri}))
    assert info.value.code == -32602
    assert "file" in str(info.value)
    assert fake.chat_requests() == []
    assert (await run(client, "acrouter.server.history", {}))["entries"] == []


async def start_folders(home: Path, init: dict[str, Any], folders: list[Path]) -> LanguageClient:
    client, _ = await start_session(home, init, None, folders=folders)
    return client


async def test_second_root_and_outside_every_folder_use_their_own_tests(fake, home, tmp_path):
    first, second, outside = tmp_path / "one", tmp_path / "two", tmp_path / "loose"
    make_project(first)
    target2 = make_project(second)
    (second / "tests" / "test_more.py").write_text(
        "from calc import add\n\n\ndef test_more():\n    assert add(1, 1) == 2\n"
    )
    target3 = make_project(outside)
    (outside / ".git").mkdir()
    client = await start_folders(home, settings(fake.base_url), [first, second])
    try:
        res = await run(client, ROUTE, route_arg(target2))
        assert res["verified"], res["why"]
        assert res["attempts"][-1]["testsPassed"] == 3  # two's tests, not one's
        # a file outside every workspace folder: its own project (the .git marker)
        res = await run(client, ROUTE, route_arg(target3, instruction="Fix add here"))
        assert res["verified"], res["why"]
        assert res["attempts"][-1]["testsPassed"] == 2
        assert target2.read_text() == BUGGY and target3.read_text() == BUGGY
        # the second folder is removed while a request on it runs
        fake.behaviours["strong-m"] = Behaviour(
            reply="```python\ndef add(a, b):\n    return a + b\n```", delay_s=3
        )
        fut = asyncio.ensure_future(run(client, ROUTE, route_arg(target2, instruction="fix add")))
        await until(lambda: len(fake.chat_requests("strong-m")) >= 3)
        client.workspace_did_change_workspace_folders(
            types.DidChangeWorkspaceFoldersParams(
                event=types.WorkspaceFoldersChangeEvent(
                    added=[],
                    removed=[types.WorkspaceFolder(uri=second.as_uri(), name="two")],
                )
            )
        )
        res = await fut
        assert res["verified"], res["why"]
        (change,) = res["edit"]["documentChanges"]
        assert change["textDocument"]["uri"] == target2.as_uri()
        assert apply_text_edits(BUGGY, change["edits"]) == BUGGY.replace("a - b", "a + b")
    finally:
        await client.shutdown_session()


# ----------------------------------------------------------------------------- two at once
async def test_two_requests_at_once_and_one_cancelled_is_not_learned(lsp, fake):
    client, target, _ = lsp
    fake.behaviours["cheap-m"] = Behaviour(
        reply="```python\ndef add(a, b):\n    return a * b\n```", delay_s=4
    )
    params = types.ExecuteCommandParams(command=ROUTE, arguments=[route_arg(target)])
    other = types.ExecuteCommandParams(
        command=ROUTE, arguments=[route_arg(target, instruction="Fix the bug in add now")]
    )
    a = asyncio.ensure_future(
        client.protocol.send_request_async("workspace/executeCommand", params, msg_id="route-a")
    )
    b = asyncio.ensure_future(
        client.protocol.send_request_async("workspace/executeCommand", other, msg_id="route-b")
    )
    await until(lambda: len(fake.chat_requests("cheap-m")) >= 2, 120)
    client.protocol.notify("$/cancelRequest", types.CancelParams(id="route-a"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(a, 10)
    res = await asyncio.wait_for(b, 120)
    assert res["verified"] and res["finalModel"] == "strong", res["why"]
    assert [x["verdict"] for x in res["attempts"]] == ["fail", "pass"]
    entries: list = []
    for _ in range(100):  # the cancelled request's worker records as it stops
        entries = (await run(client, "acrouter.server.history", {}))["entries"]
        if len(entries) == 2:
            break
        await asyncio.sleep(0.1)
    # the cancelled request is in the history with the call it paid for, not counted
    done, cancelled = sorted(entries, key=lambda e: bool(e.get("cancelled")))
    assert done["requestId"] == res["requestId"] and "cancelled" not in done
    assert cancelled["cancelled"] is True and cancelled["costUsd"] is None
    assert [(a["model"], a["counted"]) for a in cancelled["attempts"]] == [("cheap", False)]
    # the cancelled request taught nothing: cheap has one observed failure, strong one pass
    nxt = await run(client, ROUTE, route_arg(target, instruction="Fix add"))
    why = nxt["why"]
    cheap = next(line for line in why.splitlines() if line.startswith("| cheap |"))
    assert "0 of 1" in cheap, cheap


# ----------------------------------------------------------------------------- settings
async def test_settings_of_the_wrong_type_are_named(fake, home, tmp_path):
    root = tmp_path / "proj"
    target = make_project(root)
    init = settings(fake.base_url, testCommand=5, requestTimeoutSeconds="soon", shareFailures="no")
    client = await start(home, init, root)
    try:
        await until(lambda: len(client.messages) >= 3, 20)
        shown = " ".join(m.message for m in client.messages)
        for key in ("testCommand", "requestTimeoutSeconds", "shareFailures"):
            assert f"acrouter.{key}" in shown, shown
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"acrouter": {"models": "gpt-4o"}})
        )
        await until(lambda: "acrouter.models" in " ".join(m.message for m in client.messages), 20)
        with pytest.raises(JsonRpcException, match="acrouter.models"):
            await run(client, ROUTE, route_arg(target))
    finally:
        await client.shutdown_session()


async def test_a_settings_change_mid_request_applies_to_the_next_one(lsp, fake):
    client, target, _ = lsp
    fake.behaviours["cheap-m"] = Behaviour(
        reply="```python\ndef add(a, b):\n    return a * b\n```", delay_s=3
    )
    fut = asyncio.ensure_future(run(client, ROUTE, route_arg(target)))
    await until(lambda: fake.chat_requests("cheap-m"))
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=settings(fake.base_url, maxAttempts=1))
    )
    res = await fut
    assert [x["model"] for x in res["attempts"]] == ["cheap", "strong"] and res["verified"]
    one = await run(client, ROUTE, route_arg(target, instruction="Fix add, please"))
    assert len(one["attempts"]) == 1


# ----------------------------------------------------------------------------- shutdown
SLOW_TEST = (
    "import time\n\nfrom calc import add\n\n\n"
    "def test_slow():\n    if add(1, 1) == 2:\n        time.sleep(120)\n"
)


def scratch_of(pid: int) -> list[str]:
    found = []
    for parent in ("/dev/shm", os.environ.get("TMPDIR", "/tmp")):
        try:
            found += [n for n in os.listdir(parent) if n.startswith(f"acrouter-verify-{pid}-")]
        except OSError:
            pass
    return found


def processes_under(folder: Path) -> list[str]:
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(folder) in cmd:
            out.append(f"{pid}: {cmd}")
    return out


async def test_shutdown_while_the_tests_run_leaves_nothing_behind(fake, home, tmp_path):
    root = tmp_path / "proj"
    target = make_project(root)
    (root / "tests" / "test_slow.py").write_text(SLOW_TEST)  # sleeps once add is right
    client = await start(home, settings(fake.base_url, testTimeoutSeconds=300), root)
    pid = client._server.pid  # type: ignore[union-attr]
    fut = asyncio.ensure_future(run(client, ROUTE, route_arg(target), timeout=300))
    await until(lambda: fake.chat_requests("strong-m"), 120)
    await asyncio.sleep(3)  # strong's edit is under test (sleeping)
    assert scratch_of(pid), "a scratch copy exists while the tests run"
    await asyncio.wait_for(client.shutdown_session(), 30)
    fut.cancel()
    await until(lambda: not os.path.exists(f"/proc/{pid}"), 10)
    await asyncio.sleep(1)
    assert scratch_of(pid) == []
    assert processes_under(tmp_path) == []


# ----------------------------------------------------------------------------- more editor states
async def test_a_crlf_buffer_gets_an_edit_that_keeps_its_line_ends(lsp):
    client, target, _ = lsp
    crlf = BUGGY.replace("\n", "\r\n")
    open_doc(client, target, crlf, version=2)
    res = await run(client, ROUTE, route_arg(target))
    assert res["verified"], res["why"]
    (change,) = res["edit"]["documentChanges"]
    new = apply_text_edits(crlf, change["edits"])
    assert new.replace("\r\n", "\n") == BUGGY.replace("a - b", "a + b")
    assert "\n" not in new.replace("\r\n", ""), repr(new)  # no bare LF mixed in


def close_doc(client: LanguageClient, path: Path) -> None:
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=path.as_uri())
        )
    )


CLOSED_UNSAVED = (
    "calc.py was closed after the request was sent, and the file on disk does not hold "
    "the text the edit was made from; nothing was applied"
)


@pytest.mark.parametrize(
    ("saved", "reopened", "failure", "pinned"),
    [
        # said as it happened: closed with what the request read, not "edited"
        (False, None, CLOSED_UNSAVED, None),
        # the disk's text opened again: the unsaved lines are gone
        (False, BUGGY, "calc.py was edited since the request was made; nothing was applied", None),
        # saved, then closed (or closed and opened again, its versions numbered afresh): the
        # file still holds what the request read, so the edit goes ahead, pinned to the
        # document as it is now (the editor would refuse the version closed)
        (True, None, None, None),
        (True, "# unsaved\n" + BUGGY, None, 1),
    ],
    ids=["closed-unsaved", "closed-unsaved-reopened", "saved-closed", "saved-reopened"],
)
async def test_apply_after_the_buffer_was_closed_mid_request(
    lsp, fake, saved, reopened, failure, pinned
):
    client, target, _ = lsp
    edited = "# unsaved\n" + BUGGY
    open_doc(client, target, edited, version=4)
    applied = record_apply(client)
    fake.behaviours["strong-m"] = Behaviour(
        reply="```python\ndef add(a, b):\n    return a + b\n```", delay_s=3
    )
    rng = {"start": {"line": 1, "character": 0}, "end": {"line": 3, "character": 0}}
    fut = asyncio.ensure_future(run(client, ROUTE, route_arg(target, range=rng, apply=True)))
    await until(lambda: fake.chat_requests("strong-m"))
    if saved:
        target.write_text(edited)
    close_doc(client, target)
    if reopened is not None:
        open_doc(client, target, reopened, version=1)
    res = await fut
    assert res["verified"], res["why"]
    if failure is not None:
        assert res["applied"] is False and applied == []
        assert res["applyFailure"] == failure
        assert target.read_text() == BUGGY
        return
    assert res["applied"] is True, res.get("applyFailure")
    (params,) = applied
    (change,) = params.edit.document_changes
    assert change.text_document.version == pinned
    assert res["edit"]["documentChanges"][0]["textDocument"]["version"] == 4  # as sent


async def test_two_requests_at_once_on_the_same_file_both_verify(lsp, fake):
    client, target, _ = lsp
    a = asyncio.ensure_future(run(client, ROUTE, route_arg(target)))
    b = asyncio.ensure_future(run(client, ROUTE, route_arg(target, instruction="Fix add now")))
    ra, rb = await asyncio.gather(a, b)
    for r in (ra, rb):
        assert r["verified"] and r["finalModel"] == "strong", r["why"]
        assert [x["verdict"] for x in r["attempts"]] == ["fail", "pass"], r["attempts"]
        (change,) = r["edit"]["documentChanges"]
        assert apply_text_edits(BUGGY, change["edits"]) == BUGGY.replace("a - b", "a + b")
    entries = (await run(client, "acrouter.server.history", {}))["entries"]
    assert sorted(e["requestId"] for e in entries) == sorted([ra["requestId"], rb["requestId"]])
    assert target.read_text() == BUGGY


async def test_the_editor_going_away_mid_request_leaves_nothing_behind(fake, home, tmp_path):
    """The editor's process ends (a window reload, a crash) while a test run is under
    way: the server sees its stdin close and must end without leaving anything."""
    root = tmp_path / "proj"
    target = make_project(root)
    (root / "tests" / "test_slow.py").write_text(SLOW_TEST)
    client = await start(home, settings(fake.base_url, testTimeoutSeconds=300), root)
    server = client._server  # type: ignore[attr-defined]
    fut = asyncio.ensure_future(run(client, ROUTE, route_arg(target), timeout=300))
    await until(lambda: fake.chat_requests("strong-m"), 120)
    await asyncio.sleep(3)
    assert scratch_of(server.pid)
    server.stdin.close()  # no shutdown, no exit: the pipe just closes
    try:
        await asyncio.wait_for(server.wait(), 30)
    finally:
        fut.cancel()
        if server.returncode is None:
            server.kill()
        await client.stop()
    await asyncio.sleep(1)
    assert scratch_of(server.pid) == []
    assert processes_under(tmp_path) == []


async def test_an_unsaved_buffer_in_a_folder_whose_uri_is_percent_encoded(fake, home, tmp_path):
    """pygls keeps open documents under the unquoted URI: the request's URI (quoted, as
    every client sends a path with a space) must still find the buffer, not the disk."""
    root = tmp_path / "my proj (ü) #1"
    target = make_project(root)
    client = await start(home, settings(fake.base_url), root)
    try:
        uri = target.as_uri()
        assert "%20" in uri and "%23" in uri
        buffer = "# unsaved\n" + BUGGY
        open_doc(client, target, buffer, version=6)
        rng = {"start": {"line": 1, "character": 0}, "end": {"line": 3, "character": 0}}
        res = await run(client, ROUTE, route_arg(target, range=rng))
        assert res["verified"], res["why"]
        (change,) = res["edit"]["documentChanges"]
        assert change["textDocument"] == {"uri": uri, "version": 6}
        assert apply_text_edits(buffer, change["edits"]) == buffer.replace("a - b", "a + b")
        assert res["baseDigests"] == {uri: base_digest(buffer)}
        assert target.read_text() == BUGGY
    finally:
        await client.shutdown_session()


NOTES = "NOTE = 1\n"
#: a reply changing calc.py and notes.py
TWO_FILES = (
    SR_FIX + "\n\nnotes.py\n```python\n<<<<<<< SEARCH\nNOTE = 1\n=======\nNOTE = 2\n"
    ">>>>>>> REPLACE\n```"
)


async def test_a_folder_opened_through_a_symlink_gets_edits_of_the_files_as_it_names_them(
    fake, home, tmp_path
):
    """The workspace folder is a symbolic link (~/proj -> /data/proj): the editor has its
    files open under the link's path.  The edit of the other file was addressed to the
    resolved path, so the server's own check did not see what the user typed there while
    the request ran (it applied), nor would the extension's, and the editor would open a
    second copy of the file for the edit."""
    real = tmp_path / "data" / "proj"
    make_project(real)
    (real / "notes.py").write_text(NOTES)
    link = tmp_path / "proj"
    link.symlink_to(real)
    target, notes = link / "calc.py", link / "notes.py"
    client = await start(home, settings(fake.base_url), link)
    try:
        applied = record_apply(client)
        fake.behaviours["cheap-m"] = Behaviour(reply=TWO_FILES, delay_s=3)
        open_doc(client, target, BUGGY, version=1)
        open_doc(client, notes, NOTES, version=1)
        arg = route_arg(target, apply=True)
        del arg["range"]
        fut = asyncio.ensure_future(run(client, ROUTE, arg))
        await until(lambda: fake.chat_requests("cheap-m"))
        change_doc(client, notes, "# typed while the request ran\n" + NOTES, version=2)
        res = await fut
        assert res["verified"] and res["finalModel"] == "cheap", res["why"]
        uris = [c["textDocument"]["uri"] for c in res["edit"]["documentChanges"]]
        assert uris == [target.as_uri(), notes.as_uri()]
        assert set(res["baseDigests"]) == set(uris)
        assert res["applied"] is False and applied == []
        assert res["applyFailure"].startswith("notes.py was edited in the editor since")
        # the files changed since the tests ran are named as the editor names them too
        (real / "tests" / "test_calc.py").write_text(
            (real / "tests" / "test_calc.py").read_text() + "\n"
        )
        got = await run(client, "acrouter.server.changedSince", {"requestId": res["requestId"]})
        assert sorted(c["uri"] for c in got["changes"]) == [
            notes.as_uri(),  # edited, not saved
            (link / "tests" / "test_calc.py").as_uri(),
        ]
        assert (real / "notes.py").read_text() == NOTES and (real / "calc.py").read_text() == BUGGY
    finally:
        await client.shutdown_session()


#: calc.py in cp1252 (declared), with a string the tests check: the editor shows it right
CP1252 = '# -*- coding: cp1252 -*-\ndef add(a, b):\n    return a - b\n\n\ndef greet():\n    return "café"\n'


@pytest.mark.parametrize("shown", ["cp1252", "utf-8 with replacements"])
async def test_an_open_file_that_is_not_utf8_on_disk_is_refused_before_any_model(lsp, fake, shown):
    """The editor sends an open file's text decoded, whatever its encoding (as cp1252 when
    it guessed or was told so, else as UTF-8 with U+FFFD for the bytes that are not).  The
    verifier writes the edit as UTF-8: the tests ran on other bytes than the editor saves
    (both models' right fix of add "broke" test_greet, 'cafÃ©' != 'café', counted against
    them).  Refused as the same file closed is, before any model is called."""
    client, target, root = lsp
    data = CP1252.encode("cp1252")
    target.write_bytes(data)
    (root / "tests" / "test_greet.py").write_text(
        'from calc import greet\n\n\ndef test_greet():\n    assert greet() == "caf\\u00e9"\n'
    )
    text = CP1252 if shown == "cp1252" else data.decode("utf-8", errors="replace")
    open_doc(client, target, text, version=1)
    rng = {"start": {"line": 1, "character": 0}, "end": {"line": 3, "character": 0}}
    with pytest.raises(JsonRpcException, match="calc.py is not UTF-8 text on disk"):
        await run(client, ROUTE, route_arg(target, range=rng))
    assert fake.chat_requests() == []  # no model was called, nothing paid or learned
    assert (await run(client, "acrouter.server.history", {}))["entries"] == []
    assert target.read_bytes() == data
