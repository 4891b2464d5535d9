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
        ("Calc", "Calc", "constructor"),  # static; the indexer before it is not read
        ("Calc", "Calc", "constructor"),
        ("Calc", "Calc", "constructor"),  # (the finalizer is not read)
        ("Calc", "Add", "method"),
        ("Calc", "Add", "method"),  # (its local function and verbatim string are its)
        ("Calc", "Map", "method"),
        ("Calc", "CompareTo", "method"),  # an explicit interface implementation
        ("Calc", "Dispose", "method"),
        ("Calc", "Pair", "method"),  # (the operators before it are not read)
        ("Calc", "Debug", "method"),  # (an #if's lines are read)
        ("Calc", "Mode", "type"),
        ("Calc.Mode", "Fast", "variable"),
        ("Calc.Mode", "Slow", "variable"),
        ("Calc.Mode", "Exact", "variable"),
        ("Calc", "Point", "type"),  # (a record's positional parameters are not read)
        ("Calc", "Size2", "type"),
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
        ("Runtime", "Data", "variable"),  # (the indexer before it is not read)
        ("Runtime", "Last", "method"),
    ]
