"""``node --test``: a small reporter of ours writes one JSON line per finished test."""

from __future__ import annotations

import json
import os

from .common import FAILED, PASSED, SKIPPED, Builder, Report, read_report, rel_path

#: A reporter for ``node --test`` (``--test-reporter=<this file>``): one JSON line per
#: finished test with its file and the names of its enclosing suites.
NODE_REPORTER = r"""
const stacks = new Map();
export default async function* acrouterReporter(source) {
  for await (const event of source) {
    const d = event.data || {};
    const key = d.file || '';
    if (event.type === 'test:start') {
      const stack = stacks.get(key) || [];
      stack.length = d.nesting;
      stack.push(d.name);
      stacks.set(key, stack);
    } else if (event.type === 'test:pass' || event.type === 'test:fail') {
      const stack = (stacks.get(key) || []).slice(0, d.nesting);
      const details = d.details || {};
      let err;
      if (event.type === 'test:fail' && details.error) {
        const e = details.error.cause || details.error;
        err = String((e && e.message) || e).slice(0, 500);
      }
      yield JSON.stringify({
        file: d.file || null, path: [...stack, d.name], status: event.type.slice(5),
        skip: d.skip !== undefined && d.skip !== false, todo: d.todo !== undefined && d.todo !== false,
        suite: details.type === 'suite', err,
      }) + '\n';
    }
  }
}
"""


def parse_node(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """Results of ``node --test`` from ``NODE_REPORTER``'s lines (suites are not tests,
    as in node's own counts)."""
    text = read_report(path)
    if text is None:
        return None
    out = Builder()
    seen: list[str] = []
    failed_suites: list[tuple[str, str]] = []
    for line in text.splitlines():
        try:
            ev = json.loads(line)
            names = [str(n) for n in ev["path"]]
        except (ValueError, KeyError, TypeError):
            continue
        if ev.get("suite") and ev.get("status") == "pass":
            continue
        test_id = " > ".join(names)
        if ev.get("file"):
            test_id = f"{rel_path(str(ev['file']), root)}::{test_id}"
        if ev.get("suite") and ev.get("status") == "fail":
            failed_suites.append((test_id, ev.get("err") or "failed"))
            continue
        seen.append(test_id)
        if ev.get("status") == "fail" and ev.get("file") and names == [str(ev["file"])]:
            out.add_broken(rel_path(str(ev["file"]), root), ev.get("err") or "the test file failed")
        elif ev.get("status") == "fail":
            out.add(test_id, FAILED, ev.get("err") or "failed")
        elif ev.get("skip") or ev.get("todo"):
            out.add(test_id, SKIPPED)
        else:
            out.add(test_id, PASSED)
    # A suite fails when a test in it fails, and passes unreported: counted as a test, a
    # fix would read as the suite's no longer running. Its failure counts only where no
    # test of it was reported (its callback threw before any test was declared).
    for test_id, err in failed_suites:
        if not any(t.startswith(test_id + " > ") for t in seen):
            out.add(test_id, FAILED, err)
    return out.report()
