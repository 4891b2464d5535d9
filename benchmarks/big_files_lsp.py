"""``big_files.py --lsp``: each edit shape once through the real language server
(``acrouter serve`` over stdio, driven by pytest-lsp as tests/lsp does), so the LSP
layer (the document read from the request, the edit turned into a WorkspaceEdit in the
client's code units, the JSON both ways) is timed on large files too.

Prints: N, language, shape, reply format, the round trip the client saw, the server's
own ``latencyMs`` for the route (context to memory), their difference (the LSP layer
around the route), and whether the WorkspaceEdit, applied as an editor does, gives the
file the reply asked for.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

import big_files_gen as gen

#: the reply format sent for each shape (the LSP layer is the same for every format)
FORMAT = {"selection-2000": "whole"}


def lsp_settings(base_url: str) -> dict[str, Any]:
    return {
        "acrouter": {
            "models": [
                {
                    "name": "fake",
                    "model": "openai/fake-m",
                    "apiBase": base_url,
                    "apiKeyEnv": "CHEAP_KEY",
                    "benchmarkModel": "claude-opus-4-6",
                    "inputCostPer1M": 0.1,
                    "outputCostPer1M": 0.2,
                }
            ],
            "maxAttempts": 1,
            "contextTokens": 2_000_000,  # whole files are sent whole
            "maxFileKilobytes": 4096,
            "testTimeoutSeconds": 600,
            "requestTimeoutSeconds": 600,
        }
    }


def route_arg(p: gen.Project, req: gen.Request) -> dict[str, Any]:
    arg: dict[str, Any] = {
        "textDocument": {"uri": p.path.as_uri()},
        "instruction": gen.INSTRUCTION,
        "testCommand": p.test_command,
    }
    if req.selection is not None:
        a, b = req.selection
        arg["range"] = {"start": {"line": a, "character": 0}, "end": {"line": b, "character": 0}}
    return arg


async def _one_language(fake, work: Path, lang: str, n: int, shapes: list[str]) -> list[str]:
    import tests.lsp.test_e2e as e2e
    from tests.fakes.openai_server import Behaviour
    from tests.lsp.test_e2e import apply_text_edits, run, start_session

    if os.environ.get("BIG_FILES_SERVER"):  # the server a checkout runs (big_files.py)
        e2e.REPO = Path(os.environ["BIG_FILES_SERVER"]).resolve().parent
    p = gen.make_project(lang, work / f"lsp-{lang}-{n}", n)
    home = work / f"lsp-home-{lang}"
    home.mkdir(exist_ok=True)
    client, _ = await start_session(home, lsp_settings(fake.base_url), p.root, log_level="WARNING")
    rows = []
    try:
        warm = gen.request_for(p, "one-line")  # litellm's import, the baseline run
        fake.behaviours["fake-m"] = Behaviour(reply=gen.reply_for(p, warm, "diff"))
        await run(client, "acrouter.server.routeAndComplete", route_arg(p, warm), 600)
        for shape in shapes:
            req = gen.request_for(p, shape)
            fmt = FORMAT.get(shape, "search-replace")
            fake.behaviours["fake-m"] = Behaviour(reply=gen.reply_for(p, req, fmt))
            t0 = time.perf_counter()
            res = await run(client, "acrouter.server.routeAndComplete", route_arg(p, req), 600)
            trip = time.perf_counter() - t0
            route = res["latencyMs"] / 1000.0
            ok = False
            if res.get("edit"):
                (change,) = res["edit"]["documentChanges"]
                ok = apply_text_edits(p.path.read_text(), change["edits"]) == gen.expected_text(req)
            verdict = res["attempts"][-1]["verdict"] if res["attempts"] else "none"
            rows.append(
                f"| {len(p.lines)} | {lang} | {shape} | {fmt} | {trip:.2f} | {route:.2f} | "
                f"{trip - route:.2f} | {'yes' if ok else 'NO'} ({verdict}) |"
            )
            print(rows[-1])
            sys.stdout.flush()
    finally:
        await client.shutdown_session()
    return rows


def run_lsp(work: Path, langs: list[str], n: int, shapes: list[str]) -> None:
    from tests.fakes.openai_server import FakeOpenAI

    print("\nThrough the language server (acrouter serve over stdio):")
    print("| N | lang | shape | format | round trip s | route s (server) | LSP layer s | edit |")
    print("|---|---|---|---|---|---|---|---|")
    with FakeOpenAI() as fake:
        for lang in langs:
            asyncio.run(_one_language(fake, work, lang, n, shapes))
