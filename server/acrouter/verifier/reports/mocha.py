"""mocha's ``json`` reporter."""

from __future__ import annotations

import os
from typing import Any

from .common import FAILED, PASSED, SKIPPED, Builder, Report, load_json, rel_path


def parse_mocha(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """mocha's ``json`` reporter (``--reporter-option output=FILE``).  Hook failures
    (``"before all" hook``) are failed entries too."""
    data = load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        return None
    out = Builder()

    def tid(t: dict[str, Any]) -> str:
        name = str(t.get("fullTitle") or t.get("title") or "")
        return f"{rel_path(str(t['file']), root)}::{name}" if t.get("file") else name

    for t in data["tests"]:
        if not isinstance(t, dict):
            continue
        err = t.get("err") or {}
        if isinstance(err, dict) and err.get("message"):
            out.add(tid(t), FAILED, str(err.get("message")))
        elif t.get("pending") or tid(t) in {tid(p) for p in data.get("pending") or []}:
            out.add(tid(t), SKIPPED)
        else:
            out.add(tid(t), PASSED)
    for t in data.get("failures") or []:
        if isinstance(t, dict):
            err = t.get("err") or {}
            out.add(tid(t), FAILED, str(err.get("message") or "failed"))
    return out.report()
