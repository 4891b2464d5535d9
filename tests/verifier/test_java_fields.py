"""A Java field, constant or enum constant no test needs, dropped, is refused before
any test runs.

The Java reader read a class's methods, constructors and nested types, not its fields:
an edit deleting a public constant (``Calc.LIMIT``) or an enum's constant
(``Op.NEG``) that no test reaches compiled, its tests passed, and ``acrouter verify``
said *pass*."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.definitions import dropped_definitions
from acrouter.domain import Edit
from acrouter.javadefinitions import java_members
from acrouter.verifier.cli import verify_edit

from .helpers import OVERLAY_AND_NONE, needs_javac, verifier, write_tree
from .test_java_lines import RUN_SH, RUN_TEST

CALC = """\
package calc;

import java.util.HashMap;
import java.util.Map;

public class Calc {
    /** The most a sum may be. */
    public static final int LIMIT = 100, FLOOR = -100;
    private final Map<String, Integer> cache = new HashMap<String, Integer>();
    @Deprecated
    protected int[] seen = {1, 2};
    private final Runnable hook = new Runnable() {
        int calls = 0;
        public void run() { calls++; }
    };

    public enum Op {
        ADD("+"),
        NEG("-") {
            @Override
            public String symbol() { return "neg"; }
        };

        private final String sign;

        Op(String sign) { this.sign = sign; }

        public String symbol() { return sign; }
    }

    public static int add(int a, int b) {
        int local = a + b;
        return local;
    }
}
"""
NEG = """\
        NEG("-") {
            @Override
            public String symbol() { return "neg"; }
        };
"""
WITHOUT_NEG = CALC.replace('        ADD("+"),\n' + NEG, '        ADD("+");\n')


def test_fields_and_enum_constants_are_read_with_their_class() -> None:
    got = [(m.owner, m.name) for m in java_members(CALC) if m.kind == "variable"]
    assert got == [
        ("Calc", "LIMIT"),
        ("Calc", "FLOOR"),
        ("Calc", "cache"),
        ("Calc", "seen"),
        ("Calc", "hook"),
        ("Calc.Op", "ADD"),
        ("Calc.Op", "NEG"),
        ("Calc.Op", "sign"),
    ]


@pytest.mark.parametrize(
    ("new", "lost"),
    [
        (
            CALC.replace("    public static final int LIMIT = 100, FLOOR = -100;\n", ""),
            ["Calc.LIMIT", "Calc.FLOOR"],
        ),
        (CALC.replace("LIMIT = 100, FLOOR = -100;", "LIMIT = 100;"), ["Calc.FLOOR"]),
        (WITHOUT_NEG, ["Calc.Op.NEG"]),
        (CALC.replace("    @Deprecated\n    protected int[] seen = {1, 2};\n", ""), ["Calc.seen"]),
    ],
)
def test_a_field_or_constant_dropped_is_lost(new: str, lost: list[str]) -> None:
    assert new != CALC
    assert dropped_definitions(CALC, new, "src/calc/Calc.java") == lost
    asked = f"Remove the unused {lost[0].split('.')[-1]}"
    assert (
        lost[1:] == []
        or dropped_definitions(CALC, new, "src/calc/Calc.java", instruction=asked) == lost[1:]
    )


def test_what_changes_no_field_is_no_loss() -> None:
    same = [
        CALC.replace("LIMIT = 100", "LIMIT = 1000"),  # a value
        CALC.replace("int calls = 0;\n", ""),  # an anonymous class's field
        CALC.replace("int local = a + b;\n        return local;", "return a + b;"),  # a local
        CALC.replace("{1, 2}", "{1, 2, 3}"),  # an array's value
        # a field moved within its class, and its declarators on two lines
        CALC.replace("    public static final int LIMIT = 100, FLOOR = -100;\n", "").replace(
            "    public static int add(",
            "    public static final int LIMIT = 100,\n        FLOOR = -100;\n\n    public static int add(",
        ),
    ]
    for new in same:
        assert new != CALC
        assert dropped_definitions(CALC, new, "src/calc/Calc.java") == [], new


@needs_javac
@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_dropped_constant_before_the_tests_pass_it(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    files = {"src/calc/Calc.java": CALC, "test/calc/RunTest.java": RUN_TEST, "run.sh": RUN_SH}
    root = write_tree(tmp_path / "calc", files)
    ver = verifier(cache_dir=tmp_path / "cache", timeout_s=240, **mode)
    edit = Edit(files={"src/calc/Calc.java": WITHOUT_NEG})
    v = verify_edit(ver, str(root), edit, "sh run.sh")
    assert v.verdict == "error" and not v.counted, v.detail
    assert "that the instruction did not ask to remove: Calc.Op.NEG" in v.detail, v.detail
    # the tests cannot tell: with the removal allowed they build, run and pass
    allowed = verify_edit(ver, str(root), edit, "sh run.sh", allow_removal=True)
    assert allowed.verdict == "pass", allowed.detail


POINT = """\
package calc;

/** Where a shape sits; its label is for people, and no test reads it. */
public record Point(int x, int y, String label) {
    public Point {
        if (x < 0 || y < 0) {
            throw new IllegalArgumentException("negative");
        }
    }

    public int x() { return x; }

    public String describe() {
        return label + ": " + x + ", " + y;
    }
}
"""
#: the ``label`` component dropped, with the record's own use of it
POINT_NO_LABEL = POINT.replace("int y, String label)", "int y)").replace('label + ": " + ', "")
#: the header over lines, the compact constructor edited, the written accessor left to
#: javac (which makes the same): nothing the record declares is gone
POINT_REWORKED = (
    POINT.replace(
        "(int x, int y, String label) {",
        "(\n        int x,\n        int y,\n        String label) {",
    )
    .replace("x < 0 || y < 0", "x < 0 || y < 0 || label.isEmpty()")
    .replace("    public int x() { return x; }\n\n", "")
)


@needs_javac
@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_a_records_component_no_test_needs(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    # Before, a record's components were not read: the edit dropping label compiled,
    # the tests (of Calc.add) passed, and acrouter verify said "pass"
    files = {
        "src/calc/Calc.java": CALC,
        "src/calc/Point.java": POINT,
        "test/calc/RunTest.java": RUN_TEST,
        "run.sh": RUN_SH,
    }
    root = write_tree(tmp_path / "calc", files)
    ver = verifier(cache_dir=tmp_path / "cache", timeout_s=240, **mode)
    edit = Edit(files={"src/calc/Point.java": POINT_NO_LABEL})
    v = verify_edit(ver, str(root), edit, "sh run.sh")
    assert v.verdict == "error" and not v.counted, v.detail
    assert "that the instruction did not ask to remove: Point.label" in v.detail, v.detail
    # the tests cannot tell: with the removal allowed they build, run and pass
    allowed = verify_edit(ver, str(root), edit, "sh run.sh", allow_removal=True)
    assert allowed.verdict == "pass", allowed.detail
    # what keeps every component (and leaves x() to javac) is verified as before
    kept = verify_edit(
        ver, str(root), Edit(files={"src/calc/Point.java": POINT_REWORKED}), "sh run.sh"
    )
    assert kept.verdict == "pass", kept.detail
