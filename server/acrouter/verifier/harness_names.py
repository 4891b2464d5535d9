"""The names the harness tripwire (:mod:`.harness_py`) reads: the modules of the test
harness, the names only a harness uses, and what doctest and an assertion rely on."""

from __future__ import annotations

import re

from .junit_own import FOLDER as JUNIT_FOLDER
from .junit_own import MODULE as JUNIT_MODULE
from .junit_own import OUT_VAR as JUNIT_OUT_VAR
from .lines_trace import FOLDER as LINES_FOLDER
from .lines_trace import MODULE as LINES_MODULE
from .lines_trace import OUT_VAR as LINES_OUT_VAR
from .lines_trace import TARGETS_FILE as LINES_TARGETS_FILE
from .pytest_plugins import ADDOPTS_TAIL, PATH_TAIL
from .subset import FOLDER as SELECT_FOLDER
from .subset import IDS_VAR as SELECT_IDS_VAR
from .subset import MODULE as SELECT_MODULE

#: modules whose objects an edit's code has no business changing; with pytest-xdist the
#: tests run in worker processes that send their reports to the controller through
#: execnet's channel (``execnet.gateway_base.Channel.send``, xdist's ``sendevent``): a
#: report rewritten there is the one the controller writes
HARNESS_MODULES = frozenset({"unittest", "pytest", "_pytest", "doctest", "xdist", "execnet"})
#: ... and the modules whose objects the tests use too: ``builtins`` (``AssertionError``,
#: ``__import__``, ``isinstance``): what is reached through these is not to be changed
REACHED_MODULES = HARNESS_MODULES | {"builtins", "__builtin__"}
#: names only a test harness uses
HARNESS_NAMES = frozenset(
    {
        # unittest's result protocol and runner
        "addSuccess",
        "addFailure",
        "addError",
        "addSkip",
        "addExpectedFailure",
        "addUnexpectedSuccess",
        "addSubTest",
        "startTest",
        "stopTest",
        "TestResult",
        "TextTestResult",
        "TextTestRunner",
        "load_tests",
        # Django's test runner (``manage.py test``): the runner a setting names, and
        # what a runner of the code's own overrides to report what it likes
        "TEST_RUNNER",
        "DiscoverRunner",
        "run_suite",
        "get_resultclass",
        "get_test_runner_kwargs",
        "ParallelTestSuite",
        "RemoteTestResult",
        # pytest's hooks and reports
        "_pytest",
        "hookimpl",
        "hookwrapper",
        "TestReport",
        "pytest_runtest_makereport",
        "pytest_runtest_protocol",
        "pytest_runtest_call",
        "pytest_runtest_logreport",
        "pytest_report_teststatus",
        "pytest_collection_modifyitems",
        "pytest_collect_file",
        "pytest_ignore_collect",
        "pytest_pycollect_makeitem",
        "pytest_configure",
        "pytest_sessionfinish",
        "pytest_plugins",
        "PYTEST_PLUGINS",
        "PYTEST_ADDOPTS",
        # pytest-xdist's worker and what it sends the controller (:data:`HARNESS_MODULES`)
        "WorkerInteractor",
        "sendevent",
        "workerinput",
        "workeroutput",
        "testreport",
        "gateway_base",
        # where Python and pytest's assertion rewriter read bytecode from: moved into
        # the run's private /tmp, a forged cache of a test module is out of sight of the
        # check after the run (:mod:`.written`)
        "pycache_prefix",
        "PYTHONPYCACHEPREFIX",
        # the verifier's tracer of the lines the tests run (:mod:`.lines`), which code
        # under test could feed lines it never ran, in the test process or in one it
        # starts (our ``sitecustomize`` imports it there: :mod:`.lines_site`; the name
        # ``sitecustomize`` itself is not here, being the user's too, and ours keeps
        # nothing but the start function it deletes)
        LINES_MODULE,
        LINES_TARGETS_FILE,
        LINES_OUT_VAR,
        LINES_FOLDER,
        "_acrouter_lines_start",
        # the plugin that keeps only the fixed tests when a fix is confirmed
        # (:mod:`.subset`), which code under test could tell its runs apart by
        SELECT_MODULE,
        SELECT_FOLDER,
        SELECT_IDS_VAR,
        # the plugin that writes our JUnit report beside the project's own (:mod:`.junit_own`)
        JUNIT_MODULE,
        JUNIT_FOLDER,
        JUNIT_OUT_VAR,
        # what the verifier appends to PYTHONPATH and PYTEST_ADDOPTS, held alone for a
        # command that sets those itself (:mod:`.inline_env`): it tells a traced run
        PATH_TAIL,
        ADDOPTS_TAIL,
    }
)

#: a module name of the tests' (``test_mul``, ``tests.test_mul``, ``calc_test``, ``conftest``)
TEST_MODULE = re.compile(r"(^|\.)(test_\w*|\w*_tests?|tests?|conftest)(\.|$)")
#: comparisons a test's assertion relies on to be false when the values differ
ALWAYS_TRUE = frozenset({"__eq__", "__contains__", "__lt__", "__le__", "__gt__", "__ge__"})
#: what doctest reads its examples from: changed at run time, the examples it runs are
#: not the docstrings the doctest rule (``doctests``) compares
DOCTEST_NAMES = frozenset({"__doc__", "__test__"})
