"""What a Go file declares at package level is counted by the guard, a method with its
receiver's type (:mod:`acrouter.godefinitions`).

The guard's line patterns read a Go method by its name alone: with ``func (c *Calc)
Size()`` and ``func (b *Bag) Size()`` in ``calc.go``, an edit deleting ``Bag.Size``,
which no test calls, left "Size" defined, and ``acrouter verify`` said "pass: 1 passed,
0 failed" (counted).  What a grouped declaration holds (``const (⏎  Red = iota⏎
Green⏎)``) they did not read at all.  And when a Java, Ruby or Go member went while
another class kept its namesake, the loss was reported under the wrong class (the one
read last)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from acrouter.definitions import definitions, dropped_definitions
from acrouter.domain import Edit
from acrouter.godefinitions import go_members
from acrouter.verifier.cli import verify_edit

from .helpers import OVERLAY_AND_NONE, verifier, write_tree

CALC = """\
package calc

import (
	"fmt"
	"strings"
)

// Color is a color.
type Color int

const (
	Red Color = iota
	Green
	_
	Blue
)

var (
	names    = map[Color]string{Red: "red", Green: "green"}
	hexa, oc = 16, 8
	syscalls,
	more uintptr
	mask = 1 |
		2
)

type (
	// Calc adds.
	Calc struct{ items []int }
	// Bag holds things.
	Bag[T any] struct {
		n int
	}
)

var _ fmt.Stringer = Color(0)

// Size is how many items the calc holds.
func (c *Calc) Size() int { return len(c.items) }

// Add adds.
func (c *Calc) Add(a, b int) int { return a + b }

// Size is how many things the bag holds.
func (b *Bag[T]) Size() int {
	return b.n
}

func (c Color) String() string { return strings.ToUpper(names[c]) }

var template = `
func NotAFunction() {
`

func init() {}

func init() { names[Blue] = "blue" }

func _() { _ = hexa }
"""
BAG_SIZE = """
// Size is how many things the bag holds.
func (b *Bag[T]) Size() int {
	return b.n
}
"""
CALC_SIZE = "\n// Size is how many items the calc holds.\nfunc (c *Calc) Size() int { return len(c.items) }\n"
TEST = """\
package calc

import "testing"

func TestAdd(t *testing.T) {
	c := &Calc{}
	if c.Add(2, 3) != 5 || c.Size() != 0 {
		t.Fatal("add")
	}
}
"""

needs_go = pytest.mark.skipif(
    shutil.which("go") is None, reason="go is not installed (Debian: apt-get install golang-go)"
)


def test_what_a_go_file_declares_is_read_with_its_owner() -> None:
    read = [(m.owner, m.name, m.kind) for m in go_members(CALC)]
    assert read == [
        ("", "Color", "type"),
        ("", "Red", "variable"),
        ("", "Green", "variable"),
        ("", "Blue", "variable"),  # the blank _ is no name
        ("", "names", "variable"),
        ("", "hexa", "variable"),
        ("", "oc", "variable"),
        ("", "syscalls", "variable"),  # a list of names going on to the next line
        ("", "more", "variable"),
        ("", "mask", "variable"),  # its value's next line ("2") is no name
        ("", "Calc", "type"),
        ("Calc", "items", "variable"),  # a struct's field, on its type's line
        ("", "Bag", "type"),  # (its type parameter T is none)
        ("Bag", "n", "variable"),
        ("Calc", "Size", "method"),
        ("Calc", "Add", "method"),
        ("Bag", "Size", "method"),
        ("Color", "String", "method"),
        ("", "template", "variable"),  # what the raw string holds is text
        ("", "init", "method"),
        ("", "init", "method"),
    ]
    # an outline of a big file is made of them
    assert [d.name for d in definitions(CALC, "calc.go")][:3] == ["Color", "Red", "Green"]


def test_a_method_dropped_while_another_type_keeps_its_name_is_lost() -> None:
    assert BAG_SIZE in CALC and CALC_SIZE in CALC
    assert dropped_definitions(CALC, CALC.replace(BAG_SIZE, ""), "calc.go") == ["Bag.Size"]
    # named by the type that lost it, not by the one read last
    assert dropped_definitions(CALC, CALC.replace(CALC_SIZE, ""), "calc.go") == ["Calc.Size"]
    assert dropped_definitions(CALC, CALC.replace(BAG_SIZE, ""), "x.txt", language="go") == [
        "Bag.Size"
    ]
    # asked for, moved within the file, or a body changed: no loss
    ask = "Remove Bag's Size method"
    assert dropped_definitions(CALC, CALC.replace(BAG_SIZE, ""), "calc.go", instruction=ask) == []
    moved = CALC.replace(BAG_SIZE, "") + BAG_SIZE
    assert dropped_definitions(CALC, moved, "calc.go") == []
    assert dropped_definitions(CALC, CALC.replace("b.n", "b.n + 0"), "calc.go") == []
    # one of two init functions is a loss; a "func _()" check is no name
    one_init = CALC.replace("func init() {}\n", "", 1)
    assert dropped_definitions(CALC, one_init, "calc.go") == ["init"]
    assert dropped_definitions(CALC, CALC.replace("func _() { _ = hexa }\n", ""), "calc.go") == []


def test_what_a_group_declares_is_lost_one_by_one() -> None:
    assert dropped_definitions(CALC, CALC.replace("\tBlue\n", ""), "calc.go") == ["Blue"]
    no_more = CALC.replace("\tsyscalls,\n\tmore uintptr\n", "\tsyscalls uintptr\n")
    assert dropped_definitions(CALC, no_more, "calc.go") == ["more"]
    # the group written as single declarations: nothing lost
    single = CALC.replace("var (\n\tnames ", "var names ").replace(
        "\thexa, oc = 16, 8\n", "var hexa, oc = 16, 8\n"
    )
    single = single.replace("\tsyscalls,\n\tmore uintptr\n\tmask = 1 |\n\t\t2\n)\n", "")
    single += "var syscalls, more uintptr\n\nvar mask = 1 | 2\n"
    assert dropped_definitions(CALC, single, "calc.go") == []
    # a type of a group dropped with its methods: the type is the loss; asked for, none
    start, end = CALC.index("\t// Bag holds"), CALC.index("\t}\n)\n") + 3
    no_bag = CALC[:start] + CALC[end:].replace(BAG_SIZE, "")
    assert dropped_definitions(CALC, no_bag, "calc.go") == ["Bag"]
    assert dropped_definitions(CALC, no_bag, "calc.go", instruction="Remove the Bag type") == []


def test_a_member_another_class_keeps_the_name_of_is_reported_by_its_own_class() -> None:
    java = (
        "package p;\n\npublic class Calc {\n    public int size() { return 1; }\n\n"
        "    static class Bag {\n        int size() { return 2; }\n    }\n}\n"
    )
    no_calc_size = java.replace("    public int size() { return 1; }\n", "")
    assert dropped_definitions(java, no_calc_size, "Calc.java") == ["Calc.size"]
    ruby = "class Calc\n  def size; 1; end\nend\n\nclass Bag\n  def size; 2; end\nend\n"
    no_calc_size = ruby.replace("  def size; 1; end\n", "", 1)
    assert dropped_definitions(ruby, no_calc_size, "calc.rb") == ["Calc#size"]


@needs_go
@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_dropped_method(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = write_tree(
        tmp_path / "calc",
        {"go.mod": "module example.com/calc\n\ngo 1.18\n", "calc.go": CALC, "calc_test.go": TEST},
    )
    ver = verifier(cache_dir=tmp_path / "cache", timeout_s=240, **mode)
    edit = Edit(files={"calc.go": CALC.replace(BAG_SIZE, "")})
    v = verify_edit(ver, str(root), edit, "go test ./...")
    assert v.verdict == "error" and not v.counted, v.detail
    assert "Bag.Size" in v.detail and "did not ask to remove" in v.detail, v.detail
    # with its removal allowed the tests run and pass: none calls Bag.Size
    allowed = verify_edit(ver, str(root), edit, "go test ./...", allow_removal=True)
    assert allowed.verdict == "pass", allowed.detail


SHAPES = """\
package calc

import "fmt"

// Point is a point.
type Point struct {
	X, Y  int
	Label string `json:"label"`
	*Base
}

// Base is what points share.
type Base struct{ ID int }

// Tag has a label too.
type Tag struct {
	Label string
}

// Shape is a shape.
type Shape interface {
	Area() float64
	Perimeter() float64
}

// Solid is a shape with a volume, that says what it is.
type Solid interface {
	Shape
	fmt.Stringer
	Volume() float64
}

// Number is what a sum takes.
type Number interface {
	~int | ~float64
}

// Pair is two of a kind.
type Pair interface{ Shape; fmt.Stringer }
"""


@pytest.mark.parametrize(
    ("old", "new", "lost"),
    [
        # another struct keeps a field of its name: Point's is still lost
        ('\tLabel string `json:"label"`\n', "", ["Point.Label"]),
        ("\tX, Y  int\n", "\tX int\n", ["Point.Y"]),
        ("\t*Base\n", "", ["Point.Base"]),
        ("\tPerimeter() float64\n", "", ["Shape.Perimeter"]),
        ("struct{ ID int }", "struct{}", ["Base.ID"]),
        # an embedded interface: its methods went from the interface's
        ("\tfmt.Stringer\n\tVolume", "\tVolume", ["Solid.Stringer"]),
        ("\tShape\n\tfmt", "\tfmt", ["Solid.Shape"]),
        ("interface{ Shape; fmt.Stringer }", "interface{ Shape }", ["Pair.Stringer"]),
    ],
)
def test_a_struct_field_or_interface_method_dropped_is_lost(
    old: str, new: str, lost: list[str]
) -> None:
    """Go's reader read what a file declares at package level, not what a struct or an
    interface holds: a field no test needs, an interface's method or an interface it
    embeds, could go."""
    edited = SHAPES.replace(old, new)
    assert edited != SHAPES
    assert dropped_definitions(SHAPES, edited, "shapes.go") == lost
    name = lost[0].split(".")[-1]
    assert dropped_definitions(SHAPES, edited, "shapes.go", instruction=f"Remove {name}") == []
    # a tag changed, a field's type changed, the fields in another order: no loss
    for same in (
        SHAPES.replace('`json:"label"`', '`json:"name"`'),
        SHAPES.replace("X, Y  int", "X, Y  int64"),
        SHAPES.replace("\tX, Y  int\n\tLabel string", "\tLabel string\n\tX, Y  int"),
    ):
        assert dropped_definitions(SHAPES, same, "shapes.go") == []


@needs_go
@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_dropped_field(tmp_path: Path, mode: dict[str, object]) -> None:
    test = 'package calc\n\nimport "testing"\n\nfunc TestPoint(t *testing.T) {\n\tif (Point{X: 1}).X != 1 {\n\t\tt.Fatal("x")\n\t}\n}\n'
    root = write_tree(
        tmp_path / "calc",
        {
            "go.mod": "module example.com/calc\n\ngo 1.18\n",
            "shapes.go": SHAPES,
            "shapes_test.go": test,
        },
    )
    ver = verifier(cache_dir=tmp_path / "cache", timeout_s=240, **mode)
    edit = Edit(files={"shapes.go": SHAPES.replace('\tLabel string `json:"label"`\n', "")})
    v = verify_edit(ver, str(root), edit, "go test ./...")
    assert v.verdict == "error" and not v.counted, v.detail
    assert "shapes.go that the instruction did not ask to remove: Point.Label" in v.detail
    # the tests cannot tell: with the removal allowed they run, and pass
    allowed = verify_edit(ver, str(root), edit, "go test ./...", allow_removal=True)
    assert allowed.verdict == "pass", allowed.detail
