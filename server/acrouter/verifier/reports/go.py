"""``go test -json`` events, and the build failures printed between them."""

from __future__ import annotations

import json
import os
import re

from .common import FAILED, PASSED, SKIPPED, Builder, Report, read_report

_GO_BUILD_FAILED = re.compile(r"^FAIL\s+(\S+)\s+\[(build|setup) failed\]")


def parse_go_json(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """``go test -json`` events.  A package that fails without any failing test (it
    does not build, or its TestMain exits) is one failed entry named by the package."""
    text = read_report(path)
    if text is None:
        return None
    out = Builder()
    output: dict[str, list[str]] = {}
    failed_pkgs: dict[str, None] = {}
    seen = False
    said: list[str] = []  # the compiler's lines before "FAIL pkg [build failed]"
    for line in text.splitlines():
        if not line.startswith("{"):
            if m := _GO_BUILD_FAILED.match(line):
                seen = True
                out.add_broken(m.group(1), said[-1] if said else f"{m.group(2)} failed")
                said = []
            elif line.strip() and not line.startswith("#"):
                said.append(line.strip())
            continue
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if not isinstance(ev, dict) or "Action" not in ev:
            continue
        seen = True
        pkg = str(ev.get("Package") or ev.get("ImportPath") or "")
        test = ev.get("Test")
        action = ev["Action"]
        key = f"{pkg}::{test}" if test else pkg
        if action == "output":
            lines = output.setdefault(key, [])
            if len(lines) < 50:
                lines.append(str(ev.get("Output") or ""))
        elif test and action in ("pass", "fail", "skip"):
            outcome = {"pass": PASSED, "fail": FAILED, "skip": SKIPPED}[action]
            out.add(key, outcome, _go_message(output.get(key, [])) if outcome == FAILED else None)
        elif not test and action == "fail" or action == "build-fail":
            failed_pkgs[pkg] = None
    if not seen:
        return None
    for pkg in failed_pkgs:
        if not any(t.startswith(pkg + "::") and o == FAILED for t, o in out.outcomes.items()):
            out.add_broken(pkg, _go_message(output.get(pkg, [])) or "the package failed")
    return out.report()


def _go_message(lines: list[str]) -> str:
    for line in lines:
        s = line.strip()
        if s and not s.startswith(("=== ", "--- ", "FAIL", "ok ", "PASS")):
            return s
    return ""
