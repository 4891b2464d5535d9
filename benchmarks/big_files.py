"""The editor's request path on files of thousands of lines, stage by stage.

Drives the real path (``EditorApp.route`` as the language server builds it: the
Orchestrator, ``ChatPrompts``, ``LiteLLMGateway`` talking to the tests' fake
OpenAI-compatible server on 127.0.0.1, ``ProjectVerifier`` running the project's tests in
the sandbox, TinyDB memory; then the LSP layer's conversion of the edit into a
WorkspaceEdit) on generated Python and JavaScript projects whose edited file has N lines
(``big_files_gen``), for each edit shape and reply format.  No real provider, no network.

Prints one table: N, language, shape, reply format, stage, seconds (each stage's own
time, exclusive of the stages it calls, so the test runs and the model call are apart),
and per request "our code": the request's wall time minus the test runs and the model
call.  ``--profile`` adds cProfile's top cumulative functions of acrouter for the
requests named; ``--lsp`` also sends each shape once through the real pygls server
(``big_files_lsp``).

Usage: nice -n 10 .venv/bin/python benchmarks/big_files.py [--sizes 1000 5000 20000]
    [--langs python javascript] [--shapes ...] [--formats ...] [--min-seconds 0.05]
    [--sandbox bwrap|none] [--context-tokens 2000000] [--profile] [--lsp]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the server code measured: this checkout's, or another's (``BIG_FILES_SERVER=path/server``
#: to measure a checkout before a change with the same benchmark)
sys.path.insert(0, os.environ.get("BIG_FILES_SERVER") or str(ROOT / "server"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import big_files_gen as gen
from big_files_stages import NOT_OURS, STAGES, Timers, install

KEY_ENV = "BIG_FILES_FAKE_KEY"


def build_app(base_url: str, sandbox: str, context_tokens: int):
    from acrouter.app import PriorStore, build_editor_app
    from acrouter.config import Settings
    from acrouter.domain import ModelSpec

    model = ModelSpec(
        "fake",
        "openai/fake-m",
        api_base=base_url,
        api_key_env=KEY_ENV,
        input_cost_per_1m=0.1,
        output_cost_per_1m=0.2,
        benchmark_model="claude-opus-4-6",
    )
    settings = Settings(
        models=(model,),
        max_attempts=1,
        sandbox=sandbox,
        context_tokens=context_tokens,
        max_file_kilobytes=4096,
        request_timeout_s=600,
        test_timeout_s=600,
    )
    priors = PriorStore()
    priors.get()  # the server loads them in the background after `initialized`
    return build_editor_app(settings, priors=priors, keep_tested=True)


def document(p: gen.Project, req: gen.Request):
    from acrouter.domain import Document, Position, Range

    text = p.path.read_text()
    rng = None
    if req.selection is not None:
        a, b = req.selection
        rng = Range(Position(a, 0), Position(b, 0))
    return Document(uri=p.path.as_uri(), path=str(p.path), text=text, language_id=p.lang, range=rng)


def one_request(
    app, fake, p: gen.Project, req: gen.Request, fmt: str, timers: Timers, profile: bool
) -> tuple[float, str, bool, cProfile.Profile | None]:
    """One routeAndComplete as the server serves it; returns (wall seconds, verdict,
    whether the WorkspaceEdit gives the expected text, the profile)."""
    from acrouter.apply import edit_texts
    from acrouter.lsp import convert

    from tests.fakes.openai_server import Behaviour
    from tests.lsp.test_e2e import apply_text_edits

    fake.behaviours["fake-m"] = Behaviour(reply=gen.reply_for(p, req, fmt))
    doc = document(p, req)
    timers.reset()
    prof = cProfile.Profile() if profile else None
    t0 = time.perf_counter()
    if prof:
        prof.enable()
    result = app.route(doc, gen.INSTRUCTION, folders=[p.root], test_command=p.test_command)
    ok = False
    if result.edit is not None and result.final_model is not None:
        texts = edit_texts(result.edit, doc, p.root, {})
        edit = convert.workspace_edit(doc, result.edit, str(p.root), texts)
        convert.base_digests(doc, result.edit, str(p.root), texts)
        payload = json.dumps(convert.result_json(result, edit))
        change = json.loads(payload)["edit"]["documentChanges"][0]
        ok = apply_text_edits(doc.text, change["edits"]) == gen.expected_text(req)
    if prof:
        prof.disable()
    wall = time.perf_counter() - t0
    verdict = result.attempts[-1].verdict if result.attempts else "none"
    detail = result.attempts[-1].detail if result.attempts else ""
    return wall, f"{verdict}: {detail[:90]}", ok, prof


def top_functions(prof: cProfile.Profile, limit: int = 15) -> str:
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).sort_stats("cumulative")
    stats.print_stats(r"acrouter/(?!gateway/call)", limit)
    lines = out.getvalue().splitlines()
    start = next((i for i, x in enumerate(lines) if x.strip().startswith("ncalls")), 0)
    return "\n".join(lines[start:])


def warm_up(app, fake, work: Path, lang: str, timers: Timers) -> None:
    """One small request first: litellm's import and the priors are not the big file's."""
    p = gen.make_project(lang, work / f"warm-{lang}", 1000)
    one_request(app, fake, p, gen.request_for(p, "one-line"), "search-replace", timers, False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    ap.add_argument("--langs", nargs="+", default=list(gen.LANGS), choices=gen.LANGS)
    ap.add_argument("--shapes", nargs="+", default=list(gen.SHAPES), choices=gen.SHAPES)
    ap.add_argument("--formats", nargs="+", default=list(gen.FORMATS), choices=gen.FORMATS)
    ap.add_argument("--sandbox", default="bwrap", choices=("bwrap", "none"))
    ap.add_argument(
        "--min-seconds",
        type=float,
        default=0.05,
        help="stages under this many seconds are left out of the table",
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="print cProfile's top cumulative acrouter functions per request",
    )
    ap.add_argument(
        "--lsp", action="store_true", help="also send each shape once through the real pygls server"
    )
    ap.add_argument("--work", type=Path, default=None, help="where the projects go (temporary)")
    ap.add_argument(
        "--context-tokens",
        type=int,
        default=2_000_000,
        help="the model's context window (default: every file is sent whole, so whole-file "
        "replies are accepted; 128000: a 20,000-line file is sent as an outline and excerpts)",
    )
    a = ap.parse_args()

    from tests.fakes.openai_server import FakeOpenAI

    os.environ[KEY_ENV] = "sk-fake-big-files"
    work = a.work or Path(tempfile.mkdtemp(prefix="acrouter-big-files-"))
    os.environ.setdefault("ACROUTER_HOME", str(work / "home"))
    timers = Timers()
    install(timers)
    order = list(dict.fromkeys(label for _m, _a, label in STAGES))
    import acrouter

    print(f"server code: {Path(acrouter.__file__).parent}")
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2-core machine: see README)")
    print("| N | lang | shape | format | stage | seconds |")
    print("|---|---|---|---|---|---|")
    summary: list[str] = []
    profiles: list[str] = []
    with FakeOpenAI() as fake:
        app = build_app(fake.base_url, a.sandbox, context_tokens=a.context_tokens)
        if hasattr(app, "warm_up"):  # what the server does on `initialized` (a checkout
            app.warm_up()  # before it had no warm_up: the warm-up requests load the same)
        for lang in a.langs:
            warm_up(app, fake, work, lang, timers)
            for n in a.sizes:
                p = gen.make_project(lang, work / f"{lang}-{n}", n)
                for shape in a.shapes:
                    req = gen.request_for(p, shape)
                    for fmt in a.formats:
                        wall, verdict, ok, prof = one_request(
                            app, fake, p, req, fmt, timers, a.profile
                        )
                        n_lines = len(p.lines)
                        tag = f"| {n_lines} | {lang} | {shape} | {fmt} |"
                        for label in order:
                            s = timers.seconds.get(label, 0.0)
                            if s >= a.min_seconds or label in NOT_OURS and s:
                                print(f"{tag} {label} | {s:.2f} |")
                        print(
                            f"{tag} (gc pauses, inside the stages above) | {timers.gc_seconds:.2f} |"
                        )
                        ours = wall - sum(timers.seconds.get(x, 0.0) for x in NOT_OURS)
                        print(f"{tag} **our code (wall - test runs - model call)** | {ours:.2f} |")
                        summary.append(
                            f"| {n_lines} | {lang} | {shape} | {fmt} | {wall:.2f} | {ours:.2f} | "
                            f"{'yes' if ok else 'NO'} | {verdict} |"
                        )
                        sys.stdout.flush()
                        if prof is not None:
                            profiles.append(f"--- {tag}\n{top_functions(prof)}")
    print("\n| N | lang | shape | format | wall s | our code s | edit applies | verdict |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(summary))
    for text in profiles:
        print(text)
    if a.lsp:
        from big_files_lsp import run_lsp

        run_lsp(work, a.langs, max(a.sizes), a.shapes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
