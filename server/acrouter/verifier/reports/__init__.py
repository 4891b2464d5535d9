"""Per-test results from what each test runner writes: pytest's JUnit XML, node's test
runner (through a small reporter of ours), jest / vitest / mocha JSON, ``go test
-json``, ``cargo test`` output, ``python -m unittest -v`` output, tape's TAP, RSpec's
JSON, minitest (through a plugin of ours), Maven Surefire's JUnit XML, CTest's
(``--output-junit``), Automake's parallel test harness (its ``.trs`` files) and Perl's
TAP::Harness (``prove``: a copy of each script's TAP) and PHPUnit's JUnit XML
(``--log-junit``).

Every parser returns a ``Report`` (test id -> passed | failed | skipped, plus the first
line of each failure's message), or None when the file is missing, too big or not the
runner's format.  Test ids are the runner's own names, prefixed with the test file
(or package / test binary) where the runner has one: ``tests/test_x.py::test_y[json]``,
``test/a.test.js::group > adds``, ``example.com/m/calc::TestAdd``,
``tests/integ.rs::adds``, ``spec/adder_spec.rb::add adds``,
``test/adder_test.rb::AdderTest#test_adds``; a CTest test by its ``add_test`` name; an
Automake test by its path (``tests/test-reader``); a Perl assertion by its script and
number (``t/basic.t #2``); a PHPUnit test by its file, class and name
(``tests/CalcTest.php::CalcTest::testAdds``).
"""

from __future__ import annotations

from collections.abc import Callable

from .automake import automake_printed_counts, parse_automake
from .cargo import cargo_counts, parse_cargo
from .common import FAILED, MAX_REPORT_BYTES, PASSED, SKIPPED, Report
from .ctest import parse_ctest
from .go import parse_go_json
from .jest import parse_jest
from .junit import parse_junit
from .minitest import MINITEST_OUT_VAR, MINITEST_PLUGIN, MINITEST_PLUGIN_PATH, parse_minitest
from .mocha import parse_mocha
from .node import NODE_REPORTER, parse_node
from .phpunit import parse_phpunit
from .prove import DUMP_VAR as PROVE_DUMP_VAR
from .prove import parse_prove, prove_printed_counts
from .rspec import parse_rspec
from .surefire import parse_surefire
from .tape import parse_tape
from .unittest_verbose import parse_unittest

#: Parsers by runner name (see ``runners.TestPlan.runner``).
PARSERS: dict[str, Callable[[str, str | None], Report | None]] = {
    "node": parse_node,
    "jest": parse_jest,
    "vitest": parse_jest,
    "mocha": parse_mocha,
    "go": parse_go_json,
    "cargo": parse_cargo,
    "unittest": parse_unittest,
    "tape": parse_tape,
    "rspec": parse_rspec,
    "minitest": parse_minitest,
    "maven": parse_surefire,
    "gradle": parse_surefire,  # the same JUnit XML, one file a test class
    "ctest": parse_ctest,
    "automake": parse_automake,
    "prove": parse_prove,
    "phpunit": parse_phpunit,
}

__all__ = [
    "FAILED",
    "MAX_REPORT_BYTES",
    "MINITEST_OUT_VAR",
    "MINITEST_PLUGIN",
    "MINITEST_PLUGIN_PATH",
    "NODE_REPORTER",
    "PARSERS",
    "PASSED",
    "PROVE_DUMP_VAR",
    "SKIPPED",
    "Report",
    "automake_printed_counts",
    "cargo_counts",
    "parse_automake",
    "parse_cargo",
    "parse_ctest",
    "parse_go_json",
    "parse_jest",
    "parse_junit",
    "parse_minitest",
    "parse_mocha",
    "parse_node",
    "parse_phpunit",
    "parse_prove",
    "parse_rspec",
    "parse_surefire",
    "parse_tape",
    "parse_unittest",
    "prove_printed_counts",
]
