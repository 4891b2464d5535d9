"""``benchmarks/java_members.py`` compares the methods the guard reads in Java sources
with what ``javap`` lists in the classes javac compiled from them: checked here on a
project of our own with each kind of declaration it must tell apart."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .helpers import script_output

SHAPES = """\
package p;

import java.util.function.Supplier;

public class Shapes {
    private int size;

    public Shapes() { }

    public Shapes(int size) {
        this.size = size;
    }

    public static int area(int w, int h) { return w * h; }

    public static long area(long w, long h) { return w * h; }

    public static <T> Supplier<T>
    constant(T value) {
        Supplier<T> s = new Supplier<T>() {
            public T get() { return value; }
        };
        return s;
    }

    int local() {
        class Counter {
            int next() { return 1; }
        }
        return new Counter().next();
    }

    enum Kind {
        ROUND, SQUARE;
        String label() { return name(); }
    }

    record Point(int x, int y) implements Comparable<Point> {
        int sum() { return x + y; }
        public int compareTo(Point o) { return sum() - o.sum(); }
    }
}

class Helper { static void help() { } }
"""


def _run(*args: str) -> str:
    return script_output("java_members.py", *args)


def test_what_javac_made_itself_is_the_only_difference(tmp_path: Path) -> None:
    if shutil.which("javac") is None or shutil.which("javap") is None:
        pytest.skip("javac is not installed (Debian: apt-get install default-jdk-headless)")
    src = tmp_path / "src"
    (src / "p").mkdir(parents=True)
    (src / "p" / "Shapes.java").write_text(SHAPES)
    classes = tmp_path / "classes"
    subprocess.run(
        ["javac", "-d", str(classes), str(src / "p" / "Shapes.java")], check=True, timeout=300
    )
    out = _run("--sources", str(src), "--classes", str(classes))
    lines = out.splitlines()
    assert lines[0] == "files compared: 1"
    # read: area, constant, local, label, sum, compareTo (not get, next, the
    # constructors, help: a one-line class body); compiled: those and the record's x, y,
    # equals, hashCode, toString, and Helper.help
    assert lines[1] == "method names read by the guard: 6; compiled (javap): 12"
    assert lines[2] == "read but not compiled (false refusals waiting to happen): 0"
    assert lines[3] == "compiled but not read (methods the guard does not protect): 6"
    assert [line.strip() for line in lines[4:10]] == [
        f"p/Shapes.java: {name}" for name in ("equals", "hashCode", "help", "toString", "x", "y")
    ]
    # the overloads of area counted on both sides; compareTo's bridge is javac's
    assert [line.strip() for line in lines[10:]] == [
        "declarations of the names both have (overloads counted): read 7; compiled 8",
        "names read more often than compiled: 0",
        "names compiled more often than read (bridges among them): 1",
        "p/Shapes.java: compareTo (1 read, 2 compiled)",
        # read: Shapes(int) (Shapes(), empty, is what javac makes); compiled: Shapes' two,
        # and the one javac makes for Kind, Point and Helper each
        (
            "constructors read: 1; compiled: 5 (javac's own among them, and those that take "
            "nothing and do nothing, which the guard leaves out)"
        ),
        "classes with more constructors read than compiled: 0",
        # size, Kind's ROUND and SQUARE, and the record's x and y (not $VALUES)
        "fields, enum constants and record components read by the guard: 5; compiled: 5",
        "record components among them: compiled 2, read (by their names) 2",
        "fields read but not compiled: 0",
        "fields compiled but not read: 0",
    ]
