"""The Verifier: run the project's own tests on a scratch copy, in a sandbox, and
compare with a baseline run without the edit.

Modules, in the order a verification uses them:

- ``workspace``: which paths an edit may write, which files a copy holds
- ``unidiff``: edits sent as a unified diff;  ``hunks``: where its hunks go in a file's
  text and what they make of it;  ``edits``: the new texts an edit asks for
- ``detection``: which test command;  ``commandline``: the runner a command starts
- ``runners``: how each runner is asked for per-test results
- ``syntax``: a Python syntax error fails the edit before any test runs;  ``harness``:
  code under test that reaches into the test harness (or the tests' assertions) is not
  verified (``harness_py`` reads a Python module, ``harness_names`` the names only a
  harness uses);  ``harness_js``: the same for JavaScript and TypeScript;  ``harness_jest``:
  jest's and vitest's own objects, their report, the runner's process
- ``scratch``: scratch copies, reused from one verification to the next
- ``baseline``: cached runs without the edit
- ``environment``: what the tests may see of the environment
- ``runspec``: one run's command, environment and mounts;  ``unsandboxed``: the same
  pointed at the copy when there is no sandbox
- ``bwrap``: the sandbox's command line and mounts;  ``bwrap_exe``: which bubblewrap
  executable (the system's, else the wheel's), and how to say so
- ``sandbox``: one run: start, timeout, process bound, cancellation (``runtypes``: what
  a run is given and gives back);  ``writebound``: the bound on what a run writes
- ``limits``: the resource limits and how they are applied;  ``output``: the output cap
- ``processes``: finding and killing every process of a run (pid namespace, cgroup)
- ``reports``: per-test results, one module per runner's format;  ``results``: a
  finished run read into a ``TestRun`` (``testrun``: what one run produced);
  ``written``: what the run wrote that could change its own results (the tests' files
  rewritten by the code under test);  ``rebuilt``: what a build in the test command
  writes again because the edit changed its sources (a run without the edit, its files
  written again), not held against the edit;  ``bytecode``: the edited files' cached
  bytecode kept from the run
- ``verdict``: the before/after rule;  ``confirm``: a pass that counts tests as fixed
  confirmed by a second run with and without the edit (``subset``: of the fixed pytest
  tests alone, else of the whole suite)
- ``lines_run``: which of the statements an edit changes the run with it ran, and a
  pass that names the ones no test ran (``linediff``: which lines an edit changed):
  ``lines`` for Python (``lines_plugin``: the
  pytest plugin that traces them; ``lines_trace``: its files and variables, and what its
  processes found; ``lines_site``: the ``sitecustomize`` that traces every Python
  process of the run), ``lines_js`` for JavaScript (V8's coverage),
  ``lines_istanbul`` for JavaScript and TypeScript under jest and vitest (their own),
  ``lines_go`` for Go (``go test``'s coverage profile; ``lines_gotrace``: how the traced
  ``go test`` is started, and where ``go list`` says each package came from), ``lines_rust`` for Rust (which edited files ``cargo test`` built,
  read by ``lines_cargo`` from its target folder; ``lines_rustcov``: which of their
  lines ran, from rustc's ``-C instrument-coverage`` and LLVM's tools), ``lines_ccov`` for C
  and C++ (gcc's ``--coverage`` through compiler wrappers first on the run's ``PATH``,
  read with ``gcov --json-format``); ``lines_idle``: a pass whose
  tests never reached the change, not learned; ``lines_shadow``: a pass whose tests ran
  another copy of the edited file (Python's installed package; ``lines_built``: node's
  build made before the edit, or copy in ``node_modules``), an error; ``lines_mapped``:
  TypeScript's lines a build of the run ran, through its source map;  ``stale_build``:
  a pass on an edited Cython or C source whose extension module the run did not build
  again, not learned, and one whose run printed a compiler error for it, a fail
- ``testfiles``: which files of an edit belong to the tests (judged with the user's
  tests as they were first): runners' naming rules, test folders, configuration;
  ``testcommand``: the files a test command loads as tests (pytest's ``python_files``
  and named files, what a ``python -m unittest`` loads from the folder it runs in, a
  script it runs);  ``renames``: a rename across code and tests (``jsrenames``: the
  same for JS/TS tests, read by ``jstokens``, each name placed by ``jsplaces``);
  ``doctests``: the
  examples in docstrings and documents, the user's tests too (``docnames``,
  ``docdecorators``: what a documented name holds when doctest looks);  ``testdata``:
  data files the tests read, which belong to the tests;  ``shadows``: modules an edit
  adds that would be imported in place of the runner's or the standard library's;
  ``offline``: tests that need the network, which the sandbox does not have
- ``compare``: the runs with and without the edit, and their cached baselines
- ``core``: ``ProjectVerifier``, which puts the stages together: ``preflight`` (the
  workspace, the test command, the sandbox, the key of the cached baseline),
  ``screening`` (the edit's texts, judged without a run when they cannot be), and
  ``sandboxrun`` (one run in a prepared copy, read);  ``cli``: ``acrouter verify``
- ``fingerprint``: what a request's tests ran on, compared with the workspace when the
  user applies the edit (the files that changed since); read once per request, with the
  key of the cached baseline (``ProjectVerifier.take_state``)
"""

from .baseline import BaselineCache, default_cache_dir
from .bwrap import BWRAP_MISSING, bwrap_problem
from .core import ProjectVerifier
from .detection import detect_test_command
from .edits import edit_texts
from .fingerprint import WorkspaceFingerprint, take_fingerprint
from .limits import Limits
from .reports import parse_junit
from .scratch import ScratchPool
from .testrun import TestRun
from .unidiff import apply_diff_texts, parse_unified_diff
from .verdict import judge
from .workspace import names_request_file, resolve_edit_path, within_workspace, write_files

__all__ = [
    "BWRAP_MISSING",
    "BaselineCache",
    "Limits",
    "ProjectVerifier",
    "ScratchPool",
    "TestRun",
    "WorkspaceFingerprint",
    "apply_diff_texts",
    "bwrap_problem",
    "default_cache_dir",
    "detect_test_command",
    "edit_texts",
    "judge",
    "names_request_file",
    "parse_junit",
    "parse_unified_diff",
    "resolve_edit_path",
    "take_fingerprint",
    "within_workspace",
    "write_files",
]
