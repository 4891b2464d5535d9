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
    names = [m.name for m in java_members(CALC)]
    assert names == ["NAME", "add", "neg", "toString", "max", "Inner", "values"]
    # the line patterns' top-level class and import, then the members, in order
    listed = [d.name for d in definitions(CALC, "src/calc/Calc.java")]
    assert listed == ["calc", "import java.util.List", "Calc", *names]  # (package: Perl's pattern)
    header = {d.name: d.header for d in definitions(CALC, "src/calc/Calc.java")}
    assert header["neg"] == "public static int neg(int a) {"


def test_a_dropped_method_or_nested_class_is_refused() -> None:
    assert dropped_definitions(CALC, WITHOUT_NEG, "src/calc/Calc.java") == ["Calc.neg"]
    renamed = CALC.replace("int neg(", "int negate(")
    assert dropped_definitions(CALC, renamed, "src/calc/Calc.java") == ["Calc.neg"]
    no_inner = CALC.replace(
        "    static class Inner {\n        int[] values() { return new int[0]; }\n    }\n", ""
    )
    assert dropped_definitions(CALC, no_inner, "src/calc/Calc.java") == ["Calc.Inner"]
    # by the editor's language id too, whatever the file is called
    assert dropped_definitions(CALC, WITHOUT_NEG, "Calc.txt", language="java") == ["Calc.neg"]
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
    names = {m.name for m in java_members(CALC)}
    assert not names & {"compute", "run", "notAMethod", "alsoNot", "Calc", "IllegalStateException"}
    # the body of a method a text block holds is text
    block = 'class T {\n    String s = """\n        int inBlock() {\n        """;\n    int m() { return 1; }\n}\n'
    assert [m.name for m in java_members(block)] == ["s", "m"]  # (a field, and a method)
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
    names = [m.name for m in java_members(text)]
    assert names == ["area", "twice", "Kind", "ROUND", "SQUARE", "label", "Point", "x", "y", "sum"]
    assert dropped_definitions(text, text.replace("    double area();\n", ""), "Shape.java") == [
        "Shape.area"
    ]


def test_other_languages_are_not_read_as_java() -> None:
    assert is_java("src/A.java") and is_java("a.txt", "java") and is_java("A.JAVA")
    assert not is_java("a.kt") and not is_java("a.js", "javascript") and not is_java("C.cs")
    # a C# file is read by its own reader (csharpdefinitions)
    cs = "namespace N {\nclass C {\n    public int Neg(int a) { return -a; }\n}\n}\n"
    no_neg = cs.replace("    public int Neg(int a) { return -a; }\n", "")
    assert dropped_definitions(cs, no_neg, "C.cs") == ["C.Neg"]


def test_acrouter_verify_refuses_an_edit_that_drops_a_method(tmp_path: Path) -> None:
    (tmp_path / "ws/src/calc").mkdir(parents=True)
    (tmp_path / "ws/src/calc/Calc.java").write_text(CALC)
    (tmp_path / "drop.json").write_text(json.dumps({"files": {"src/calc/Calc.java": WITHOUT_NEG}}))
    edit = load_edit(str(tmp_path / "drop.json"))
    assert dropped_code(str(tmp_path / "ws"), edit) == (
        "the edit would delete 1 definition(s), method(s) or import(s) of src/calc/Calc.java "
        "that the instruction did not ask to remove: Calc.neg (pass --allow-removal if the removal "
        "is meant)"
    )
    kept = {"files": {"src/calc/Calc.java": CALC.replace("-a", "0 - a")}}
    (tmp_path / "keep.json").write_text(json.dumps(kept))
    assert dropped_code(str(tmp_path / "ws"), load_edit(str(tmp_path / "keep.json"))) == ""
    # the editor's path: a model's reply that drops it is refused before any test runs
    with pytest.raises(ParseError, match="did not ask to remove: Calc.neg"):
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
    assert [m.name for m in java_members(text)] == [
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
    assert dropped_definitions(text, without, "Collectors.java") == ["Collectors.counting"]
    # a local class, like an anonymous one, is its method's business
    inlined = text.replace(
        "        class Local {\n            int inside() { return 1; }\n        }\n"
        "        return new Local().inside();",
        "        return 1;",
    )
    assert dropped_definitions(text, inlined, "Collectors.java") == []


OVERLOADS = """\
package calc;

public class Calc {
    private final int seed;

    public Calc() { this(0); }

    public Calc(int seed) {
        this.seed = seed;
    }

    public static int add(int a, int b) { return a + b; }

    public static long add(long a, long b) { return a + b; }

    public int size() { return seed; }

    static class Bag {
        int size() { return 0; }
        void clear() { }
    }
}
"""


def _without(text: str, line: str) -> str:
    assert line in text
    return text.replace(line, "")


def test_one_of_two_overloads_or_a_name_another_class_keeps_is_counted() -> None:
    # Before, names were compared as a set: an edit dropping the long overload of add, a
    # constructor, or Bag.size (Calc.size kept the name) was passed by the guard
    path = "src/calc/Calc.java"
    long_add = "    public static long add(long a, long b) { return a + b; }\n"
    assert dropped_definitions(OVERLOADS, _without(OVERLOADS, long_add), path) == ["Calc.add"]
    bag_size = "        int size() { return 0; }\n"
    assert dropped_definitions(OVERLOADS, _without(OVERLOADS, bag_size), path) == ["Calc.Bag.size"]
    seeded = "    public Calc(int seed) {\n        this.seed = seed;\n    }\n"
    assert dropped_definitions(OVERLOADS, _without(OVERLOADS, seeded), path) == ["constructor Calc"]
    # asked for by name, it may go
    assert (
        dropped_definitions(
            OVERLOADS, _without(OVERLOADS, long_add), path, instruction="remove the long add"
        )
        == []
    )


def test_what_keeps_its_count_is_no_loss() -> None:
    path = "src/calc/Calc.java"
    # an overload's parameters changed, a constructor made to do nothing, a method moved
    # to the other class of the file: each name is declared as many times as before
    widened = OVERLOADS.replace("int add(int a, int b)", "int add(short a, short b)")
    assert dropped_definitions(OVERLOADS, widened, path) == []
    moved = _without(OVERLOADS, "        void clear() { }\n").replace(
        "    public int size()", "    void clear() { }\n\n    public int size()"
    )
    assert dropped_definitions(OVERLOADS, moved, path) == []
    # an empty constructor that takes nothing is what javac makes when it goes
    assert dropped_definitions(CALC, _without(CALC, "    public Calc() { }\n"), path) == []
    assert {m.name for m in java_members(CALC) if m.kind == "constructor"} == set()


def test_the_members_of_a_class_removed_on_request_go_with_it() -> None:
    # Before, "remove the Inner class" was refused: its method values was not asked for
    no_bag = OVERLOADS.replace(
        "    static class Bag {\n        int size() { return 0; }\n        void clear() { }\n    }\n",
        "",
    )
    path = "src/calc/Calc.java"
    assert dropped_definitions(OVERLOADS, no_bag, path, instruction="remove the Bag class") == []
    assert dropped_definitions(OVERLOADS, no_bag, path) == ["Calc.Bag"]


def test_a_constructor_called_on_a_line_of_its_own_is_no_declaration() -> None:
    # the JDK's DateFormat.Field: "public static final Field DAY_OF_MONTH = new⏎
    # Field(...)" had been read as nine more constructors of Field
    text = """\
public class Field {
    protected Field(String name) {
        this.name = name;
    }

    public static final Field ERA = new
        Field("era");
}
"""
    assert [(m.name, m.kind) for m in java_members(text)] == [
        ("Field", "constructor"),
        ("ERA", "variable"),  # (a field)
    ]
    joined = text.replace("new\n        Field(", "new Field(")
    assert dropped_definitions(text, joined, "Field.java") == []


POINT = """\
package geo;

import java.util.Objects;

public record Point(int x, int y, String label) {
    public Point {
        Objects.requireNonNull(label);
        if (x < 0 || y < 0) {
            throw new IllegalArgumentException("negative");
        }
    }

    public int x() { return x; }

    public String describe() { return label + ": " + x + ", " + y; }

    record Pair<A, B extends Comparable<B>>(
            A first,
            @Deprecated B second) {
    }

    static record Parts(@SuppressWarnings("unused") String... parts) { }

    static Point origin() {
        record Local(int z) { }
        return new Point(new Local(0).z(), 0, "origin");
    }
}
"""
#: ``label`` gone from the header and from the record's own uses of it
NO_LABEL = (
    POINT.replace("int y, String label)", "int y)")
    .replace("        Objects.requireNonNull(label);\n", "")
    .replace('return label + ": " + x', "return x")
    .replace('0, "origin")', "0)")
)


def test_a_records_components_are_read_as_its_fields() -> None:
    # Before, a record's header was not read: its components (javac's private final
    # fields, each with its accessor) were not members at all
    got = [(m.owner, m.name, m.kind, m.line) for m in java_members(POINT)]
    header = POINT.split("\n").index("public record Point(int x, int y, String label) {")
    pair = POINT.split("\n").index("            A first,")
    assert got == [
        ("Point", "x", "variable", header),
        ("Point", "y", "variable", header),
        ("Point", "label", "variable", header),
        # the compact constructor is its body's; the accessor x() the record writes is
        # the one javac would make: neither is listed
        ("Point", "describe", "method", header + 10),
        ("Point", "Pair", "type", pair - 1),
        ("Point.Pair", "first", "variable", pair),  # (its type parameters skipped)
        ("Point.Pair", "second", "variable", pair + 1),  # (an annotation before its type)
        ("Point", "Parts", "type", pair + 4),
        ("Point.Parts", "parts", "variable", pair + 4),  # (varargs)
        ("Point", "origin", "method", pair + 6),  # (its local record is its body's)
    ]


def test_a_records_component_dropped_or_renamed_is_lost() -> None:
    path = "src/geo/Point.java"
    # Before: passed, though every caller of label() and of the three-argument
    # constructor is broken, and no test needs either
    assert dropped_definitions(POINT, NO_LABEL, path) == ["Point.label"]
    renamed = POINT.replace("String label", "String name").replace("(label)", "(name)")
    assert dropped_definitions(POINT, renamed.replace("return label", "return name"), path) == [
        "Point.label"
    ]
    no_second = POINT.replace("A first,\n            @Deprecated B second)", "A first)")
    assert dropped_definitions(POINT, no_second, path) == ["Point.Pair.second"]
    # asked for by name, it may go
    for asked in ("Remove the label component of Point", "Rename label to name"):
        assert dropped_definitions(POINT, NO_LABEL, path, instruction=asked) == [], asked
    # a component split over lines: the line of its name counts for the selection
    line = POINT.split("\n").index("            @Deprecated B second) {")
    assert dropped_definitions(POINT, no_second, path, exempt_lines=(line, line)) == []


def test_what_keeps_a_records_components_is_no_loss() -> None:
    path = "src/geo/Point.java"
    same = [
        POINT.replace('return label + ": "', 'return label + " = "'),  # a method's body
        # the header reformatted over lines, a component's type changed
        POINT.replace(
            "(int x, int y, String label) {",
            "(\n        int x,\n        int y,\n        String label) {",
        ),
        POINT.replace("String label)", "CharSequence label)"),
        # the compact constructor edited, then gone
        POINT.replace("x < 0 || y < 0", "x < 0"),
        POINT.replace(
            "    public Point {\n        Objects.requireNonNull(label);\n"
            '        if (x < 0 || y < 0) {\n            throw new IllegalArgumentException("negative");\n'
            "        }\n    }\n",
            "",
        ),
        # the accessor it wrote left to javac, which makes the same (before: "Point.x")
        POINT.replace("    public int x() { return x; }\n", ""),
    ]
    for new in same:
        assert new != POINT
        assert {m.name for m in java_members(new) if m.owner == "Point"} >= {"x", "y", "label"}
        assert dropped_definitions(POINT, new, path) == [], new


def test_a_top_level_class_is_read_with_the_members_on_its_line() -> None:
    # the record's line holds its components; a class's may hold a field. Before, the
    # members read there hid the class from the line patterns: an edit deleting the
    # class (a record whose header holds a component now) passed
    path = "src/geo/Shapes.java"
    text = "package geo;\n\nclass Box { int side; }\n\nrecord Dot(int x) { }\n\nclass Kept {\n}\n"
    without_box = text.replace("class Box { int side; }\n\n", "")
    assert dropped_definitions(text, without_box, path) == ["Box"]
    without_dot = text.replace("record Dot(int x) { }\n\n", "")
    assert dropped_definitions(text, without_dot, path) == ["Dot"]
    # (each line's members first, then what the line patterns read there)
    assert [d.name for d in definitions(text, path)] == ["geo", "side", "Box", "x", "Dot", "Kept"]
