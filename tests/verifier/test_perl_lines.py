"""Perl's changed lines: which of them the tests ran, from perl's own debugger hooks in
every perl of the run (``lines_perlcov``), and the code under test that reaches into the
tests' assertions (``harness_perl``).

Before, a pass of ``prove`` after an edit that broke a sub no test calls was counted,
with only "which lines ran is not known" said; and a module that redefined the ``ok``
its test scripts import, to print ``ok`` for every assertion, got a broken edit
verified (Debian's Text::Diff, ``benchmarks/verify_trust.py --only
libtext-diff-perl``).  Needs perl with prove (Debian: ``apt-get install perl``)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from acrouter.domain import Verdict
from acrouter.verifier.harness import reaches_into_harness
from acrouter.verifier.harness_perl import names_a_test_library, perl_harness_uses
from acrouter.verifier.lines_perlcov import code_lines, cover_env, read_perlcov

from .helpers import MODES, verify_files, write_tree

CALC = """\
package Calc;
use strict;
our $VERSION = '1.0';

# adds
sub add {
    my ($a, $b) = @_;
    return $a + $b;
}

sub never {
    my ($x) = @_;
    return $x * 2;
}

1;
__END__

=head1 NAME

Calc - adds
"""
ADD_T = """\
use strict;
use Test::More tests => 1;
use Calc;
is(Calc::add(2, 3), 5, 'two plus three');
"""
MAKEFILE_PL = "use ExtUtils::MakeMaker;\nWriteMakefile(NAME => 'Calc', VERSION => '1.0');\n"
NEVER_BROKEN = CALC.replace("return $x * 2;", "return $x * 3;")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    if shutil.which("prove") is None:
        pytest.skip("prove is not installed (Debian: apt-get install perl)")
    files = {"lib/Calc.pm": CALC, "t/add.t": ADD_T, "Makefile.PL": MAKEFILE_PL}
    return write_tree(tmp_path / "calc", files)


def _verify(
    root: Path, files: dict[str, str], command: str = "prove -lr t", **kw: object
) -> Verdict:
    kw.setdefault("timeout_s", 120)
    return verify_files(root, files, command, **kw)


@pytest.mark.parametrize("mode", MODES)
def test_a_sub_no_test_calls_broken_is_not_counted(project: Path, mode: dict[str, object]) -> None:
    v = _verify(project, {"lib/Calc.pm": NEVER_BROKEN}, **mode)
    assert v.verdict == "pass" and not v.counted, v.detail
    assert "no test ran 1 of the 1 statements the edit changes: lib/Calc.pm line 13" in v.detail
    covered = _verify(project, {"lib/Calc.pm": CALC.replace("$a + $b", "$b + $a")}, **mode)
    assert covered.verdict == "pass" and covered.counted and not covered.unrun, covered.detail


def test_the_copy_makemakers_build_runs_is_measured(project: Path) -> None:
    """``make test`` runs ``blib/lib/Calc.pm``, a copy of the edited file: known by its
    text, so its lines count as the edited file's."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed (Debian: apt-get install make)")
    command = "perl Makefile.PL && make test"
    v = _verify(project, {"lib/Calc.pm": NEVER_BROKEN}, command=command)
    assert v.verdict == "pass" and not v.counted and "lib/Calc.pm line 13" in v.detail, v.detail
    ran = _verify(project, {"lib/Calc.pm": CALC.replace("$a + $b", "$b + $a")}, command=command)
    assert ran.verdict == "pass" and ran.counted and not ran.unrun, ran.detail


def test_a_stale_build_the_tests_load_instead_is_not_counted(project: Path) -> None:
    """``prove -b`` runs ``blib/``, built before the edit: the tests never read the edited
    file (our module knows the copy by its text's MD5, never by opening the edited file,
    which would count as the run reading it)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed (Debian: apt-get install make)")
    for step in (["perl", "Makefile.PL"], ["make"]):
        subprocess.run(step, cwd=project, check=True, capture_output=True)
    broken = CALC.replace("return $a + $b;", "return $a - $b;")
    v = _verify(project, {"lib/Calc.pm": broken}, command="prove -b t")
    assert v.verdict == "pass" and not v.counted, v.detail
    assert "no process of the tests' run opened lib/Calc.pm" in v.detail, v.detail


def test_a_script_run_with_taint_checks_is_measured(project: Path) -> None:
    """``#!perl -T``: perl ignores ``PERL5OPT`` and ``PERL5LIB``; the harness's
    ``HARNESS_PERL_SWITCHES`` still load our module, so the line it ran counts."""
    tainted = "#!perl -T\n" + ADD_T.replace("5, 'two", "5, 'two").replace(
        "is(Calc::add(2, 3)", "is(Calc::never(2), 4, 'twice');\nis(Calc::add(2, 3)"
    ).replace("tests => 1", "tests => 2")
    write_tree(project, {"t/add.t": tainted})
    v = _verify(project, {"lib/Calc.pm": CALC.replace("$x * 2", "2 * $x")})
    assert v.verdict == "pass" and v.counted and not v.unrun, v.detail


def test_a_module_that_forges_the_assertions_is_not_verified(project: Path) -> None:
    """The module, loaded after Test::More exported ``is``, makes every ``is`` print
    ``ok``: its TAP and the harness's count would agree that all passed."""
    forged = NEVER_BROKEN.replace(
        "our $VERSION = '1.0';\n",
        "our $VERSION = '1.0';\n{ no strict 'refs'; no warnings 'redefine'; my $n = 0;\n"
        '  *{"main::is"} = sub { print "ok ", ++$n, "\\n"; 1 }; }\n',
    ).replace("return $a + $b;", "return 0;")
    v = _verify(project, {"lib/Calc.pm": forged})
    assert v.verdict == "fail" and not v.counted, v.detail
    assert "reaches into the test harness" in v.detail and "::is" in v.detail, v.detail


def test_what_reaches_into_perls_harness() -> None:
    found = perl_harness_uses(
        'use Test::Builder;\n*{"main::ok"} = sub { print "not ok 1\\n" };\n'
        '$ENV{HARNESS_ACTIVE} = 1;\n$INC{"Test/More.pm"} = 1;\n'
        '*CORE::GLOBAL::exit = sub {};\n$DB::single = 1;\nprint "1..3\\n";\n'
    )
    assert set(found) == {
        "a test library named: Test::Builder",
        "an assertion of the tests named: ::ok",
        'TAP printed: "not ok',
        'TAP printed: "1..',
        "the harness's environment: HARNESS_ACTIVE",
        'a test library in %INC: $INC{"Test',
        "CORE::GLOBAL: CORE::GLOBAL::",
        "the debugger: DB::",
    }
    # comments, POD and data are no code; a status "ok", $#list, DBI, My::Test::Util, is_valid
    quiet = (
        "# main::ok Test::More\nreturn 'ok';\nmy $n = $#list;\nDBI->connect;\n"
        "My::Test::Util::x();\nFoo::is_valid();\n__END__\nTest::More\n"
    )
    assert perl_harness_uses(quiet) == {}
    assert perl_harness_uses("=head1 SEE ALSO\n\nTest::More\n\n=cut\n\n1;\n") == {}


def test_only_what_the_edit_adds_to_the_code_counts() -> None:
    helper = "package My::Test::Helpers;\nuse Test::Builder;\nsub check { 1 }\n1;\n"
    olds = {"lib/My/Test/Helpers.pm": helper, "t/lib/Helper.pm": ""}
    edited = {"lib/My/Test/Helpers.pm": helper.replace("{ 1 }", "{ 2 }")}
    assert reaches_into_harness(edited, olds) is None  # Test::Builder was there before
    assert reaches_into_harness({"t/lib/Helper.pm": "use Test::More;\n1;\n"}, olds) is None
    using = CALC.replace("1;\n__END__", "use Test::More;\n1;\n__END__")
    why = reaches_into_harness({"lib/Calc.pm": using}, {"lib/Calc.pm": CALC})
    assert why is not None and "Test::More" in why
    # what follows __END__ is no code
    after = reaches_into_harness({"lib/Calc.pm": CALC + "\nTest::More\n"}, {"lib/Calc.pm": CALC})
    assert after is None


def test_what_each_perl_wrote_is_merged(tmp_path: Path) -> None:
    files = {"lib/Calc.pm": (CALC, NEVER_BROKEN)}
    for pid, ran in ((1, [3, 7, 8, 16]), (2, [3, 12])):
        data = {"files": {"lib/Calc.pm": {"statements": [3, 7, 8, 12, 13, 16], "ran": ran}}}
        (tmp_path / f"acrouter-pl-{pid}.json").write_text(json.dumps(data), encoding="utf-8")
    traced = read_perlcov(tmp_path, files)
    assert traced is not None and not traced.cut and not traced.unmeasured
    assert traced.lines["lib/Calc.pm"] == frozenset({3, 7, 8, 12, 16})
    [change] = traced.changes
    assert change.statements == ((13, 13),)
    (tmp_path / "acrouter-pl-3.start").write_text("", encoding="utf-8")  # never wrote
    again = read_perlcov(tmp_path, {**files, "lib/Other.pm": ("1;\n", "2;\n")})
    assert again is not None and again.cut and again.unmeasured == {"lib/Other.pm"}
    assert read_perlcov(tmp_path / "none", files) is None


def test_the_lines_with_code_and_how_the_run_is_measured(tmp_path: Path) -> None:
    assert code_lines(CALC) == {1, 2, 3, 7, 8, 12, 13, 16}
    env = cover_env(str(tmp_path), "/ws", {"lib/Calc.pm": (CALC, NEVER_BROKEN)}, {"PERL5LIB": "/p"})
    assert env is not None
    lib = tmp_path / "acrouter-perl"
    assert (lib / "Devel" / "ACRouterCov.pm").is_file()
    assert env["PERL5OPT"] == "-d:ACRouterCov" and env["PERL5LIB"] == f"/p:{lib}"
    assert env["HARNESS_PERL_SWITCHES"] == f"-I{lib} -d:ACRouterCov"
    digest = hashlib.md5(NEVER_BROKEN.encode("utf-8"), usedforsecurity=False).hexdigest()
    assert env["ACROUTER_PL_FILES"] == f"lib/Calc.pm\t{digest}\t/ws/lib/Calc.pm"
    assert cover_env("/a b", "/ws", {"lib/Calc.pm": (CALC, CALC)}, {}) is None
    assert cover_env("/a:b", "/ws", {"lib/Calc.pm": (CALC, CALC)}, {}) is None


#: a stand-in for Test.pm that prints every assertion as passed, its TAP built from
#: pieces (the tripwire reads none of it)
FAKE_TEST_PM = """\
package Test;
my $n = 0;
sub import { my $c = caller; *{"${c}::$_"} = \\&{$_} for qw(plan ok); }
sub plan { my %a = @_; print "1" . "..$a{tests}\\n" }
sub ok { print "o" . "k ", ++$n, "\\n"; 1 }
1;
"""


def test_a_module_the_edit_adds_named_like_a_test_library_is_not_verified() -> None:
    """``prove -l`` puts ``lib`` first: a ``lib/Test.pm`` the edit adds is the ``Test``
    the scripts load.  One under ``lib/Test/`` is in a test folder: set aside."""
    assert perl_harness_uses(FAKE_TEST_PM) == {}
    why = reaches_into_harness({"lib/Test.pm": FAKE_TEST_PM}, {"lib/Test.pm": None})
    assert why is not None and "named like a Perl test library" in why
    for rel in ("lib/Test2/API.pm", "lib/TAP/Parser.pm", "Test.pm"):
        assert names_a_test_library(rel), rel
    for rel in ("lib/Text/Diff.pm", "lib/My/Tester.pm", "lib/Test.pl"):
        assert not names_a_test_library(rel), rel
    # the project's own module of that name, edited: its own code
    assert (
        reaches_into_harness(
            {"lib/Test.pm": "package Test;\n2;\n"}, {"lib/Test.pm": "package Test;\n1;\n"}
        )
        is None
    )
