"""The guard against dropped code reads a Java class's members (``javadefinitions``).

Before, the guard saw only a Java file's imports and top-level classes (the lines at
column 0): an edit of ``Calc.java`` that dropped ``neg``, a method no test calls, was
verified and learned as a pass, since no changed line of it was left to be unrun."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acrouter.definitions import definitions, dropped_definitions, guard
from acrouter.errors import ParseError
from acrouter.javadefinitions import code_view, is_java, java_members
from acrouter.verifier.cli import dropped_code, load_edit

CALC = """\
package calc;

import java.util.List;

/** Adds.
 *  int notAMethod(int x) {
 */
public class Calc {
    private static final String NAME = "int alsoNot(";
    public Calc() { }

    // adds
    public static int add(int a, int b) {
        int y = compute(a);
        return y + b;
    }

    public static int neg(int a) {
        return -a;
    }

    @Override
    public String toString() { return "Calc"; }

    public static <T extends Comparable<T>> T max(List<? extends T> xs) {
        Runnable r = new Runnable() {
            public void run() { }
        };
        throw new IllegalStateException("not yet");
    }

    static class Inner {
        int[] values() { return new int[0]; }
    }
}
"""
NEG = "\n    public static int neg(int a) {\n        return -a;\n    }\n"
WITHOUT_NEG = CALC.replace(NEG, "")


def test_the_members_of_a_class_body_are_read() -> None:
    names = [name for _line, name, _header in java_members(CALC)]
    assert names == ["add", "neg", "toString", "max", "Inner", "values"]
    # the line patterns' top-level class and import, then the members, in order
    listed = [d.name for d in definitions(CALC, "src/calc/Calc.java")]
    assert listed == ["calc", "import java.util.List", "Calc", *names]  # (package: Perl's pattern)
    header = {d.name: d.header for d in definitions(CALC, "src/calc/Calc.java")}
    assert header["neg"] == "public static int neg(int a) {"


def test_a_dropped_method_or_nested_class_is_refused() -> None:
    assert dropped_definitions(CALC, WITHOUT_NEG, "src/calc/Calc.java") == ["neg"]
    renamed = CALC.replace("int neg(", "int negate(")
    assert dropped_definitions(CALC, renamed, "src/calc/Calc.java") == ["neg"]
    no_inner = CALC.replace(
        "    static class Inner {\n        int[] values() { return new int[0]; }\n    }\n", ""
    )
    assert dropped_definitions(CALC, no_inner, "src/calc/Calc.java") == ["Inner", "values"]
    # by the editor's language id too, whatever the file is called
    assert dropped_definitions(CALC, WITHOUT_NEG, "Calc.txt", language="java") == ["neg"]
    # asked for, or inside the selection, it may go
    assert dropped_definitions(CALC, WITHOUT_NEG, "Calc.java", instruction="remove neg") == []
    start = CALC.split("\n").index("    public static int neg(int a) {")
    assert (
        dropped_definitions(CALC, WITHOUT_NEG, "Calc.java", exempt_lines=(start, start + 2)) == []
    )


def test_what_a_body_a_comment_or_a_string_holds_is_no_member() -> None:
    # a method's statements, an anonymous class's method turned into a lambda, the
    # constructor rewritten: the class's members are all still there
    edited = (
        CALC.replace("int y = compute(a);", "int y = a;")
        .replace(
            "Runnable r = new Runnable() {\n            public void run() { }\n        };",
            "Runnable r = () -> { };",
        )
        .replace("throw new IllegalStateException", "throw new UnsupportedOperationException")
        .replace("public Calc() { }", "")
        .replace(" *  int notAMethod(int x) {\n", "")
        .replace('"int alsoNot("', '"calc"')
    )
    assert dropped_definitions(CALC, edited, "src/calc/Calc.java") == []
    names = {name for _line, name, _header in java_members(CALC)}
    assert not names & {"compute", "run", "notAMethod", "alsoNot", "Calc", "IllegalStateException"}
    # the body of a method a text block holds is text
    block = 'class T {\n    String s = """\n        int inBlock() {\n        """;\n    int m() { return 1; }\n}\n'
    assert [name for _line, name, _header in java_members(block)] == ["m"]
    assert code_view(block)[2] == ""


def test_members_of_interfaces_enums_and_records_count() -> None:
    text = """\
public interface Shape {
    double area();
    default double twice() { return 2 * area(); }
    enum Kind {
        ROUND, SQUARE;
        String label() { return name(); }
    }
    record Point(int x, int y) {
        int sum() { return x + y; }
    }
}
"""
    names = [name for _line, name, _header in java_members(text)]
    assert names == ["area", "twice", "Kind", "label", "Point", "sum"]
    assert dropped_definitions(text, text.replace("    double area();\n", ""), "Shape.java") == [
        "area"
    ]


def test_other_languages_are_not_read_as_java() -> None:
    assert is_java("src/A.java") and is_java("a.txt", "java") and is_java("A.JAVA")
    assert not is_java("a.kt") and not is_java("a.js", "javascript")
    cs = "namespace N {\nclass C {\n    public int Neg(int a) { return -a; }\n}\n}\n"
    assert (
        dropped_definitions(
            cs, cs.replace("    public int Neg(int a) { return -a; }\n", ""), "C.cs"
        )
        == []
    )


def test_acrouter_verify_refuses_an_edit_that_drops_a_method(tmp_path: Path) -> None:
    (tmp_path / "ws/src/calc").mkdir(parents=True)
    (tmp_path / "ws/src/calc/Calc.java").write_text(CALC)
    (tmp_path / "drop.json").write_text(json.dumps({"files": {"src/calc/Calc.java": WITHOUT_NEG}}))
    edit = load_edit(str(tmp_path / "drop.json"))
    assert dropped_code(str(tmp_path / "ws"), edit) == (
        "the edit would delete 1 definition(s), method(s) or import(s) of src/calc/Calc.java "
        "that the instruction did not ask to remove: neg (pass --allow-removal if the removal "
        "is meant)"
    )
    kept = {"files": {"src/calc/Calc.java": CALC.replace("-a", "0 - a")}}
    (tmp_path / "keep.json").write_text(json.dumps(kept))
    assert dropped_code(str(tmp_path / "ws"), load_edit(str(tmp_path / "keep.json"))) == ""
    # the editor's path: a model's reply that drops it is refused before any test runs
    with pytest.raises(ParseError, match="did not ask to remove: neg"):
        guard(
            {"src/calc/Calc.java": CALC},
            {"src/calc/Calc.java": WITHOUT_NEG},
            language_of=lambda _rel: "java",
            instruction="make add faster",
        )


def test_a_declaration_broken_before_its_name_or_its_parenthesis_counts() -> None:
    # the JDK's own styles (Collectors.counting, CompletionStage.thenApply, Optional.empty)
    text = """\
public final class Collectors {
    public static <T> Collector<T, ?, Long>
    counting() {
        return summingLong(e -> 1L);
    }

    public <U> CompletionStage<U> thenApply
        (Function<? super T,? extends U> fn) {
        return null;
    }

    public static<T> Optional<T> empty() {
        return null;
    }

    public int size() {
        class Local {
            int inside() { return 1; }
        }
        return new Local().inside();
    }
}
"""
    assert [name for _line, name, _header in java_members(text)] == [
        "counting",
        "thenApply",
        "empty",
        "size",
    ]
    without = text.replace(
        "    public static <T> Collector<T, ?, Long>\n    counting() {\n"
        "        return summingLong(e -> 1L);\n    }\n",
        "",
    )
    assert dropped_definitions(text, without, "Collectors.java") == ["counting"]
    # a local class, like an anonymous one, is its method's business
    inlined = text.replace(
        "        class Local {\n            int inside() { return 1; }\n        }\n"
        "        return new Local().inside();",
        "        return 1;",
    )
    assert dropped_definitions(text, inlined, "Collectors.java") == []
