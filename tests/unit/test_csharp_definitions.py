"""The guard against dropped code reads what a C# file's types declare
(``csharpdefinitions``).

Before, the guard's line patterns saw a C# file's column 0 only, and a C# file's types
sit inside a ``namespace { … }`` block: ``acrouter verify`` of an edit deleting an
untested ``Calc.Neg`` from a mono project (``make test``: ``mcs`` and ``mono``) said
"pass: tests exited with code 0"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acrouter.csharpdefinitions import csharp_classes, csharp_members, is_csharp
from acrouter.definitions import dropped_definitions, guard
from acrouter.errors import ParseError
from acrouter.verifier.cli import dropped_code, load_edit

CALC_CS = """\
using System;
using System.Collections.Generic;

[assembly: CLSCompliant(true)]
namespace Demo.Calc
{
    /// <summary>A calculator.</summary>
    [Serializable]
    public sealed partial class Calc<T> : IComparable<Calc<T>>, IDisposable where T : class
    {
        private const int Max = 10, Min = 0;
        private readonly Dictionary<string, List<int>> _map = new(), _other;
        private Func<int, int> _twice = x => { return x * 2; };
        public event EventHandler Changed;
        public event EventHandler Custom { add { } remove { } }
        public int Size { get; private set; } = 3;
        public string Name => $"calc {_map.Count} {{class}} {"x"}";
        public int this[int i] => i;
        static Calc() { }
        public Calc() : this(1) { }
        public Calc(int seed) { Size = seed; }
        ~Calc() { }

        [Obsolete("no")] public int Add(int a, int b) => a + b;

        public int Add(long a, long b)
        {
            void Local() { }
            var s = @"verbatim ""class X { void Y() {} }""
                over lines {";
            return (int)(a + b);
        }

        public U Map<U>(Func<T, U> f) where U : class { return f(null); }
        int IComparable<Calc<T>>.CompareTo(Calc<T> other) => 0;
        void IDisposable.Dispose() { }
        public static Calc<T> operator +(Calc<T> a, Calc<T> b) => a;
        public static implicit operator int(Calc<T> c) => c.Size;
        public (int a, int b) Pair() => (1, 2);

#if DEBUG
        public void Debug() { }
#endif
        public enum Mode { Fast, [Obsolete] Slow = 2, Exact = (1 << 3) }

        public record Point(int X, int Y);
        public record struct Size2(int W) { public int Area => W * W; }
        public delegate void Handler(object sender);

        private class Inner
        {
            public void Size() { }
        }
    }

    public interface IShape
    {
        double Area { get; }
        void Draw();
        int Count() => 0;
    }

    public struct Vec { public int X, Y; }
}
"""
ADD_LONG = """\
        public int Add(long a, long b)
        {
            void Local() { }
            var s = @"verbatim ""class X { void Y() {} }""
                over lines {";
            return (int)(a + b);
        }
"""
INNER_SIZE = "            public void Size() { }\n"


def _without(text: str, part: str, instead: str = "") -> str:
    assert part in text
    return text.replace(part, instead, 1)


def test_what_a_csharp_file_declares_is_read_with_its_type() -> None:
    read = [(m.owner, m.name, m.kind) for m in csharp_members(CALC_CS)]
    assert read == [
        ("", "Calc", "type"),  # (its attributes, its where clause)
        ("Calc", "Max", "variable"),
        ("Calc", "Min", "variable"),
        ("Calc", "_map", "variable"),  # (a comma in its generic type is no second name)
        ("Calc", "_other", "variable"),
        ("Calc", "_twice", "variable"),  # (its lambda's body is its)
        ("Calc", "Changed", "variable"),
        ("Calc", "Custom", "variable"),  # (an event with accessors)
        ("Calc", "Size", "variable"),
        ("Calc", "Name", "variable"),  # (an interpolated string's braces are text)
        ("Calc", "this[]", "variable"),  # an indexer
        ("Calc", "Calc", "constructor"),  # static
        ("Calc", "Calc", "constructor"),
        ("Calc", "Calc", "constructor"),
        ("Calc", "~Calc", "method"),  # the finalizer
        ("Calc", "Add", "method"),
        ("Calc", "Add", "method"),  # (its local function and verbatim string are its)
        ("Calc", "Map", "method"),
        ("Calc", "CompareTo", "method"),  # an explicit interface implementation
        ("Calc", "Dispose", "method"),
        ("Calc", "operator +", "method"),
        ("Calc", "operator int", "method"),  # a conversion, by its type
        ("Calc", "Pair", "method"),
        ("Calc", "Debug", "method"),  # (an #if's lines are read)
        ("Calc", "Mode", "type"),
        ("Calc.Mode", "Fast", "variable"),
        ("Calc.Mode", "Slow", "variable"),
        ("Calc.Mode", "Exact", "variable"),
        ("Calc", "Point", "type"),
        ("Calc.Point", "X", "variable"),  # a record's positional parameters
        ("Calc.Point", "Y", "variable"),
        ("Calc", "Size2", "type"),
        ("Calc.Size2", "W", "variable"),
        ("Calc.Size2", "Area", "variable"),
        ("Calc", "Handler", "type"),  # a delegate
        ("Calc", "Inner", "type"),
        ("Calc.Inner", "Size", "method"),
        ("", "IShape", "type"),
        ("IShape", "Area", "variable"),
        ("IShape", "Draw", "method"),
        ("IShape", "Count", "method"),
        ("", "Vec", "type"),
        ("Vec", "X", "variable"),
        ("Vec", "Y", "variable"),
    ]
    assert csharp_classes(CALC_CS) == {
        "",
        "Calc",
        "Calc.Mode",
        "Calc.Point",  # (its parameter list is its body)
        "Calc.Size2",
        "Calc.Inner",
        "IShape",
        "Vec",
    }
    assert is_csharp("src/Calc.cs") and is_csharp("x", "csharp") and not is_csharp("Calc.java")


def test_a_dropped_member_is_refused_by_its_type() -> None:
    path = "src/Calc.cs"
    assert dropped_definitions(CALC_CS, _without(CALC_CS, ADD_LONG), path) == ["Calc.Add"]
    # Inner.Size gone while Calc.Size stays: a loss, named by its type
    assert dropped_definitions(CALC_CS, _without(CALC_CS, INNER_SIZE), path) == ["Calc.Inner.Size"]
    ctor = "        public Calc(int seed) { Size = seed; }\n"
    assert dropped_definitions(CALC_CS, _without(CALC_CS, ctor), path) == ["constructor Calc"]
    slow = _without(CALC_CS, "[Obsolete] Slow = 2, ")
    assert dropped_definitions(CALC_CS, slow, path) == ["Calc.Mode.Slow"]
    one_field = _without(CALC_CS, "public int X, Y;", "public int X;")
    assert dropped_definitions(CALC_CS, one_field, path) == ["Vec.Y"]
    event = "        public event EventHandler Custom { add { } remove { } }\n"
    assert dropped_definitions(CALC_CS, _without(CALC_CS, event), path) == ["Calc.Custom"]


def test_what_was_asked_for_moved_or_changed_is_no_loss() -> None:
    path = "Calc.cs"
    no_add = _without(CALC_CS, ADD_LONG)
    assert dropped_definitions(CALC_CS, no_add, path, instruction="remove the long Add") == []
    moved = _without(no_add, "        public U Map<U>", ADD_LONG + "        public U Map<U>")
    assert dropped_definitions(CALC_CS, moved, path) == []
    body = CALC_CS.replace("return (int)(a + b);", "return (int)(b + a);")
    assert dropped_definitions(CALC_CS, body, path) == []
    # a string's or a comment's "class" changed: no code
    text = CALC_CS.replace("class X { void Y() {} }", "x").replace("A calculator", "Sums")
    assert dropped_definitions(CALC_CS, text, path) == []
    # the type removed as asked takes its members with it
    start, end = (
        CALC_CS.index("    public interface IShape"),
        CALC_CS.index("    public struct Vec"),
    )
    no_shape = CALC_CS[:start] + CALC_CS[end:]
    assert dropped_definitions(CALC_CS, no_shape, path, instruction="remove IShape") == []
    assert dropped_definitions(CALC_CS, no_shape, path) == ["IShape"]


def test_acrouter_verify_and_the_editor_refuse_an_edit_that_drops_a_method(
    tmp_path: Path,
) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws/Calc.cs").write_text(CALC_CS)
    edit = {"files": {"Calc.cs": _without(CALC_CS, INNER_SIZE).replace("a + b;", "b + a;")}}
    (tmp_path / "drop.json").write_text(json.dumps(edit))
    assert dropped_code(str(tmp_path / "ws"), load_edit(str(tmp_path / "drop.json"))) == (
        "the edit would delete 1 definition(s), method(s) or import(s) of Calc.cs that the "
        "instruction did not ask to remove: Calc.Inner.Size (pass --allow-removal if the "
        "removal is meant)"
    )
    with pytest.raises(ParseError, match="did not ask to remove: Calc.Inner.Size"):
        guard(
            {"Calc.cs": CALC_CS},
            {"Calc.cs": _without(CALC_CS, INNER_SIZE)},
            language_of=lambda _rel: "csharp",
            instruction="make Add commutative",
        )


def test_what_real_code_holds_that_the_first_reading_missed() -> None:
    """Found by ``benchmarks/csharp_members.py`` against tree-sitter's grammar on keepass2,
    Newtonsoft.Json, NUnit and pythonnet: a byte-order mark, a function pointer's type,
    a verbatim string opening with a quote, an explicit interface's event with
    accessors, an array initializer inside a field's arguments, a generic type's
    commas in an initializer, an explicit interface's indexer."""
    text = (
        "\ufeffusing System;\n"
        "namespace N\n{\n"
        "    unsafe class Runtime : IService, IList\n    {\n"
        "        static delegate* unmanaged[Cdecl]<IntPtr, int> Py_IsInitialized { get; }\n"
        '        string json = @"{""a"":""" + x + @"""}";\n'
        "        event EventHandler IService.Changed { add { } remove { } }\n"
        "        static readonly Guid Id = new Guid(new byte[] {\n            0xE5, 0xFF\n        });\n"
        "        Dictionary<string, Func<int, object, object>> map = new Dictionary<string, Func<int, object, object>>(), other;\n"
        "        object IList.this[int index] { get { return null; } set { } }\n"
        "        fixed byte Data[16];\n"
        "        void Last() { }\n"
        "    }\n}\n"
    )
    read = [(m.owner, m.name, m.kind) for m in csharp_members(text)]
    assert read == [
        ("", "Runtime", "type"),
        ("Runtime", "Py_IsInitialized", "variable"),
        ("Runtime", "json", "variable"),
        ("Runtime", "Changed", "variable"),
        ("Runtime", "Id", "variable"),
        ("Runtime", "map", "variable"),
        ("Runtime", "other", "variable"),  # (not "object": the generic's commas)
        ("Runtime", "this[]", "variable"),  # an explicit interface's indexer
        ("Runtime", "Data", "variable"),
        ("Runtime", "Last", "method"),
    ]


OPS_CS = """\
namespace Demo
{
    public partial class Calc : IAdd<Calc>
    {
        public int Value;
        public Calc(int value) { Value = value; }
        public static Calc operator +(Calc a, Calc b) => new Calc(a.Value + b.Value);
        public static Calc operator +(Calc a, int b) => new Calc(a.Value + b);
        public static Calc operator checked +(Calc a, Calc b) => new Calc(checked(a.Value + b.Value));
        public static Calc operator -(Calc a) => new Calc(-a.Value);
        public static bool operator ==(Calc a, Calc b) => a.Value == b.Value;
        public static bool operator !=(Calc a, Calc b) => !(a == b);
        public static bool operator true(Calc c) => c.Value != 0;
        public static bool operator false(Calc c) => c.Value == 0;
        public static implicit operator int(Calc c) => c.Value;
        public static explicit operator Calc(int v) => new Calc(v);
        static Calc IAdd<Calc>.operator +(Calc a, Calc b) => a + b;
        public int this[int i] => Value + i;
        public int this[string name]
        {
            get { return Value; }
        }
        ~Calc() { }
    }

    public record Point(int X, int Y);
    public record Size(int W, int H) { public int W { get; init; } = W; }
}
"""
PLUS_INT = "        public static Calc operator +(Calc a, int b) => new Calc(a.Value + b);\n"
NAME_INDEXER = """\
        public int this[string name]
        {
            get { return Value; }
        }
"""
TO_INT = "        public static implicit operator int(Calc c) => c.Value;\n"
FINALIZER = "        ~Calc() { }\n"
NEG = "        public static Calc operator -(Calc a) => new Calc(-a.Value);\n"


def test_operators_indexers_finalizers_and_record_parameters_are_read() -> None:
    """Before, the reader skipped them: an edit deleting an untested ``operator +``, an
    indexer, a conversion or a finalizer passed the guard."""
    read = [(m.owner, m.name, m.kind) for m in csharp_members(OPS_CS)]
    assert read == [
        ("", "Calc", "type"),
        ("Calc", "Value", "variable"),
        ("Calc", "Calc", "constructor"),
        ("Calc", "operator +", "method"),  # each overload counted
        ("Calc", "operator +", "method"),
        ("Calc", "operator checked +", "method"),
        ("Calc", "operator -", "method"),  # (unary)
        ("Calc", "operator ==", "method"),
        ("Calc", "operator !=", "method"),
        ("Calc", "operator true", "method"),
        ("Calc", "operator false", "method"),
        ("Calc", "operator int", "method"),  # conversions, by their type
        ("Calc", "operator Calc", "method"),
        ("Calc", "operator +", "method"),  # an explicit interface's
        ("Calc", "this[]", "variable"),  # indexers, each overload counted
        ("Calc", "this[]", "variable"),
        ("Calc", "~Calc", "method"),
        ("", "Point", "type"),
        ("Point", "X", "variable"),  # a record's positional parameters: its properties
        ("Point", "Y", "variable"),
        ("", "Size", "type"),
        ("Size", "H", "variable"),
        ("Size", "W", "variable"),  # (the property its body declares, not twice)
    ]
    lines = {m.name: m.line for m in csharp_members(OPS_CS)}
    assert OPS_CS.splitlines()[lines["~Calc"]] == FINALIZER.rstrip("\n")
    # (a record's parameter list is its body: the record gone takes its parameters)
    assert csharp_classes(OPS_CS) == {"", "Calc", "Point", "Size"}


def test_a_dropped_operator_indexer_conversion_or_finalizer_is_refused() -> None:
    path = "Calc.cs"
    # one of two overloads gone is a loss, named by its class
    assert dropped_definitions(OPS_CS, _without(OPS_CS, PLUS_INT), path) == ["Calc.operator +"]
    checked = "        public static Calc operator checked +(Calc a, Calc b)"
    no_checked = "\n".join(line for line in OPS_CS.splitlines() if checked not in line) + "\n"
    assert dropped_definitions(OPS_CS, no_checked, path) == ["Calc.operator checked +"]
    assert dropped_definitions(OPS_CS, _without(OPS_CS, NAME_INDEXER), path) == ["Calc.this[]"]
    assert dropped_definitions(OPS_CS, _without(OPS_CS, TO_INT), path) == ["Calc.operator int"]
    assert dropped_definitions(OPS_CS, _without(OPS_CS, FINALIZER), path) == ["Calc.~Calc"]
    no_y = _without(OPS_CS, "Point(int X, int Y)", "Point(int X)")
    assert dropped_definitions(OPS_CS, no_y, path) == ["Point.Y"]
    # an instruction naming another operator asks for nothing of this one
    plus = dropped_definitions(
        OPS_CS, _without(OPS_CS, PLUS_INT), path, instruction="Remove the ++ operator"
    )
    assert plus == ["Calc.operator +"]


def test_an_operator_or_indexer_changed_moved_or_asked_for_is_no_loss() -> None:
    path = "Calc.cs"
    assert dropped_definitions(OPS_CS, _without(OPS_CS, NEG), path) == ["Calc.operator -"]
    # a body changed, a declaration reformatted, an operator moved within its class
    body = _without(OPS_CS, "new Calc(-a.Value)", "new Calc(0 - a.Value)")
    assert dropped_definitions(OPS_CS, body, path) == []
    reformatted = _without(
        _without(
            OPS_CS,
            "operator +(Calc a, int b) =>",
            "operator+ (Calc a,\n            int b)\n            =>",
        ),
        "public int this[int i] => Value + i;",
        "public int this [ int i ]\n            => Value + i;",
    )
    assert dropped_definitions(OPS_CS, reformatted, path) == []
    moved = _without(_without(OPS_CS, PLUS_INT), FINALIZER, FINALIZER + PLUS_INT)
    assert dropped_definitions(OPS_CS, moved, path) == []
    # an implicit conversion made explicit drops nothing (C# allows one of the two)
    explicit = _without(OPS_CS, "implicit operator int", "explicit operator int")
    assert dropped_definitions(OPS_CS, explicit, path) == []
    # a record's parameter list turned into properties its body declares
    props = "Point { public int X { get; init; } public int Y { get; init; } }"
    assert dropped_definitions(OPS_CS, _without(OPS_CS, "Point(int X, int Y);", props), path) == []
    # what the instruction asks to remove, though it has no name of its own
    for part, instruction in (
        (PLUS_INT, "Remove the + operator that takes an int"),
        (NEG, "drop operator-"),
        (NAME_INDEXER, "Remove the string indexer"),
        (FINALIZER, "Delete the finalizer"),
        (TO_INT, "Remove the implicit conversion to int"),
        ("    public record Point(int X, int Y);\n", "remove the Point record"),
    ):
        without = _without(OPS_CS, part)
        assert dropped_definitions(OPS_CS, without, path) != []
        assert dropped_definitions(OPS_CS, without, path, instruction=instruction) == []


def test_the_guard_refuses_a_dropped_operator_but_not_one_moved_to_another_file() -> None:
    with pytest.raises(ParseError, match=r"did not ask to remove: Calc\.operator -$"):
        guard(
            {"Calc.cs": OPS_CS},
            {"Calc.cs": _without(OPS_CS, NEG)},
            language_of=lambda _rel: "csharp",
            instruction="make + faster",
        )
    ops = "namespace Demo\n{\n    public partial class Calc\n    {\n" + NEG + "    }\n}\n"
    guard(
        {"Calc.cs": OPS_CS, "Calc.Ops.cs": "namespace Demo { }\n"},
        {"Calc.cs": _without(OPS_CS, NEG), "Calc.Ops.cs": ops},
        language_of=lambda _rel: "csharp",
        instruction="put the unary minus in Calc.Ops.cs",
    )


def test_what_operators_indexers_and_records_look_like_in_real_code() -> None:
    """Each as tree-sitter's C# grammar reads it (``benchmarks/csharp_members.py``, which
    lists them the same way): a conversion's type written with spaces, a checked
    conversion, an explicit interface's conversion, an operator over lines with a
    comment, an interface's static abstract operator and indexer, a generic record's
    parameters with attributes, defaults and ``params``, a class's primary constructor
    (its parameters are no members)."""
    text = (
        "namespace N;\n"
        'public record R<T>(T X, [property: Key(Name = "a,b")] string S = "a,b",\n'
        "    params int[] Xs) where T : class;\n"
        "public class Prim(int x) { public int Twice => 2 * x; }\n"
        "public struct Vec : IConv<Vec>\n{\n"
        "    public static implicit operator Dictionary<string,  List< int >>(Vec v) => null;\n"
        "    public static explicit operator checked long(Vec v) => 1;\n"
        '    static implicit IConv<Vec>.operator string(Vec v) => "";\n'
        "    public static Vec operator /* a comment */\n        <<(Vec a, int b) => a;\n"
        '    [Attr("x")] public ref int this [ int i ] => ref i;\n'
        "}\n"
        "public interface INum<T> where T : INum<T>\n{\n"
        "    static abstract T operator +(T a, T b);\n"
        "    int this[int i] { get; set; }\n"
        "}\n"
    )
    read = [(m.owner, m.name, m.kind) for m in csharp_members(text)]
    assert read == [
        ("", "R", "type"),
        ("R", "X", "variable"),
        ("R", "S", "variable"),  # (the attribute's "," and "=" are its)
        ("R", "Xs", "variable"),
        ("", "Prim", "type"),
        ("Prim", "Twice", "variable"),
        ("", "Vec", "type"),
        ("Vec", "operator Dictionary<string, List<int>>", "method"),
        ("Vec", "operator checked long", "method"),
        ("Vec", "operator string", "method"),
        ("Vec", "operator <<", "method"),
        ("Vec", "this[]", "variable"),
        ("", "INum", "type"),
        ("INum", "operator +", "method"),
        ("INum", "this[]", "variable"),
    ]
    lines = text.splitlines()
    assert [lines[m.line].strip()[:16] for m in csharp_members(text)][1:4] == [
        "public record R<",
        "public record R<",
        "params int[] Xs)",
    ]
