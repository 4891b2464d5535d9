"""The trust benchmark's emptied function (``benchmarks/trust_emptied.py``): in each
language the last function no test names loses its body, its header and braces kept; a
function that returns a value where the compiler checks it, one the tests name and one
without code are left alone."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def emptied() -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("trust_emptied")
    finally:
        sys.path.remove(str(BENCHMARKS))


GO = """package calc

func Add(a, b int) int {
\treturn a + b
}

func Log(m string) {
\tfmt.Println(m)
}

func Show(m string) {
\tfmt.Println(m)
}

func Sum(xs []int) int {
\treturn 0
}
"""


def test_go_void_untested(emptied: ModuleType) -> None:
    new, name = emptied.emptied(GO, "Show(x)", "go")
    assert name == "Log"  # (Sum returns a value, Show is tested)
    assert "func Log(m string) {\n}\n" in new
    assert new.count("fmt.Println") == 1


def test_rust_without_return_type(emptied: ModuleType) -> None:
    text = "impl A {\n    pub fn a(&self) -> u8 {\n        1\n    }\n    fn b(&mut self) {\n        self.x = 1;\n    }\n}\n"
    new, name = emptied.emptied(text, "", "rust")
    assert name == "b"
    assert "    fn b(&mut self) {\n    }\n" in new


def test_c_void_with_the_brace_on_its_own_line(emptied: ModuleType) -> None:
    text = 'static int f(void) {\n  return 1;\n}\n\nstatic void g(int x)\n{\n  puts("x");\n}\n'
    new, name = emptied.emptied(text, "", "c")
    assert name == "g"
    assert "static void g(int x)\n{\n}\n" in new
    assert "return 1;" in new


def test_javascript_functions_methods_and_assigned(emptied: ModuleType) -> None:
    text = (
        "function a(x) {\n  return x;\n}\n"
        "var b = function (y) {\n  return y;\n};\n"
        "class C {\n  m(z) {\n    return z;\n  }\n  if (q) {\n  }\n}\n"
    )
    new, name = emptied.emptied(text, "", "js")
    assert name == "m"
    assert "  m(z) {\n  }\n" in new
    new, name = emptied.emptied(text, "t.equal(m(1), 1)", "js")
    assert name == "b"
    assert "var b = function (y) {\n};\n" in new


def test_php_and_java(emptied: ModuleType) -> None:
    php = "class A\n{\n    public function f(string $s): string\n    {\n        return $s;\n    }\n}\n"
    new, name = emptied.emptied(php, "", "php")
    assert (name, "    {\n    }\n" in new) == ("f", True)
    java = "class A {\n    public int f() {\n        return 1;\n    }\n    void g() throws IOException {\n        x();\n    }\n}\n"
    new, name = emptied.emptied(java, "", "java")
    assert name == "g"
    assert "    void g() throws IOException {\n    }\n" in new


def test_ruby_and_python(emptied: ModuleType) -> None:
    ruby = "class A\n  def a(x)\n    x\n  end\n\n  def b\n    # only a comment\n  end\nend\n"
    new, name = emptied.emptied(ruby, "", "ruby")
    assert name == "a"  # (b has no code)
    assert "  def a(x)\n  end\n" in new
    python = 'def f(x):\n    """Doc."""\n    return x\n\n\ndef g():\n    pass\n'
    new, name = emptied.emptied(python, "", "python")
    assert name == "f"
    assert new.startswith('def f(x):\n    """Doc."""\n    pass\n')


def test_none_when_every_function_is_named(emptied: ModuleType) -> None:
    assert emptied.emptied(GO, "Add Log Show Sum", "go") is None


def test_python_a_decorated_nested_function_goes_with_its_decorator(emptied: ModuleType) -> None:
    text = (
        "def chainable(method):\n"
        '    """Doc."""\n\n'
        "    @functools.wraps(method)\n"
        "    def wrapper(self):\n"
        "        return self\n\n"
        "    return wrapper\n"
    )
    new, name = emptied.emptied(text, "", "python")
    assert name == "chainable"
    assert new == 'def chainable(method):\n    """Doc."""\n\n    pass\n'
    compile(new, "x.py", "exec")
