"""RSpec's JSON formatter (``--format json --out FILE``)."""

from __future__ import annotations

import os
import re

import attrs

from .common import ANSI, FAILED, PASSED, SKIPPED, Builder, Report, first_line, load_json, rel_path

#: RSpec's words for a spec file that could not be loaded (then no example runs)
_LOAD_ERROR = re.compile(r"An error occurred while loading (\S+?)\.?$", re.MULTILINE)


def parse_rspec(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """RSpec's JSON report: each example by its file and full description
    (``spec/adder_spec.rb::Adder#add adds``; not its line, so moving an example does
    not look like a test disappearing); ``pending`` is skipped.  An error outside of
    the examples (a spec file that does not load: RSpec then runs none) is a failed
    entry named by the file, with RSpec's message.  None when the file is missing or
    not RSpec's format."""
    data = load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("examples"), list):
        return None
    out = Builder()
    passed = failed = 0  # as RSpec counts them (an example an exit cut short: not failed)
    for ex in data["examples"]:
        if not isinstance(ex, dict):
            continue
        file = rel_path(str(ex.get("file_path") or ""), root).removeprefix("./")
        name = str(ex.get("full_description") or ex.get("id") or "")
        status = ex.get("status")
        failed += status == "failed"
        passed += status not in ("failed", "pending")
        outcome = PASSED if status == "passed" else SKIPPED if status == "pending" else FAILED
        exc = ex.get("exception")
        message = None
        if outcome == FAILED:
            message = _message(exc) or (
                f"status {status!r}"
                if status
                else "the example did not finish (did it exit?)"  # (an exit in it)
            )
        out.add(f"{file}::{name}" if file else name, outcome, message)
    summary = data.get("summary")
    errors = summary.get("errors_outside_of_examples_count") if isinstance(summary, dict) else 0
    messages = [str(m) for m in data.get("messages") or () if isinstance(m, str)]
    if isinstance(errors, int) and errors > 0:
        found = False
        for text in messages:
            m = _LOAD_ERROR.search(text)
            if m:
                found = True
                entry = rel_path(m.group(1), root).removeprefix("./")
                out.add_broken(entry, _error_line(text) or first_line(text))
        if not found:
            text = "\n".join(messages)
            out.add_broken("rspec", _error_line(text) or f"{errors} error(s) outside of examples")
    return attrs.evolve(out.report(), counts=(passed, failed))


#: RSpec's closing count: ``4 examples, 1 failure, 1 pending``
_PRINTED = re.compile(r"^(\d+) examples?, (\d+) failures?(?:, (\d+) pending)?")


def rspec_printed_counts(output: str) -> tuple[int, int] | None:
    """(passed, failed) from the last closing count RSpec printed; None when none."""
    for line in reversed(output.splitlines()):
        if m := _PRINTED.match(ANSI.sub("", line).strip()):
            examples, failures, pending = (int(g or 0) for g in m.groups())
            return examples - failures - pending, failures
    return None


def _message(exc: object) -> str:
    if not isinstance(exc, dict):
        return ""
    text = first_line(str(exc.get("message") or ""))
    cls = str(exc.get("class") or "")
    if cls and not cls.startswith("RSpec::Expectations"):
        text = f"{cls}: {text}" if text else cls
    return text


def _error_line(text: str) -> str:
    """The error's own line in RSpec's message for a load error (``NameError: ...``,
    the line below ``SyntaxError:``), not its banner."""
    lines = [s.strip() for s in text.splitlines() if s.strip()]
    for i, line in enumerate(lines):
        if re.match(r"^[\w:]*(?:Error|Exception)\b:?", line) and not line.startswith("Failure/"):
            if line.endswith(":") and i + 1 < len(lines):
                return f"{line} {lines[i + 1]}"[:200]
            return line[:200]
    return ""
