"""The tripwire of ``harness`` for Perl: what a module of the code under test does with
the tests' assertions, the TAP they print or the harness.

A Perl test script loads the code under test into its own process, after
``Test::More`` (or the older ``Test``) has exported ``ok``, ``is`` and the rest into
it: a module that assigns ``*{"main::ok"} = sub { print "ok ", ++$n, "\\n"; 1 }`` makes
every assertion print ``ok``, the TAP copy and the harness's summary agree, and a
broken edit was verified (Debian's Text::Diff, ``benchmarks/verify_trust.py --only
libtext-diff-perl``).  Found, as a finding each:

- an assertion function named in another package, or built as a name at run time:
  ``main::ok``, ``"::is_deeply"``, ``__PACKAGE__ . "::ok"`` (``ok``, ``is``, ``isnt``,
  ``like``, ``unlike``, ``is_deeply``, ``cmp_ok``, ``pass``, ``fail``, ``plan``,
  ``done_testing``, ``skip``, ``subtest``, ...);
- a test library named (``Test::Builder``, ``Test::More``, ``Test2::API``, ``TAP::Parser``,
  any ``Test::`` / ``Test2::`` / ``TAP::`` package): the code under test has no use for
  one, the tests do;
- TAP printed: a string starting with ``ok`` and a blank or a newline, ``not ok`` or a
  plan (``1..``);
- what perl's test harness reads or how it runs: ``HARNESS_*``, ``PERL_TEST_*``,
  ``PERL5OPT``, ``PERL5LIB`` in ``%ENV``, ``%INC`` entries of a test library (a stand-in
  ``Test/More.pm``), ``CORE::GLOBAL::`` (a builtin replaced for every package:
  ``exit``, ``die``);
- what measures which changed lines ran (:mod:`.lines_perlcov`): the debugger's
  ``DB::`` package and ``$^P``;
- a module the edit adds named like a test library (:func:`names_a_test_library`:
  ``lib/Test.pm``, ``lib/Test2/API.pm``), loaded in the library's place where ``lib``
  comes first (one under ``lib/Test/`` is in a folder of the tests', set aside as theirs).

Read with regular expressions over the code (comments, POD and what follows ``__END__``
taken out), not a parser: only what an edit adds counts, so a false alarm costs only an
edit that adds one of these, and code that builds the names from pieces is not seen.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import PurePosixPath

#: the functions Test::More, Test::Simple and Test export into the test script
_ASSERTIONS = (
    "ok|is|isnt|like|unlike|is_deeply|cmp_ok|pass|fail|plan|done_testing|skip|todo_skip"
    "|subtest|can_ok|isa_ok|new_ok|use_ok|require_ok|diag|note|explain|BAIL_OUT"
)
_FINDINGS = (
    ("an assertion of the tests named", re.compile(rf"::(?:{_ASSERTIONS})(?![\w:])")),
    ("a test library named", re.compile(r"(?<![\w:])(?:Test2?|TAP)::\w+")),
    # (not a bare "ok", a status many modules return)
    ("TAP printed", re.compile(r"""["'](?:not\s+ok|ok(?:[ \t]|\\n))|["']1\.\.""")),
    (
        "the harness's environment",
        re.compile(r"\b(?:HARNESS_\w+|PERL_TEST_\w+|PERL5OPT|PERL5LIB)\b"),
    ),
    ("a test library in %INC", re.compile(r"""\$INC\s*\{\s*["']?(?:Test2?|TAP)\b""")),
    ("CORE::GLOBAL", re.compile(r"\bCORE::GLOBAL::")),
    ("the debugger", re.compile(r"(?<![\w:])DB::|\$\^P\b")),
)
_POD = re.compile(r"^=[a-zA-Z].*?(?:^=cut\b.*?$|\Z)", re.MULTILINE | re.DOTALL)
_END = re.compile(r"^__(?:END|DATA)__\s*$.*", re.MULTILINE | re.DOTALL)
#: a comment: ``#`` at a line's start or after a blank, not in ``$#array`` nor ``s#a#b#``
_COMMENT = re.compile(r"(?:^|(?<=\s))#.*$", re.MULTILINE)


def _code(text: str) -> str:
    """``text`` without its POD, what follows ``__END__`` and its comments."""
    return _COMMENT.sub("", _END.sub("", _POD.sub("", text)))


def perl_harness_uses(text: str) -> Counter[str]:
    """What Perl ``text`` does with the test harness, counted by finding."""
    code = _code(text)
    found: Counter[str] = Counter()
    for label, pattern in _FINDINGS:
        for m in pattern.finditer(code):
            found[f"{label}: {m.group(0).strip()}"] += 1
    return found


#: the packages of Perl's test libraries and harness (``Test.pm``, ``Test::More``,
#: ``Test2::API``, ``TAP::Parser``): the first word of their module names
_LIBRARIES = frozenset({"Test", "Test2", "TAP"})


def names_a_test_library(rel: str) -> bool:
    """Whether the Perl module ``rel`` is named like a test library's (``lib/Test.pm``,
    ``lib/Test2/API.pm``, ``TAP/Parser.pm``): one the edit adds would be loaded in
    place of the library where its folder comes first (``prove -l`` puts ``lib`` there)."""
    path = PurePosixPath(rel)
    if path.suffix != ".pm":
        return False
    return path.stem in _LIBRARIES or any(p in _LIBRARIES for p in path.parts[:-1])
