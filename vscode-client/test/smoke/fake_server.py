"""A fake ACRouter language server for the extension smoke test.

Speaks the acrouter.server.* command contract with canned answers (no models, no
tests) and reports what it saw (a hash of the API key from its environment, the
initializationOptions, didChangeConfiguration settings, document version and
range) in the `why` of its reply, so the smoke test can check the wiring.
"""
import asyncio
import contextvars
import hashlib
import json
import os
import sys
from pathlib import Path

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.uris import from_fs_path, to_fs_path

# the extension's own version, so that the version handshake lets it route
VERSION = json.loads((Path(__file__).resolve().parents[2] / "package.json").read_text())["version"]
# Like the real server: progress goes to the workDoneToken of the executeCommand request.
WORK_DONE_TOKEN = contextvars.ContextVar("work_done_token", default=None)


class Protocol(LanguageServerProtocol):
    @lsp_method(t.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(self, params):
        WORK_DONE_TOKEN.set(params.work_done_token)
        return (yield from super().lsp_workspace__execute_command(params))


server = LanguageServer("fake-acrouter", VERSION, protocol_cls=Protocol)
state = {"init": None, "config": [], "records": 3, "tested": None}

@server.feature(t.INITIALIZE)
def init(ls, params: t.InitializeParams):
    state["init"] = params.initialization_options

@server.feature(t.WORKSPACE_DID_CHANGE_CONFIGURATION)
def changed(ls, params):
    state["config"].append(params.settings)

def summary(uri_note=""):
    return {"requestId": "req-1", "kind": "bug_fixing", "finalModel": "strong", "verified": True,
            "costUsd": 0.0021, "latencyMs": 1234, "attempts": [
                {"model": "cheap", "verdict": "fail", "costUsd": 0.0004, "latencyMs": 500, "testsPassed": 1, "testsFailed": 1, "detail": "1 failed"},
                {"model": "strong", "verdict": "pass", "costUsd": 0.0017, "latencyMs": 700, "testsPassed": 2, "testsFailed": 0, "detail": ""}],
            "why": "escalated" + uri_note}

@server.command("acrouter.server.routeAndComplete")
async def route(ls: LanguageServer, args: dict):
    uri = args["textDocument"]["uri"]
    doc = ls.workspace.get_text_document(uri)
    token = WORK_DONE_TOKEN.get()
    assert token is not None, "the extension sends a workDoneToken with routeAndComplete"
    ls.work_done_progress.begin(token, t.WorkDoneProgressBegin(title="choosing model"))
    for msg in ["calling cheap", "running tests", "escalating to strong"]:
        await asyncio.sleep(0.05)
        ls.work_done_progress.report(token, t.WorkDoneProgressReport(message=msg))
    if args["instruction"] == "slow":
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            print("FAKE SERVER: slow request cancelled", file=sys.stderr, flush=True)
            raise
    ls.work_done_progress.end(token, t.WorkDoneProgressEnd())
    env_note = json.dumps({
        "envKey": hashlib.sha256(os.environ.get("SMOKE_API_KEY","").encode()).hexdigest()[:12],
        "init": state["init"], "config": state["config"], "docVersion": doc.version, "range": args.get("range"),
    })
    r = summary(" " + env_note)
    r["edit"] = {"documentChanges": [{"textDocument": {"uri": uri, "version": doc.version},
                  "edits": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 3}}, "newText": "DEF"}]}]}
    if args["instruction"] in ("two files", "new file"):
        # like the real server: another file replaced whole, and per file the digest of
        # what the edit was made from (the client refuses the edit if a file changed since)
        other = Path(to_fs_path(uri)).parent / ("helper.py" if args["instruction"] == "two files" else "new_mod.py")
        base = other.read_text() if other.exists() else None
        r["edit"]["documentChanges"][0]["edits"][0]["newText"] = "def"
        r["edit"]["documentChanges"].append({"textDocument": {"uri": from_fs_path(str(other)), "version": None},
            "edits": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}}, "newText": "def two():\n    return 2\n"}]})
        digest = lambda text: "absent" if text is None else "sha256:" + hashlib.sha256(text.encode()).hexdigest()
        r["baseDigests"] = {uri: digest(doc.source), from_fs_path(str(other)): digest(base)}
    state["tested"] = workspace_now(ls, Path(to_fs_path(uri)).parent)
    if args["instruction"] == "saved while testing":  # a file saved after the tests ran
        (Path(to_fs_path(uri)).parent / "test_a.py").write_text("def test_f():\n    pass\n")
    return r


def workspace_now(ls, root: Path) -> dict:
    """Like the real server's fingerprint: each file's size and mtime, unsaved buffers' texts."""
    files = {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
             for p in root.rglob("*") if p.is_file()}
    for doc in list(ls.workspace.text_documents.values()):
        path = Path(to_fs_path(doc.uri))
        if path.is_file() and root in path.parents and path.read_text() != doc.source:
            files[path.relative_to(root).as_posix()] = ("unsaved", doc.source)
    return {"root": root, "files": files}


@server.command("acrouter.server.changedSince")
def changed_since(ls, args: dict):
    tested = state["tested"]
    if args.get("requestId") != "req-1" or tested is None:
        return {"known": False, "changes": []}
    root, before = tested["root"], tested["files"]
    now = workspace_now(ls, root)["files"]
    changes = []
    for rel in sorted(set(before) | set(now)):
        if before.get(rel) == now.get(rel):
            continue
        how = ("created" if rel not in before else "deleted" if rel not in now
               else "edited, not saved" if now[rel][0] == "unsaved" else "changed on disk")
        changes.append({"path": rel, "uri": from_fs_path(str(root / rel)), "how": how})
    return {"known": True, "changes": changes}

@server.command("acrouter.server.history")
def history(ls, args: dict):
    e = summary(); e["time"] = 1700000000; e["instruction"] = "fix it"
    entries = [e] if state["records"] else []  # empty after resetMemory, like the real server
    return {"entries": entries[: args.get("limit", 50)]}

@server.command("acrouter.server.explain")
def explain(ls, args: dict):
    return {"why": "because"}

@server.command("acrouter.server.memoryStats")
def stats(ls, args: dict):
    return {"records": state["records"]}

@server.command("acrouter.server.resetMemory")
def reset(ls, args: dict):
    n = state["records"] if args.get("confirm") is True else 0
    state["records"] -= n
    return {"removed": n}

if __name__ == "__main__":
    server.start_io()
