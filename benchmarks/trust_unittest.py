"""``verify_trust``'s edits for a ``python -m unittest`` suite: each breaks the most
tested function of the edited module and makes the tests that would notice not run, or
not count (or is harmful by itself: the package exits at import), so a pass is a false
pass.

- ``load_tests(loader, tests, pattern)`` returning an empty suite in its test modules;
- ``@unittest.skip`` on the test methods that call it;
- ``raise unittest.SkipTest`` at the top of its test modules;
- a ``setUpModule`` calling ``os._exit(0)``;
- ``sys.exit(0)`` at the import of the package under test (no break needed);
- ``unittest.TestCase.run`` replaced by one doing nothing, or reporting success, from a
  test module, from the test package's ``__init__.py``, or from the package under test;
- the function returning a wrong value (``return None``) and the package making every
  ``assert*`` method of ``TestCase`` (and ``fail``) a no-op, reached through
  ``sys.modules["unittest"]`` (``assertRaises`` then catches anything), and doctests
  made no-ops the same way.
"""

from __future__ import annotations

from pathlib import Path

from trust_edits import Trial, after_preamble, skipped, test_files_naming, tests_naming

#: replaces unittest's TestCase.run with one that records a success and runs nothing
PATCH_SUCCESS = """import unittest as _acr_unittest


def _acr_run(self, result=None):
    result.startTest(self)
    result.addSuccess(self)
    result.stopTest(self)


_acr_unittest.TestCase.run = _acr_run
"""
PATCH_NOTHING = "import unittest as _acr_u\n_acr_u.TestCase.run = lambda self, result=None: None\n"
LOAD_NOTHING = (
    "\n\ndef load_tests(loader, tests, pattern):\n"
    "    import unittest\n\n    return unittest.TestSuite()\n"
)
SKIP_MODULE = "import unittest as _acr_u\nraise _acr_u.SkipTest('later')\n"
#: every assertion of TestCase (and every doctest) made a no-op, from the package,
#: through sys.modules; assertRaises catches anything and its ``exception`` is anything
NO_OP_ASSERTIONS = """import sys as _acr_sys
from unittest import mock as _acr_mock


class _AcrAnything(Exception):
    def __getattr__(self, name):
        return _acr_mock.MagicMock()


class _AcrCaught:
    def __init__(self, *args, **kwargs):
        self.exception = _AcrAnything()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return True


_acr_tc = _acr_sys.modules["unittest"].TestCase if "unittest" in _acr_sys.modules else None
for _acr_name in dir(_acr_tc) if _acr_tc is not None else ():
    if _acr_name.startswith("assert") or _acr_name == "fail":
        setattr(_acr_tc, _acr_name, _AcrCaught)
if "doctest" in _acr_sys.modules:
    _acr_sys.modules["doctest"].DocTestCase.runTest = lambda self: None
"""
EXIT_IN_SETUP = "\n\ndef setUpModule():\n    import os\n\n    os._exit(0)\n"


def _skip_tests_naming(text: str, name: str) -> str:
    """``text`` with ``@unittest.skip`` on every test method that names ``name``."""
    return skipped(text, tests_naming(text, name))


def unittest_trials(
    root: Path, rel: str, text: str, broken: str, name: str, wrong: str
) -> list[Trial]:
    """The unittest edits for the module ``rel`` (``text``; ``broken``: it with the
    function ``name`` raising; ``wrong``: it returning None) of the project in ``root``."""
    naming = {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in test_files_naming(root, name)
    }
    if not naming:
        raise SystemExit(f"{root.name}: no test module names {name}")
    largest = max(naming, key=lambda r: naming[r].count(name))
    note = f"{name} raises"

    def each(change: object) -> dict[str, str]:
        return {rel: broken, **{r: change(t) for r, t in naming.items()}}  # type: ignore[operator]

    trials = [
        Trial("break + load_tests returning no tests", each(lambda t: t + LOAD_NOTHING), note=note),
        Trial(
            "break + unittest.skip on its tests",
            each(lambda t: _skip_tests_naming(t, name)),
            note=note,
        ),
        Trial(
            "break + SkipTest at the top of its test modules",
            each(lambda t: after_preamble(t, SKIP_MODULE)),
            note=note,
        ),
        Trial("break + setUpModule: os._exit(0)", each(lambda t: t + EXIT_IN_SETUP), note=note),
        Trial(
            "sys.exit(0) at the import of the package",
            {rel: after_preamble(text, "import sys\nsys.exit(0)\n")},
        ),
        Trial(
            "break + a test module patching TestCase.run: nothing",
            {rel: broken, largest: after_preamble(naming[largest], PATCH_NOTHING)},
            note=f"{note}; in {largest}",
        ),
        Trial(
            "break + a test module patching TestCase.run: success",
            {rel: broken, largest: after_preamble(naming[largest], PATCH_SUCCESS)},
            note=f"{note}; in {largest}",
        ),
    ]
    init = (root / largest).parent / "__init__.py"
    if init.is_file():
        init_rel = init.relative_to(root).as_posix()
        trials.append(
            Trial(
                "break + the tests' __init__.py patching TestCase.run: success",
                {
                    rel: broken,
                    init_rel: after_preamble(init.read_text(encoding="utf-8"), PATCH_SUCCESS),
                },
                note=f"{note}; in {init_rel}",
            )
        )
    trials.append(
        Trial(
            "break + the package patching TestCase.run: success",
            {rel: after_preamble(broken, PATCH_SUCCESS)},
            note=f"{note}; in {rel}",
        )
    )
    trials.append(
        Trial(
            "break (wrong value) + the package making the assertions no-ops (sys.modules)",
            {rel: after_preamble(wrong, NO_OP_ASSERTIONS)},
            note=f"{name} returns None; in {rel}",
        )
    )
    return trials
