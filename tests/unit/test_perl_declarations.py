"""Perl's constants and package variables count as definitions: an edit that deletes an
untested ``use constant PI => …`` or ``our $VERSION`` is refused, as a deleted ``sub``
is.

Before, ``use constant PI => 3.14159;`` was read as an import of ``constant``, which any
other ``use constant`` line kept, and ``our`` lines were not read: both could go
unnoticed (a constant exported through ``@EXPORT_OK`` no test calls, a module's
``$VERSION``)."""

from __future__ import annotations

import pytest
from acrouter.definitions import definitions, dropped_definitions

CALC = """\
package Calc;
use strict;
use constant PI => 3.14159;
use constant {
    E   => 2.718,    # Euler's
    TAU => 6.283,
};
our $VERSION = '1.0';
our @EXPORT_OK = qw(add PI);
our ( $debug,
      %cache );
sub add { return $_[0] + $_[1] }
1;
"""


def test_constants_and_package_variables_are_read() -> None:
    names = [d.name for d in definitions(CALC, "lib/Calc.pm")]
    assert names == [
        "Calc",
        "import strict",
        "constant PI",
        "constant E",
        "constant TAU",
        "our $VERSION",
        "our @EXPORT_OK",
        "our $debug",
        "our %cache",
        "add",
    ]


@pytest.mark.parametrize(
    ("line", "lost", "asked"),
    [
        ("use constant PI => 3.14159;\n", "constant PI", "Remove the PI constant"),
        ("    TAU => 6.283,\n", "constant TAU", "Drop TAU"),
        ("our $VERSION = '1.0';\n", "our $VERSION", "Remove the VERSION variable"),
        ("      %cache );\n", "our %cache", "Delete the cache"),
    ],
)
def test_a_constant_or_variable_deleted_is_lost_unless_asked_for(
    line: str, lost: str, asked: str
) -> None:
    edited = CALC.replace(line, ");\n" if line.endswith(");\n") else "")
    if line.endswith(");\n"):
        edited = CALC.replace("our ( $debug,\n      %cache );\n", "our ( $debug );\n")
    assert dropped_definitions(CALC, edited, "lib/Calc.pm") == [lost]
    assert dropped_definitions(CALC, edited, "lib/Calc.pm", instruction=asked) == []


def test_values_and_layout_are_free() -> None:
    same = [
        CALC.replace("3.14159", "3.14"),
        CALC.replace("'1.0'", "'1.1'"),
        # the hash split into constants of their own, the list on one line
        CALC.replace(
            "use constant {\n    E   => 2.718,    # Euler's\n    TAU => 6.283,\n};\n",
            "use constant E => 2.718;\nuse constant TAU => 6.283;\n",
        ),
        CALC.replace("our ( $debug,\n      %cache );\n", "our ($debug, %cache);\n"),
    ]
    for edited in same:
        assert edited != CALC
        assert dropped_definitions(CALC, edited, "lib/Calc.pm") == [], edited
