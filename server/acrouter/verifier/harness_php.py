"""The tripwire of ``harness`` for PHP: what the code under test does with PHPUnit, the
report it writes or what it prints.

PHPUnit runs the tests and the code under test in one process, and writes its JUnit
report (``--log-junit``, the file our verdict reads) and its closing count as that
process ends: code under test that registers a shutdown function runs after both, and
can rewrite the one (its path is on the command line, ``$_SERVER['argv']``) and, with
the output buffered since it loaded, print another count in place of the other.  Found,
as a finding each:

- PHPUnit or its parts named (``PHPUnit\\``, ``PHPUnit_``, ``SebastianBergmann\\``):
  the code under test has no use for them, the tests do;
- the report or the command line: ``log-junit``, ``junit``, ``$_SERVER['argv']``,
  ``$GLOBALS['argv']``, ``$argv``;
- what runs when the process ends or rewrites its output: ``register_shutdown_function``,
  ``ob_start`` with a callback;
- what measures which changed lines ran (:mod:`.lines_phpcov`) or loads code before the
  tests: ``pcov``, ``xdebug``, ``auto_prepend_file``, ``PHP_INI_SCAN_DIR``.

Read with regular expressions over the code (comments taken out), not a parser: only
what an edit adds counts, so a false alarm costs only an edit that adds one of these,
and code that builds the names from pieces is not seen.
"""

from __future__ import annotations

import re
from collections import Counter

_FINDINGS = (
    (
        "PHPUnit named",
        re.compile(r"(?<![\w\\])\\?(?:PHPUnit\\|PHPUnit_\w|SebastianBergmann\\)", re.IGNORECASE),
    ),
    (
        "the report or the command line",
        re.compile(
            r"log-junit|\bjunit\b|\$_SERVER\s*\[\s*['\"]argv['\"]|\$GLOBALS\s*\[\s*['\"]argv['\"]"
            r"|\$argv\b",
            re.IGNORECASE,
        ),
    ),
    (
        "the process's end or its output rewritten",
        re.compile(r"\bregister_shutdown_function\b|\bob_start\s*\(\s*[^\s)]", re.IGNORECASE),
    ),
    (
        "the line measurement or PHP's start-up",
        re.compile(
            r"\bpcov\b|\bxdebug\b|\bauto_prepend_file\b|\bPHP_INI_SCAN_DIR\b", re.IGNORECASE
        ),
    ),
)
#: a comment: ``//`` or ``#`` to the line's end (not ``#[``, an attribute), ``/* ... */``
_COMMENT = re.compile(r"/\*.*?\*/|(?<![:\w])//.*?$|#(?!\[).*?$", re.MULTILINE | re.DOTALL)


def php_harness_uses(text: str) -> Counter[str]:
    """What PHP ``text`` does with PHPUnit, its report or its output, counted by
    finding."""
    code = _COMMENT.sub("", text)
    found: Counter[str] = Counter()
    for label, pattern in _FINDINGS:
        for m in pattern.finditer(code):
            found[f"{label}: {m.group(0).strip()}"] += 1
    return found
