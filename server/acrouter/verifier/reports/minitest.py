"""Minitest, through a reporter of ours: a minitest plugin (``minitest/acrouter_plugin.rb``
on ``RUBYLIB``, found by minitest's own plugin search) that writes one JSON line per
test, and a line when minitest's run starts and when it reports its summary."""

from __future__ import annotations

import json
import os
import re

import attrs

from .common import FAILED, PASSED, SKIPPED, Builder, Report, read_report, rel_path

#: The path, under a folder put on ``RUBYLIB``, where minitest looks for plugins.
MINITEST_PLUGIN_PATH = "minitest/acrouter_plugin.rb"
#: The environment variable naming the file the plugin appends to.
MINITEST_OUT_VAR = "ACROUTER_MINITEST_OUT"

#: The plugin (minitest calls ``plugin_acrouter_init`` after loading every plugin file
#: it finds on the load path): appends to the file only when the variable names one,
#: so several minitest processes (a Rakefile's several test tasks) add up.
MINITEST_PLUGIN = r"""# ACRouter's minitest reporter: one JSON line per test (written by the verifier)
require "json"

module Minitest
  class AcrouterReporter < AbstractReporter
    def initialize(path)
      super()
      @io = File.open(path, "a")
      @io.sync = true
      @io.puts JSON.generate({ "event" => "start" })
    end

    def record(result)
      klass = result.respond_to?(:klass) ? result.klass : result.class.name
      file, line = result.source_location if result.respond_to?(:source_location)
      status = if result.skipped? then "skipped" elsif result.passed? then "passed" else "failed" end
      failure = result.failure
      message = status == "failed" && failure ? failure.message.to_s[0, 500] : nil
      @io.puts JSON.generate({
        "event" => "test", "class" => klass.to_s, "name" => result.name.to_s,
        "file" => file.to_s, "line" => line.to_i, "status" => status, "message" => message,
      })
    end

    def report
      @io.puts JSON.generate({ "event" => "done" })
      @io.close
    end
  end

  def self.plugin_acrouter_init(options)
    path = ENV["ACROUTER_MINITEST_OUT"]
    reporter << AcrouterReporter.new(path) if path && !path.empty?
  end
end
"""

_STATUS = {"passed": PASSED, "failed": FAILED, "skipped": SKIPPED}


def parse_minitest(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """Our minitest plugin's lines: each test by its file and ``Class#test_name``
    (``test/adder_test.rb::AdderTest#test_adds``; a spec-style test is minitest's own
    name, ``add::zero#test_0001_adds``).  A minitest run that started and never
    reported its summary (it exited inside a test) is a failed ``minitest`` entry.
    None when no minitest run started (the tests' process exited before, or they are
    not minitest's)."""
    text = read_report(path)
    if text is None:
        return None
    out = Builder()
    starts = dones = passed = failed = 0
    for line in text.splitlines():
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if not isinstance(ev, dict):
            continue
        event = ev.get("event")
        if event == "start":
            starts += 1
        elif event == "done":
            dones += 1
        elif event == "test" and ev.get("status") in _STATUS:
            name = f"{ev.get('class') or ''}#{ev.get('name') or ''}"
            file = rel_path(str(ev.get("file") or ""), root)
            message = str(ev.get("message") or "") or None
            out.add(f"{file}::{name}" if file else name, _STATUS[str(ev["status"])], message)
            passed += ev["status"] == "passed"
            failed += ev["status"] == "failed"
    if not starts:
        return None
    if dones < starts:
        out.add_broken(
            "minitest",
            "the minitest run stopped before it reported its summary (did a test exit?)",
        )
    return attrs.evolve(out.report(), counts=(passed, failed))


#: minitest's closing count: ``5 runs, 3 assertions, 1 failures, 1 errors, 1 skips``
_PRINTED = re.compile(r"^(\d+) runs, \d+ assertions, (\d+) failures, (\d+) errors, (\d+) skips")


def minitest_printed_counts(output: str) -> tuple[int, int] | None:
    """(passed, failed) summed over the closing counts minitest printed (one per
    minitest process: a Rakefile's several test tasks); None when none."""
    found = None
    for line in output.splitlines():
        if m := _PRINTED.match(line.strip()):
            runs, failures, errors, skips = (int(g) for g in m.groups())
            p, f = found or (0, 0)
            found = (p + runs - failures - errors - skips, f + failures + errors)
    return found
