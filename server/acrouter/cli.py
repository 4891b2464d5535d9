"""Command line: ``acrouter serve | complete | memory | bench | verify``.

A third front end on the same core as the language server (see app.py).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from . import __version__
from .explain import fmt_usd
from .terminal import cmd_complete, parse_range, positive_seconds


def cmd_memory(args: argparse.Namespace) -> int:
    from .explain import setup_reason
    from .memory import TinyDBMemory, default_memory_path

    mem = TinyDBMemory(default_memory_path())
    if args.action == "show":
        outcomes = mem.outcomes(args.limit)
        if not outcomes:
            print(f"no routing history yet ({default_memory_path()})")
            return 0
        print(f"{'time':19}  {'kind':18} {'model':16} {'verified':9} {'cost':>8}  instruction")
        for o in outcomes:
            t = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(o.time))
            cost = fmt_usd(o.cost_usd, unknown="unknown")
            verified = "cancelled" if o.meta.get("cancelled") is True else str(o.verified)
            print(
                f"{t}  {o.kind:18} {(o.final_model or '-'):16} {verified:9} {cost:>8}  {o.instruction or ''}"
            )
            if o.attempts:  # counted: whether the attempt is learned as evidence about the model
                trail = " -> ".join(
                    f"{a.model} {a.verdict}"
                    + ("" if a.counted else f" (not counted: {setup_reason(a)})")
                    for a in o.attempts
                )
                print(f"{'':21}attempts: {trail}")
            skipped = o.meta.get("skipped")
            if isinstance(skipped, dict) and skipped:  # models cooling down: not called
                listed = "; ".join(f"{n} ({what})" for n, what in skipped.items())
                print(f"{'':21}skipped, cooling down: {listed}")
        print(f"\n{mem.count()} records in {default_memory_path()}")
        return 0
    if args.action == "export":
        if args.team:
            from .memory.team import team_export

            payload = team_export(mem)
        else:
            payload = mem.export()
        text = json.dumps(payload, indent=2) + "\n"
        if args.out:
            Path(args.out).expanduser().write_text(text, encoding="utf-8")
            print(f"wrote {args.out}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    # reset
    n = mem.count()
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                "acrouter: refusing to reset without --yes (no terminal to confirm)",
                file=sys.stderr,
            )
            return 2
        answer = input(f"Remove {n} routing records from {default_memory_path()}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing removed")
            return 1
    removed = mem.reset()
    print(f"removed {removed} records")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .lsp.server import serve

    serve()
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="acrouter",
        description="Route coding requests to the model with the best expected quality for "
        "its cost, and verify each edit with the project's own tests. Settings: "
        "config.toml in $ACROUTER_HOME (default $XDG_DATA_HOME/acrouter, else "
        "~/.local/share/acrouter; see README 'Configuring models').",
    )
    p.add_argument("--version", action="version", version=f"acrouter {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser(
        "serve", help="run the language server on stdio (used by the VS Code extension)"
    )
    s.add_argument(
        "--stdio",
        action="store_true",
        help="accepted for editor compatibility (stdio is the default)",
    )
    s.set_defaults(func=cmd_serve)

    c = sub.add_parser("complete", help="route one request from the terminal")
    c.add_argument("--file", required=True, help="the file the request is about")
    c.add_argument(
        "--range", type=parse_range, default=None, help="L:C-L:C, 1-based (default: the whole file)"
    )
    c.add_argument("--instruction", required=True, help="what to do, in words")
    c.add_argument(
        "--workspace",
        default=None,
        metavar="DIR",
        help="the project folder: its files are copied for the tests, which run there "
        "(default: the nearest folder above the file with .git, pyproject.toml, package.json, "
        "setup.py, Cargo.toml, go.mod, manage.py, composer.json, Gemfile, Makefile.PL, Build.PL, cpanfile, dist.ini, settings.gradle(.kts), gradlew, "
        "mvnw or .mvn, or a pom.xml with none in the folder above, else the file's own folder)",
    )
    c.add_argument(
        "--test-command",
        default=None,
        help="the tests to verify with (default: testCommand, else detect)",
    )
    c.add_argument("--apply", action="store_true", help="write the verified edit to the file")
    c.add_argument(
        "--timeout",
        type=positive_seconds,
        default=None,
        metavar="SECONDS",
        help="give up after this many seconds: model calls and test runs are stopped, nothing is "
        "applied, exit code 124 (default: no limit beyond requestTimeoutSeconds per model call)",
    )
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.set_defaults(func=cmd_complete)

    m = sub.add_parser("memory", help="show, export or reset your routing memory")
    m.add_argument("action", choices=["show", "export", "reset"])
    m.add_argument("--yes", action="store_true", help="reset without asking")
    m.add_argument("--limit", type=int, default=20, help="show: the newest N records (default 20)")
    m.add_argument(
        "--team",
        action="store_true",
        help="export: per-(model, kind) totals only, to share as team priors (no instructions, "
        "request ids, paths or workspace hashes)",
    )
    m.add_argument("--out", default=None, help="export: write to this file instead of stdout")
    m.set_defaults(func=cmd_memory)

    from .bench import cli as bench_cli
    from .verifier import cli as verify_cli

    bench_cli.add_parser(sub)
    verify_cli.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    if os.environ.get("ACROUTER_LOG_LEVEL"):
        logging.basicConfig(level=os.environ["ACROUTER_LOG_LEVEL"], stream=sys.stderr)
    args = build_parser().parse_args(argv)
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader went away (``acrouter memory export | head``): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 141  # 128 + SIGPIPE, as a shell reports a command killed by SIGPIPE
    return code


if __name__ == "__main__":
    raise SystemExit(main())
