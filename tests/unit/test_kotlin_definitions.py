"""The guard against dropped code reads what a Kotlin file's classes declare
(``kotlindefinitions``).

Before, the guard's line patterns saw a Kotlin file's column 0 only: a class's methods
are indented, and ``dropped_definitions`` of a ``Calc.kt`` without its untested ``neg``
was ``[]`` (an edit deleting it, built and tested by Gradle, would have been verified)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acrouter.definitions import dropped_definitions, guard
from acrouter.errors import ParseError
from acrouter.kotlindefinitions import is_kotlin, kotlin_classes, kotlin_members
from acrouter.verifier.cli import dropped_code, load_edit

CALC_KT = '''\
package calc

import kotlin.math.abs

/* a block comment /* nested */ fun notCode() {} */
class Calc(
    private val base: Int = 0,
    private val onDone: () -> Unit = {},
) : Base() {
    val size: Int get() = 1
    private var count = 0

    constructor(x: Long) : this(x.toInt())

    fun add(a: Int, b: Int): Int = a + b

    fun add(a: Long, b: Long): Long = a + b

    fun neg(a: Int): Int {
        val template = "${mapOf("k" to "}")["k"]} fun inTemplate() {"
        return -a
    }

    @JvmStatic
    internal fun <T> List<T>.second(): T = this[1]

    companion object {
        const val ZERO = 0
        fun create(): Calc = Calc()
    }

    class Bag {
        fun size(): Int = 0
    }
}

val RAW = """
fun notAFunction() {
"""

fun String.shout() = uppercase()

object Registry {
    fun get(): Calc? = null
}
'''
NEG = """
    fun neg(a: Int): Int {
        val template = "${mapOf("k" to "}")["k"]} fun inTemplate() {"
        return -a
    }
"""


def _without(text: str, part: str) -> str:
    assert part in text
    return text.replace(part, "", 1)


def test_what_a_kotlin_file_declares_is_read_with_its_class() -> None:
    read = [(m.owner, m.name, m.kind) for m in kotlin_members(CALC_KT)]
    assert read == [
        ("", "Calc", "type"),
        ("Calc", "base", "variable"),  # the primary constructor's properties
        ("Calc", "onDone", "variable"),
        ("Calc", "size", "variable"),
        ("Calc", "count", "variable"),
        ("Calc", "Calc", "constructor"),
        ("Calc", "add", "method"),
        ("Calc", "add", "method"),
        ("Calc", "neg", "method"),  # (what its body and string template hold is its)
        ("Calc", "second", "method"),
        ("Calc", "Companion", "type"),
        ("Calc.Companion", "ZERO", "variable"),
        ("Calc.Companion", "create", "method"),
        ("Calc", "Bag", "type"),
        ("Calc.Bag", "size", "method"),
        ("", "RAW", "variable"),  # (what the raw string holds is text)
        ("", "shout", "method"),
        ("", "Registry", "type"),
        ("Registry", "get", "method"),
    ]
    assert kotlin_classes(CALC_KT) == {"", "Calc", "Calc.Companion", "Calc.Bag", "Registry"}
    assert is_kotlin("src/main/kotlin/Calc.kt") and is_kotlin("build.gradle.kts")
    assert is_kotlin("x", "kotlin") and not is_kotlin("Calc.java")


POINT_KT = """\
package shapes

data class Point(val x: Int, val y: Int, var label: String = "") {
    fun norm() = x * x + y * y
}

class Box<T : Comparable<T>> @Inject constructor(
    private val items: List<T>,
    size: Int,
    @Json(name = "w") val width: Int = 0,
)
"""


def test_a_primary_constructors_properties_are_the_classs() -> None:
    """A data class's properties are mostly its primary constructor's: one no test
    names (``Point.label``) deleted passed before, as the reader did not read them."""
    read = [(m.line, m.owner, m.name) for m in kotlin_members(POINT_KT) if m.kind == "variable"]
    assert read == [
        (2, "Point", "x"),
        (2, "Point", "y"),
        (2, "Point", "label"),
        (7, "Box", "items"),  # (not size: a parameter, no property)
        (9, "Box", "width"),
    ]
    assert "Box" in kotlin_classes(POINT_KT)  # (its properties are its: no body needed)
    dropped = POINT_KT.replace(', var label: String = ""', "")
    assert dropped_definitions(POINT_KT, dropped, "Point.kt") == ["Point.label"]
    assert dropped_definitions(POINT_KT, dropped, "Point.kt", instruction="Remove label") == []
    narrowed = POINT_KT.replace('    @Json(name = "w") val width: Int = 0,\n', "")
    assert dropped_definitions(POINT_KT, narrowed, "Point.kt") == ["Box.width"]
    same = [
        # a property moved into the body, the parameters one a line, a default changed
        POINT_KT.replace(', var label: String = "") {', ') {\n    var label: String = ""'),
        POINT_KT.replace("(val x: Int, val y: Int,", "(\n    val x: Int,\n    val y: Int,\n   "),
        POINT_KT.replace("val width: Int = 0", "val width: Int = 1"),
    ]
    for edited in same:
        assert edited != POINT_KT
        assert dropped_definitions(POINT_KT, edited, "Point.kt") == [], edited
    # the class gone is one loss, not one per property
    start = POINT_KT.index("class Box")
    assert dropped_definitions(POINT_KT, POINT_KT[:start], "Point.kt") == ["Box"]


LEVEL_KT = """\
package log

@Serializable
enum class Level(val rank: Int) {
    @SerialName("debug") DEBUG(10),
    INFO(20) {
        override fun loud() = false
        val inner = 1
    },
    `WARN`(
        30
    ),
    ERROR(40),
    ;
    open fun loud() = rank >= 30
    enum class Style { PLAIN, COLOR }
}

enum class Mode { READ, WRITE, APPEND }
"""


def test_an_enum_classs_entries_are_its() -> None:
    """An enum entry no test names (``Mode.APPEND``, parsed from a config file with
    ``Mode.valueOf``) deleted passed before: the reader took nothing from an enum's
    entries.  tree-sitter's Kotlin grammar lists the same entries
    (``benchmarks/kotlin_members.py``)."""
    read = [(m.line, m.owner, m.name) for m in kotlin_members(LEVEL_KT) if m.kind == "variable"]
    assert read == [
        (3, "Level", "rank"),
        (4, "Level", "DEBUG"),
        (5, "Level", "INFO"),  # (not inner: the entry's body is the entry's)
        (9, "Level", "WARN"),
        (12, "Level", "ERROR"),
        (15, "Level.Style", "PLAIN"),
        (15, "Level.Style", "COLOR"),
        (18, "Mode", "READ"),
        (18, "Mode", "WRITE"),
        (18, "Mode", "APPEND"),
    ]
    assert [m.name for m in kotlin_members(LEVEL_KT) if m.kind == "method"] == ["loud"]
    path = "src/main/kotlin/log/Level.kt"
    no_append = LEVEL_KT.replace(", APPEND }", " }")
    assert dropped_definitions(LEVEL_KT, no_append, path) == ["Mode.APPEND"]
    assert dropped_definitions(LEVEL_KT, no_append, path, instruction="Remove APPEND") == []
    no_warn = LEVEL_KT.replace("    `WARN`(\n        30\n    ),\n", "")
    assert dropped_definitions(LEVEL_KT, no_warn, path) == ["Level.WARN"]
    no_color = LEVEL_KT.replace("PLAIN, COLOR", "PLAIN")
    assert dropped_definitions(LEVEL_KT, no_color, path) == ["Level.Style.COLOR"]
    same = [
        # entries one a line, reordered, an entry's argument or body changed, the ";" moved
        LEVEL_KT.replace("{ READ, WRITE, APPEND }", "{\n    READ,\n    WRITE,\n    APPEND,\n}"),
        LEVEL_KT.replace("READ, WRITE, APPEND", "APPEND, READ, WRITE"),
        LEVEL_KT.replace("ERROR(40)", "ERROR(50)").replace("= false", "= true"),
        LEVEL_KT.replace("ERROR(40),\n    ;", "ERROR(40);"),
    ]
    for edited in same:
        assert edited != LEVEL_KT
        assert dropped_definitions(LEVEL_KT, edited, path) == [], edited


def test_a_dropped_member_is_refused_by_its_class() -> None:
    path = "src/main/kotlin/calc/Calc.kt"
    assert dropped_definitions(CALC_KT, _without(CALC_KT, NEG), path) == ["Calc.neg"]
    long_add = "    fun add(a: Long, b: Long): Long = a + b\n"
    assert dropped_definitions(CALC_KT, _without(CALC_KT, long_add), path) == ["Calc.add"]
    create = "        fun create(): Calc = Calc()\n"
    assert dropped_definitions(CALC_KT, _without(CALC_KT, create), path) == [
        "Calc.Companion.create"
    ]
    ctor = "    constructor(x: Long) : this(x.toInt())\n"
    assert dropped_definitions(CALC_KT, _without(CALC_KT, ctor), path) == ["constructor Calc"]
    # Bag.size gone while Calc.size stays: a loss, named by its class
    bag_size = "        fun size(): Int = 0\n"
    assert dropped_definitions(CALC_KT, _without(CALC_KT, bag_size), path) == ["Calc.Bag.size"]


def test_what_was_asked_for_moved_or_changed_is_no_loss() -> None:
    path = "Calc.kt"
    no_neg = _without(CALC_KT, NEG)
    assert dropped_definitions(CALC_KT, no_neg, path, instruction="remove neg") == []
    moved = no_neg.replace("    companion object {", NEG.lstrip("\n") + "\n    companion object {")
    assert dropped_definitions(CALC_KT, moved, path) == []
    body = CALC_KT.replace("return -a", "return 0 - a")
    assert dropped_definitions(CALC_KT, body, path) == []
    # a comment's, a template's or a raw string's "fun" changed: no code
    text = CALC_KT.replace("notCode", "x").replace("inTemplate", "y").replace("notAFunction", "z")
    assert dropped_definitions(CALC_KT, text, path) == []
    # the class removed as asked takes its members with it
    start, end = CALC_KT.index("class Calc("), CALC_KT.index('val RAW = """')
    no_calc = CALC_KT[:start] + CALC_KT[end:]
    assert dropped_definitions(CALC_KT, no_calc, path, instruction="remove the Calc class") == []
    assert dropped_definitions(CALC_KT, no_calc, path) == ["Calc"]


def test_acrouter_verify_and_the_editor_refuse_an_edit_that_drops_a_method(
    tmp_path: Path,
) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws/Calc.kt").write_text(CALC_KT)
    edit = {"files": {"Calc.kt": _without(CALC_KT, NEG).replace("a + b", "b + a")}}
    (tmp_path / "drop.json").write_text(json.dumps(edit))
    assert dropped_code(str(tmp_path / "ws"), load_edit(str(tmp_path / "drop.json"))) == (
        "the edit would delete 1 definition(s), method(s) or import(s) of Calc.kt that the "
        "instruction did not ask to remove: Calc.neg (pass --allow-removal if the removal is "
        "meant)"
    )
    with pytest.raises(ParseError, match="did not ask to remove: Calc.neg"):
        guard(
            {"Calc.kt": CALC_KT},
            {"Calc.kt": _without(CALC_KT, NEG)},
            language_of=lambda _rel: "kotlin",
            instruction="make add commutative",
        )
