"""End-to-end: `acrouter serve` as a subprocess, driven over LSP by pytest-lsp, with the
real litellm path talking to a fake OpenAI-compatible server on 127.0.0.1 and the real
verifier running the sample project's tests in the sandbox."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import acrouter
import pytest
from acrouter.lsp.freshness import base_digest
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcRequestCancelled
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.fakes.calc_project import BUGGY, CALC13, ONLY_ADD, RIGHT, SR_FIX, WRONG, make_project
from tests.fakes.openai_server import Behaviour
from tests.verifier.helpers import venv_with_pytest

SENTINEL = "sk-SENTINEL-do-not-leak-4242"
REPO = Path(__file__).resolve().parents[2]


def settings(base_url: str, **over: Any) -> dict[str, Any]:
    s = {
        "models": [
            # the benchmark prior ranks "cheap" first on bug fixing (claude-opus-4-6 prior)
            {
                "name": "cheap",
                "model": "openai/cheap-m",
                "apiBase": base_url,
                "apiKeyEnv": "CHEAP_KEY",
                "benchmarkModel": "claude-opus-4-6",
                "inputCostPer1M": 0.1,
                "outputCostPer1M": 0.2,
            },
            {
                "name": "strong",
                "model": "openai/strong-m",
                "apiBase": base_url,
                "apiKeyEnv": "STRONG_KEY",
                "benchmarkModel": "MiniMax-M2.7",
                "inputCostPer1M": 1.0,
                "outputCostPer1M": 2.0,
            },
        ],
        "testCommand": f"{sys.executable} -m pytest -q -p no:cacheprovider",
        "maxAttempts": 3,
        "testTimeoutSeconds": 60,
        "requestTimeoutSeconds": 60,  # generous: a loaded machine; no test here times out
    }
    s.update(over)
    return {"acrouter": s}


async def start(
    home: Path, init: dict[str, Any], root: Path, position_encodings: list[str] | None = None
) -> LanguageClient:
    client, _ = await start_session(home, init, root, position_encodings)
    return client


async def start_session(
    home: Path,
    init: dict[str, Any],
    root: Path | None,
    position_encodings: list[str] | None = None,
    folders: list[Path] | None = None,
    pull_configuration: bool = True,
    log_level: str | None = "DEBUG",
    pythonpath: Sequence[Path] = (),
) -> tuple[LanguageClient, types.InitializeResult]:
    """The real server over stdio, initialised with ``root`` as its one workspace folder
    ("proj"), or with ``folders`` (none: a file outside every folder); VS Code's client
    capabilities (``pull_configuration``: False, without workspace/configuration).
    ``log_level``: ACROUTER_LOG_LEVEL (None: unset, as the extension starts it);
    ``pythonpath``: more folders on the server's PYTHONPATH (the tests inherit it)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "ACROUTER_HOME": str(home),
        "CHEAP_KEY": SENTINEL,
        "STRONG_KEY": SENTINEL,
        "PYTHONPATH": os.pathsep.join(map(str, [REPO / "server", *pythonpath])),
    }
    if log_level is not None:
        env["ACROUTER_LOG_LEVEL"] = log_level
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "acrouter", "serve"], server_env=env
    )
    client = await config.start()
    caps = client_capabilities("visual-studio-code")
    if position_encodings is not None:
        caps.general = types.GeneralClientCapabilities(position_encodings=position_encodings)
    if not pull_configuration and caps.workspace is not None:
        caps.workspace.configuration = False
    if folders is None:
        assert root is not None
        ws = [types.WorkspaceFolder(uri=root.as_uri(), name="proj")]
    else:
        ws = [types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders]
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            initialization_options=init,
            workspace_folders=ws,
            root_uri=ws[0].uri if ws else None,
        )
    )
    return client, result


async def run(client: LanguageClient, command: str, arg: Any, timeout: float = 120) -> Any:
    params = types.ExecuteCommandParams(command=command, arguments=[arg] if arg is not None else [])
    return await asyncio.wait_for(client.workspace_execute_command_async(params), timeout)


def route_arg(target: Path, **over: Any) -> dict[str, Any]:
    arg = {
        "textDocument": {"uri": target.as_uri()},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 2, "character": 0}},
        "instruction": "Fix the bug in add",
    }
    arg.update(over)
    return arg


def utf16_units(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def apply_text_edits(text: str, edits: list[dict[str, Any]], encoding: str = "utf-16") -> str:
    """Apply LSP text edits the way an editor does: characters in ``encoding`` code units."""
    lines = text.splitlines(keepends=True)
    codec = {"utf-16": "utf-16-le", "utf-8": "utf-8", "utf-32": "utf-32-le"}[encoding]
    width = {"utf-16": 2, "utf-8": 1, "utf-32": 4}[encoding]

    def off(p: dict[str, int]) -> int:
        line = lines[p["line"]] if p["line"] < len(lines) else ""
        chars = line.encode(codec)[: p["character"] * width].decode(codec)
        return sum(len(x) for x in lines[: p["line"]]) + len(chars)

    for e in sorted(edits, key=lambda e: off(e["range"]["start"]), reverse=True):
        a, b = off(e["range"]["start"]), off(e["range"]["end"])
        text = text[:a] + e["newText"] + text[b:]
    return text


async def test_initialize_reports_the_server_version(fake, home, tmp_path):
    """The extension's version handshake compares InitializeResult.serverInfo.version with its own."""
    root = tmp_path / "proj"
    make_project(root)
    client, result = await start_session(home, settings(fake.base_url), root)
    try:
        assert result.server_info == types.ServerInfo(name="acrouter", version=acrouter.__version__)
    finally:
        await client.shutdown_session()


async def test_route_escalates_verifies_and_remembers(lsp, fake, home):
    client, target, _root = lsp
    before = target.read_bytes()
    res = await run(client, "acrouter.server.routeAndComplete", route_arg(target))
    assert res["kind"] == "bug_fixing"
    assert res["verified"] is True, res["why"]
    assert res["finalModel"] == "strong"
    assert [a["model"] for a in res["attempts"]] == ["cheap", "strong"]
    assert res["attempts"][0]["verdict"] == "fail"
    assert res["attempts"][1]["verdict"] == "pass"
    assert res["attempts"][1]["testsPassed"] == 2 and res["attempts"][1]["testsFailed"] == 0
    assert res["costUsd"] is not None and res["costUsd"] > 0
    assert "cheap" in res["why"] and "strong" in res["why"]
    # the server never touches the file; the edit makes the tests pass when applied
    assert target.read_bytes() == before
    changes = res["edit"]["documentChanges"]
    assert len(changes) == 1 and changes[0]["textDocument"]["uri"] == target.as_uri()
    new = apply_text_edits(BUGGY, changes[0]["edits"])
    assert new == "def add(a, b):\n    return a + b\n"
    # what the file held when the edit was made: the client checks it before applying
    assert res["baseDigests"] == {target.as_uri(): base_digest(BUGGY)}
    # the models were called with the key from the env var named in settings
    auth = [r.headers.get("authorization") for r in fake.chat_requests()]
    assert auth and all(a == f"Bearer {SENTINEL}" for a in auth)

    hist = await run(client, "acrouter.server.history", {"limit": 5})
    assert hist["entries"][0]["requestId"] == res["requestId"]
    assert hist["entries"][0]["instruction"] == "Fix the bug in add"
    assert hist["entries"][0]["finalModel"] == "strong"
    assert "edit" not in hist["entries"][0]
    why = await run(client, "acrouter.server.explain", {"requestId": res["requestId"]})
    assert why["why"] == res["why"]

    # two more: then personal memory beats the prior and "strong" goes first
    for _ in range(2):
        r = await run(client, "acrouter.server.routeAndComplete", route_arg(target))
        assert r["verified"] and r["finalModel"] == "strong"
    fourth = await run(client, "acrouter.server.routeAndComplete", route_arg(target))
    assert fourth["attempts"][0]["model"] == "strong"
    assert "observed" in fourth["why"]

    # reset: needs confirm; then memory is empty and the prior's choice comes back
    with pytest.raises(JsonRpcException, match="confirm"):
        await run(client, "acrouter.server.resetMemory", {})
    assert len((await run(client, "acrouter.server.history", {}))["entries"]) == 4
    removed = await run(client, "acrouter.server.resetMemory", {"confirm": True})
    assert removed["removed"] == 4
    assert (await run(client, "acrouter.server.history", {}))["entries"] == []
    again = await run(client, "acrouter.server.routeAndComplete", route_arg(target))
    assert again["attempts"][0]["model"] == "cheap"

    # the sentinel key is nowhere: results, memory file, log messages
    mem = (home / "memory.json").read_text()
    assert SENTINEL not in mem
    assert SENTINEL not in json.dumps([res, hist, why, fourth, again])
    assert all(SENTINEL not in m.message for m in client.log_messages)


@pytest.mark.parametrize(
    "behaviour,expect,counted",
    [
        (Behaviour(status=401), "auth", False),  # a rejected key is the set-up's fault
        # the provider's passing trouble: not counted, the model cools down
        (Behaviour(status=429, retry_after=0.2), "rate", False),
        (Behaviour(status=500), "provider error 500", False),
        (Behaviour(garbage=True), "reply", True),
    ],
    ids=["401", "429", "500", "garbage"],
)
async def test_provider_failures_escalate(lsp, fake, behaviour, expect, counted):
    client, target, _ = lsp
    fake.behaviours["cheap-m"] = behaviour
    res = await run(client, "acrouter.server.routeAndComplete", route_arg(target))
    first = res["attempts"][0]
    assert first["model"] == "cheap"
    assert first["verdict"] == "error"
    assert expect in first["detail"].lower(), first["detail"]
    assert first["counted"] is counted and res["attempts"][1]["counted"] is True
    assert res["finalModel"] == "strong" and res["verified"]
    assert "entries" in await run(client, "acrouter.server.history", {"limit": 1})  # still up


async def test_every_model_cooling_down_is_refused_naming_when_each_is_usable(lsp, fake):
    """The language server keeps the cooldowns of its requests: after both models failed
    on the provider's passing trouble, the next request is refused with when each model
    is usable again, and no model is called."""
    client, target, _ = lsp
    fake.behaviours["cheap-m"] = Behaviour(status=503)
    fake.behaviours["strong-m"] = Behaviour(status=429, retry_after=40)
    res = await run(client, "acrouter.server.routeAndComplete", route_arg(target))
    assert [(a["model"], a["counted"]) for a in res["attempts"]] == [
        ("cheap", False),
        ("strong", False),
    ]
    assert "**Cooling down**" in res["why"] and "(provider asks to wait 40 s)" in res["why"]
    calls = len(fake.chat_requests())
    with pytest.raises(JsonRpcException) as refused:
        await run(client, "acrouter.server.routeAndComplete", route_arg(target))
    message = str(refused.value)
    assert "every configured model is cooling down" in message
    assert "cheap: provider error 503 Service Unavailable at " in message
    assert "strong: rate limited at " in message and message.count("usable again at ") == 2
    assert len(fake.chat_requests()) == calls


EMOJI_BUGGY = 'ICON = "😋"; add = lambda a, b: a - b\n'


@pytest.mark.parametrize(
    "encoding",
    [None, "utf-8", "utf-32"],
    ids=["utf-16-default", "utf-8-negotiated", "utf-32-negotiated"],
)
async def test_a_selection_after_an_emoji_is_read_and_edited_in_client_units(
    fake, home, tmp_path, encoding
):
    root = tmp_path / "proj"
    target = make_project(root)
    target.write_text(EMOJI_BUGGY, encoding="utf-8")
    fake.behaviours["cheap-m"] = Behaviour(reply="```python\nadd = lambda a, b: a + b\n```")
    line = EMOJI_BUGGY.rstrip("\n")
    enc = encoding or "utf-16"
    width = {"utf-16": utf16_units, "utf-8": lambda s: len(s.encode("utf-8")), "utf-32": len}[enc]
    rng = {
        "start": {"line": 0, "character": width(line[: line.index("add")])},
        "end": {"line": 0, "character": width(line)},
    }  # UTF-16: one past the code point count
    client = await start(home, settings(fake.base_url), root, [encoding] if encoding else None)
    try:
        res = await run(client, "acrouter.server.routeAndComplete", route_arg(target, range=rng))
        assert res["verified"] is True, res["why"]
        (change,) = res["edit"]["documentChanges"]
        assert change["edits"][0]["range"] == rng
        assert (
            apply_text_edits(EMOJI_BUGGY, change["edits"], enc)
            == 'ICON = "😋"; add = lambda a, b: a + b\n'
        )
    finally:
        await client.shutdown_session()


def ranking_row(why: str, model: str) -> str:
    """The row of ``model`` in a why's ranking table."""
    return next(line for line in why.splitlines() if line.startswith(f"| {model} |"))


async def test_a_gateway_rejecting_the_key_is_shown_and_not_learned(lsp, fake):
    """Issue 14: one wrong gateway key must not move the model's expected score."""
    client, target, _ = lsp
    fake.behaviours["cheap-m"] = Behaviour(proxy_error="no_db")  # a LiteLLM proxy without a db
    res = await run(client, "acrouter.server.routeAndComplete", route_arg(target))
    first, second = res["attempts"]
    assert (first["model"], first["verdict"], first["counted"]) == ("cheap", "error", False)
    assert first["detail"] == "auth: the gateway rejected the key (400: No connected db.)"
    assert (second["model"], second["verdict"], second["counted"]) == ("strong", "pass", True)
    assert res["verified"] and res["finalModel"] == "strong"
    assert (
        "not held against cheap: the gateway rejected the key (400: No connected db.)" in res["why"]
    )
    hist = await run(client, "acrouter.server.history", {"limit": 5})
    assert [[a["counted"] for a in e["attempts"]] for e in hist["entries"]] == [[False, True]]
    # the next request: cheap's evidence holds no observation of its own, so its failure
    # was not learned.  (Its expected score may still move: strong's counted pass, which
    # the benchmark prior says is rare, lowers the prior's weight in this workspace,
    # policy/calibration.py.)
    again = await run(client, "acrouter.server.routeAndComplete", route_arg(target))
    assert "observed on this workspace" not in ranking_row(again["why"], "cheap")
    assert "observed on this workspace: 1 of 1 passed" in ranking_row(again["why"], "strong")
    assert all(not a["counted"] for a in again["attempts"] if a["model"] == "cheap")


async def test_malformed_arguments_are_lsp_errors(lsp, tmp_path):
    client, target, _ = lsp
    bad = [
        {"instruction": "x"},  # no document
        route_arg(
            target,
            range={"start": {"line": 50, "character": 0}, "end": {"line": 51, "character": 0}},
        ),
        route_arg(target, textDocument={"uri": "untitled:Untitled-1"}),
        route_arg(target, instruction=""),
        route_arg(target, apply="false"),  # typed arguments are strict: no "false" -> True
        route_arg(target, python="python3"),  # the editor's Python: an absolute path
        route_arg(target, python=3),
        "not an object",
    ]
    for arg in bad:
        with pytest.raises(JsonRpcException) as info:
            await run(client, "acrouter.server.routeAndComplete", arg)
        assert info.value.code == -32602 and str(info.value), arg  # Invalid Params, with a message
    with pytest.raises(JsonRpcException, match="limit must be a positive integer"):
        await run(client, "acrouter.server.history", {"limit": 0})
    with pytest.raises(JsonRpcException, match="requestId must be a string"):
        await run(client, "acrouter.server.explain", {"requestId": 7})
    assert "entries" in await run(client, "acrouter.server.history", {})


async def test_progress_goes_to_the_clients_work_done_token(lsp):
    client, target, _ = lsp
    client.progress_reports["route-progress"] = []  # the token the request carries
    params = types.ExecuteCommandParams(
        command="acrouter.server.routeAndComplete",
        arguments=[route_arg(target)],
        work_done_token="route-progress",
    )
    res = await asyncio.wait_for(client.workspace_execute_command_async(params), 120)
    assert res["verified"]
    reports = client.progress_reports["route-progress"]
    assert isinstance(reports[0], types.WorkDoneProgressBegin) and isinstance(
        reports[-1], types.WorkDoneProgressEnd
    )
    assert any(
        isinstance(r, types.WorkDoneProgressReport) and "strong" in (r.message or "")
        for r in reports
    )
    # no window/workDoneProgress/create: the client's token was used, no other was made
    assert list(client.progress_reports) == ["route-progress"]


async def test_cancel_stops_the_call_and_records_the_spend_not_the_cancel(lsp, fake):
    client, target, _ = lsp
    fake.behaviours["cheap-m"] = Behaviour(reply=WRONG, delay_s=20)
    params = types.ExecuteCommandParams(
        command="acrouter.server.routeAndComplete", arguments=[route_arg(target)]
    )
    fut = asyncio.ensure_future(
        client.protocol.send_request_async(
            "workspace/executeCommand", params, msg_id="route-to-cancel"
        )
    )
    for _ in range(600):  # wait until the model call is in flight (first call imports litellm)
        await asyncio.sleep(0.1)
        if fake.chat_requests("cheap-m"):
            break
    assert fake.chat_requests("cheap-m")
    told = client.protocol.wait_for_notification("acrouter/historyChanged")
    client.protocol.notify("$/cancelRequest", types.CancelParams(id="route-to-cancel"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(fut, 10)
    assert fake.delays_done == []  # the request ended before the model's (20 s) reply
    # the worker stops and records the call it was paying for: its cost unknown (the
    # provider may bill it), not counted against cheap, and no edit; the client is told
    # when it is recorded (the cancel was answered before)
    await asyncio.wait_for(asyncio.wrap_future(told), 20)
    [entry] = (await run(client, "acrouter.server.history", {}))["entries"]
    assert entry["cancelled"] is True and entry["finalModel"] is None
    assert entry["costUsd"] is None and not entry["verified"]
    [attempt] = entry["attempts"]
    assert attempt["model"] == "cheap" and attempt["counted"] is False
    assert "cancelled while cheap was answering" in attempt["detail"]
    assert "cancelled by the user" in entry["why"]


async def test_bad_settings_fall_back_and_warn(fake, home, tmp_path):
    root = tmp_path / "proj"
    target = make_project(root)
    init = settings(fake.base_url, maxAttempts="three", costWeight=-5, sandbox="docker")
    client = await start(home, init, root)
    try:
        res = await run(client, "acrouter.server.routeAndComplete", route_arg(target))
        assert res["verified"]
        shown = [m.message for m in client.messages]
        assert any("maxAttempts" in m for m in shown)
        assert any("costWeight" in m for m in shown)
        assert any("sandbox" in m for m in shown)
        # a later change through didChangeConfiguration is applied too
        client.workspace_did_change_configuration(  # handled before the next request (in order)
            types.DidChangeConfigurationParams(settings=settings(fake.base_url, maxAttempts=1))
        )
        one = await run(
            client,
            "acrouter.server.routeAndComplete",
            route_arg(target, instruction="Fix add, please"),
        )
        assert len(one["attempts"]) == 1
    finally:
        await client.shutdown_session()


async def test_apply_asks_the_client_with_the_document_version(lsp):
    client, target, _ = lsp
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=target.as_uri(), language_id="python", version=7, text=BUGGY
            )
        )
    )
    applied: list[Any] = []

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def on_apply(params: types.ApplyWorkspaceEditParams):
        applied.append(params)
        return types.ApplyWorkspaceEditResult(applied=True)

    res = await run(client, "acrouter.server.routeAndComplete", route_arg(target, apply=True))
    assert res["verified"] and res.get("applied") is True
    assert applied, "the server asked the client to apply the edit"
    change = applied[0].edit.document_changes[0]
    assert change.text_document.version == 7


# ----------------------------------------------------------------------------- issue 10
async def test_file_request_keeps_the_code_and_the_next_model_learns_why(lsp, fake):
    client, target, _root = lsp
    target.write_text(CALC13)
    fake.behaviours["cheap-m"] = Behaviour(reply=ONLY_ADD)
    fake.behaviours["strong-m"] = Behaviour(reply=SR_FIX)
    arg = route_arg(target)
    del arg["range"]
    res = await run(client, "acrouter.server.routeAndComplete", arg)
    assert [a["verdict"] for a in res["attempts"]] == ["fail", "pass"], res["attempts"]
    assert (
        "unusable reply" in res["attempts"][0]["detail"] and "mul" in res["attempts"][0]["detail"]
    )
    assert res["verified"] and res["finalModel"] == "strong"
    new = apply_text_edits(CALC13, res["edit"]["documentChanges"][0]["edits"])
    assert new == CALC13.replace("a - b", "a + b")  # mul, area and the import are all still there
    first, second = fake.prompts("cheap-m")[-1], fake.prompts("strong-m")[-1]
    for prompt in (first, second):
        assert "<<<<<<< SEARCH" in prompt and "def area(r):" in prompt
        assert "Test file tests/test_calc.py" in prompt
        assert (
            "test_add: assert -1 == 5" in prompt
            and "test_zero" not in prompt.split("Before the edit")[1][:200]
        )
    assert "Earlier attempts" not in first and "Attempt 1: fail: unusable reply" in second

    # acrouter.shareFailures = false: the next model starts from the baseline only
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=settings(fake.base_url, shareFailures=False))
    )
    await asyncio.sleep(0.3)
    res = await run(
        client,
        "acrouter.server.routeAndComplete",
        {**arg, "instruction": "Fix the bug in add, please"},
    )
    assert res["verified"]
    strong_prompts = fake.prompts("strong-m")
    assert len(strong_prompts) == 2 and "Earlier attempts" not in strong_prompts[-1]
    assert "test_add: assert -1 == 5" in strong_prompts[-1]


async def test_preflight_refusals_are_lsp_errors_with_the_setting(lsp, fake, tmp_path):
    client, _target, root = lsp
    blob = root / "blob.py"
    blob.write_bytes(b"x = 1\n\x00\x00")
    with pytest.raises(JsonRpcException, match="NUL bytes"):
        await run(client, "acrouter.server.routeAndComplete", route_arg(blob, range=None))
    big = root / "big.py"
    big.write_text("x = 1\n" * 400)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings=settings(fake.base_url, maxFileKilobytes=1))
    )
    await asyncio.sleep(0.3)
    with pytest.raises(JsonRpcException, match="acrouter.maxFileKilobytes"):
        await run(client, "acrouter.server.routeAndComplete", route_arg(big, range=None))
    # a workspace without tests and no acrouter.testCommand
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / ".git").mkdir()
    untested = bare / "m.py"
    untested.write_text("def f():\n    return 1\n")
    no_tc = settings(fake.base_url)
    del no_tc["acrouter"]["testCommand"]
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=no_tc))
    await asyncio.sleep(0.3)
    with pytest.raises(JsonRpcException) as info:
        await run(
            client,
            "acrouter.server.routeAndComplete",
            route_arg(untested, range=None, instruction="fix f"),
        )
    assert "no test command" in str(info.value) and "acrouter.testCommand" in str(info.value)
    # a symbolic link in the workspace to a file outside it: its tests are elsewhere, and
    # an edit would be written there
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    link = root / "linked.py"
    link.symlink_to(elsewhere / "calc.py")
    with pytest.raises(JsonRpcException, match="leads outside the workspace"):
        await run(client, "acrouter.server.routeAndComplete", route_arg(link, range=None))
    assert (elsewhere / "calc.py").read_text() == "def add(a, b):\n    return a - b\n"
    assert fake.chat_requests() == []  # no model was called, nothing paid
    assert (await run(client, "acrouter.server.history", {}))["entries"] == []


async def test_tests_that_cannot_be_collected_before_or_after_the_edit_stop_the_request(lsp, fake):
    """A test file imports a module that does not exist: the request goes on (the edit may
    add it), and stops once an edit leaves the same error; the why says what to do."""
    client, target, root = lsp
    (root / "tests" / "test_const.py").write_text(
        "import calc_constants\n\n\ndef test_five():\n    assert calc_constants.FIVE == 5\n"
    )
    fake.behaviours["cheap-m"] = Behaviour(reply=SR_FIX)  # fixes add, adds no module
    res = await run(client, "acrouter.server.routeAndComplete", route_arg(target))
    [attempt] = res["attempts"]
    assert (attempt["model"], attempt["verdict"], attempt["counted"]) == ("cheap", "error", False)
    assert res["edit"] is None and res["finalModel"] is None
    assert [r.json["model"] for r in fake.chat_requests()] == ["cheap-m"]  # strong not paid
    assert "Stopped: the tests could not run before the edit and still cannot" in res["why"]
    assert "No module named 'calc_constants'" in res["why"]
    assert "No model is at fault here" in res["why"]


PYPROJECT = (
    '[project]\nname = "calc"\ndependencies = [\n    "attrs>=23",\n]\n\n'
    "[tool.ruff]\nline-length = 100\n\n[tool.mypy]\nstrict = true\n"
)


def _sr(path: str, search: str, replace: str, lang: str = "toml") -> str:
    return f"{path}\n```{lang}\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"


async def test_an_edit_of_pyproject_that_drops_a_table_is_refused_and_the_next_kept(lsp, fake):
    """The editor path of the data-file guard: asked to add a dependency, the cheap
    model's block also drops ``[tool.ruff]`` (the tests pass either way: they never read
    ruff's settings); it is an unusable reply, and the strong model's edit is offered."""
    client, target, root = lsp
    target.write_text(BUGGY.replace("a - b", "a + b"))  # (the tests pass before the edit)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(PYPROJECT)
    search = '    "attrs>=23",\n]\n\n[tool.ruff]\nline-length = 100\n'
    fake.behaviours["cheap-m"] = Behaviour(
        reply=_sr("pyproject.toml", search, '    "attrs>=23",\n    "httpx>=0.27",\n]\n')
    )
    fake.behaviours["strong-m"] = Behaviour(
        reply=_sr(
            "pyproject.toml",
            search,
            search.replace('"attrs>=23",\n', '"attrs>=23",\n    "httpx>=0.27",\n'),
        )
    )
    arg = route_arg(pyproject, instruction="Add httpx to the dependencies")
    del arg["range"]
    res = await run(client, "acrouter.server.routeAndComplete", arg)
    assert [a["verdict"] for a in res["attempts"]] == ["fail", "pass"], res["attempts"]
    assert res["attempts"][0]["detail"] == (
        "unusable reply: the edit would delete 1 key(s) or list item(s) of pyproject.toml "
        "that the instruction did not ask to remove: tool.ruff"
    )
    assert res["verified"] and res["finalModel"] == "strong"
    new = apply_text_edits(PYPROJECT, res["edit"]["documentChanges"][0]["edits"])
    assert '"httpx>=0.27"' in new and "[tool.ruff]\nline-length = 100" in new


README_MD = (
    "# calc\n\n## Install\n\nRun `pip install calc`. Teh package needs Python 3.9.\n\n"
    "## Security\n\nReport vulnerabilities to security@example.com.\n\n## License\n\nMIT\n"
)


async def test_a_readme_edit_that_drops_a_section_is_refused_and_the_next_kept(lsp, fake):
    """The editor path of the document guard: asked to fix a typo in the README, the
    cheap model's block also drops the Security section, which no test reads; it is an
    unusable reply, and the strong model's edit, the typo alone, is offered."""
    client, target, root = lsp
    target.write_text(BUGGY.replace("a - b", "a + b"))  # (the tests pass before the edit)
    readme = root / "README.md"
    readme.write_text(README_MD)
    search = (
        "Run `pip install calc`. Teh package needs Python 3.9.\n\n## Security\n\n"
        "Report vulnerabilities to security@example.com.\n"
    )
    fixed = "Run `pip install calc`. The package needs Python 3.9.\n"

    def sr(replace: str) -> str:
        block = f"<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n"
        return f"README.md\n```markdown\n{block}```\n"

    fake.behaviours["cheap-m"] = Behaviour(reply=sr(fixed))
    fake.behaviours["strong-m"] = Behaviour(reply=sr(search.replace("Teh", "The")))
    arg = route_arg(readme, instruction="Fix the typo in the install section")
    del arg["range"]
    res = await run(client, "acrouter.server.routeAndComplete", arg)
    assert [a["verdict"] for a in res["attempts"]] == ["fail", "pass"], res["attempts"]
    assert res["attempts"][0]["detail"] == (
        "unusable reply: the edit would delete 1 section(s) of README.md that the "
        "instruction did not ask to remove: Security"
    )
    assert res["verified"] and res["finalModel"] == "strong"
    new = apply_text_edits(README_MD, res["edit"]["documentChanges"][0]["edits"])
    assert new == README_MD.replace("Teh", "The")


async def test_a_body_elided_with_a_placeholder_is_refused_and_the_next_kept(lsp, fake):
    """The editor path of the placeholder guard: asked to fix ``add``, the cheap model's
    block writes ``describe``'s body, which no test calls, as ``# ... existing code ...``
    and ``pass``: the tests pass, and it was offered as verified.  Now it is an unusable
    reply, and the strong model's edit is offered."""
    client, target, _ = lsp
    describe = '\n\ndef describe(a, b):\n    total = add(a, b)\n    return f"{a} + {b} = {total}"\n'
    target.write_text(BUGGY + describe)
    search = BUGGY + describe
    fixed = search.replace("a - b", "a + b")
    lazy = fixed.replace(
        '    total = add(a, b)\n    return f"{a} + {b} = {total}"\n',
        "    # ... existing code ...\n    pass\n",
    )
    fake.behaviours["cheap-m"] = Behaviour(reply=_sr("calc.py", search, lazy, "python"))
    fake.behaviours["strong-m"] = Behaviour(reply=_sr("calc.py", search, fixed, "python"))
    arg = route_arg(target, instruction="Fix the bug in add")
    del arg["range"]
    res = await run(client, "acrouter.server.routeAndComplete", arg)
    assert [a["verdict"] for a in res["attempts"]] == ["fail", "pass"], res["attempts"]
    assert res["attempts"][0]["detail"] == (
        "unusable reply: the edit would replace code of calc.py with a placeholder the "
        "instruction did not ask for, deleting that code: line 6 '# ... existing code ...' "
        "where 2 line(s) of code were; the body of describe (line 5) cut to pass; write the "
        "code out in full"
    )
    assert res["verified"] and res["finalModel"] == "strong"
    new = apply_text_edits(search, res["edit"]["documentChanges"][0]["edits"])
    assert new == fixed


async def test_an_edit_that_answers_the_failing_tests_values_fails_and_the_next_is_kept(lsp, fake):
    """The cheap model, shown ``test_add``'s assertion ``add(2, 3) == 5``, writes the
    answer in instead of fixing ``add``: both tests pass, and it was offered as verified,
    though ``add(1, 1)`` is still 0.  Now it fails, counted, and the strong model's fix is
    offered (``verifier.specialcases``)."""
    client, target, _ = lsp
    special = "def add(a, b):\n    if (a, b) == (2, 3):\n        return 5\n    return a - b\n"
    fake.behaviours["cheap-m"] = Behaviour(reply=f"```python\n{special}```")
    fake.behaviours["strong-m"] = Behaviour(reply=RIGHT)
    res = await run(client, "acrouter.server.routeAndComplete", route_arg(target))
    assert [a["verdict"] for a in res["attempts"]] == ["fail", "pass"], res["attempts"]
    assert res["attempts"][0]["detail"].startswith(
        "the edit answers the failing tests' own values instead of fixing the code: add "
        "(calc.py line 2): (a, b) == (2, 3) returns 5, the values of tests/test_calc.py::"
        "test_add; any other input gets the old behaviour"
    ), res["attempts"][0]["detail"]
    assert res["verified"] and res["finalModel"] == "strong"
    assert apply_text_edits(BUGGY, res["edit"]["documentChanges"][0]["edits"]) == BUGGY.replace(
        "-", "+"
    )


async def test_the_editors_python_runs_the_tests_of_a_project_without_a_virtualenv(
    lsp, fake, tmp_path
):
    """The request carries the Python the editor has selected for the workspace (VS
    Code's Python extension: a conda environment, a virtualenv in ``~/.virtualenvs``);
    a project with no virtualenv of its own and no acrouter.testCommand has its tests run
    with it.  Before (and still without it): ``python3 -m pytest``, whose Python lacks
    what the tests import, and the request ended with no edit after a model was paid."""
    client, _target, _root = lsp
    project = tmp_path / "editorpy"
    (project / ".git").mkdir(parents=True)
    target = project / "calc.py"
    target.write_text(BUGGY)
    (project / "tests").mkdir()
    (project / "tests" / "test_calc.py").write_text(
        "import extdep\nfrom calc import add\n\n\n"
        "def test_add():\n    assert add(2, 3) == extdep.FIVE\n\n\n"
        "def test_zero():\n    assert add(0, 0) == 0\n"
    )
    venv = tmp_path / "envs" / "editorpy"
    site = venv_with_pytest(venv)
    (site / "extdep.py").write_text("FIVE = 5\n")  # only the selected environment has it
    # sandbox "none": this stand-in environment finds pytest through a .pth naming this
    # test run's own site-packages, which the sandbox masks where that lies in /tmp (CI's
    # run of the server on Python 3.13); the sandbox mounting a virtualenv the command
    # names is tested in tests/verifier/test_python_tools.py
    no_tc = settings(fake.base_url, sandbox="none")
    del no_tc["acrouter"]["testCommand"]
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=no_tc))
    await asyncio.sleep(0.3)

    without = await run(client, "acrouter.server.routeAndComplete", route_arg(target))
    assert without["verified"] is False
    assert "No module named 'extdep'" in without["why"], without["why"]
    assert "**Tests ran with:** `python3 -m pytest`" in without["why"], without["why"]

    python = str(venv / "bin" / "python")
    res = await run(client, "acrouter.server.routeAndComplete", route_arg(target, python=python))
    assert res["verified"] is True, res["why"]
    assert [a["verdict"] for a in res["attempts"]] == ["fail", "pass"], res["attempts"]
    assert res["attempts"][1]["testsPassed"] == 2
    assert f"**Tests ran with:** `{python} -m pytest`" in res["why"], res["why"]
