"""Code an edit replaced with a placeholder is refused (``acrouter.elisions``, read by the
guard ``definitions.guard``).

A model asked to fix ``add`` answered with the file where ``slugify``'s body was
``# ... existing code ...`` and ``pass``: no definition went, the one test (of ``add``)
passed, and ``acrouter verify`` said "pass": a verified edit that deletes the code of a
function no test calls."""

from __future__ import annotations

import pytest
from acrouter.definitions import guard
from acrouter.elisions import (
    brace_stubbed,
    js_stubbed,
    perl_stubbed,
    placeholder_line,
    placeholders,
    ruby_stubbed,
    stubbed,
)
from acrouter.errors import ParseError
from acrouter.godefinitions import code_view as go_code

CALC = '''\
import re


def add(a, b):
    return a - b


def slugify(text):
    """A URL's slug."""
    text = text.lower().strip()
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")
'''
FIXED = CALC.replace("a - b", "a + b")
BODY = """\
    text = text.lower().strip()
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")
"""


def _refusal(old: str, new: str, path: str = "calc.py", instruction: str = "Fix add") -> str:
    with pytest.raises(ParseError) as caught:
        guard({path: old}, {path: new}, language_of=lambda _rel: None, instruction=instruction)
    return str(caught.value)


def _passes(old: str, new: str, path: str = "calc.py", instruction: str = "Fix add") -> None:
    guard({path: old}, {path: new}, language_of=lambda _rel: None, instruction=instruction)


def test_a_body_replaced_by_a_placeholder_comment_is_refused() -> None:
    new = FIXED.replace(BODY, "    # ... existing code ...\n    pass\n")
    assert placeholders(CALC, new) == [(9, "# ... existing code ...", 3)]
    assert stubbed(CALC, new) == [("slugify", 7, "pass")]
    said = _refusal(CALC, new)
    assert said.startswith("the edit would replace code of calc.py with a placeholder"), said
    assert "line 10 '# ... existing code ...' where 3 line(s) of code were" in said
    assert "the body of slugify (line 8) cut to pass" in said


@pytest.mark.parametrize(
    "lazy",
    [
        "    text = text.lower().strip()\n    # ... rest of the function unchanged ...\n",
        "    text = text.lower().strip()\n    # Rest of the code remains the same\n",
        "    text = text.lower().strip()\n    # (implementation omitted for brevity)\n",
    ],
)
def test_the_rest_of_a_body_elided_is_refused(lazy: str) -> None:
    new = FIXED.replace(BODY, lazy)
    [(line, _, gone)] = placeholders(CALC, new)
    assert (line, gone) == (10, 2)
    assert "with a placeholder" in _refusal(CALC, new)


#: how models word a stand-in, seen in their replies: each where slugify's body was
WORDINGS = [
    "# ... (same as before)",
    "# ... same as before ...",
    "# same as before",
    "# (unchanged)",
    "# unchanged",
    "# no changes",
    "# Same as above",
    "# same as the original",
    "# ... all other lines remain the same",
    "# ... keep the rest",
    "# ... as before",
    "# The rest stays the same",
    "# rest of the function is unchanged",
    "# [rest of code]",
    "# <existing code>",
    "# existing code here",
    "# your code here",
    "# Implementation goes here.",
    "# TODO: implement",
    "# TODO: implement this",
    "# FIXME: fill in",
]


@pytest.mark.parametrize("comment", WORDINGS)
def test_the_ways_models_word_a_stand_in_are_read(comment: str) -> None:
    new = FIXED.replace(BODY, f"    {comment}\n    return text\n")
    assert placeholders(CALC, new) == [(9, comment, 3)], comment
    assert "with a placeholder" in _refusal(CALC, new)


@pytest.mark.parametrize(
    "comment",
    [
        "# rest is handled by the caller",
        "# the code here is subtle: see the RFC",
        "# TODO: implement caching for the lookup",
        "# same as above, for the y axis",
        "# ... then retry the request",
        "# the original regex allowed dots",
        " * unchanged.",
    ],
)
def test_a_comment_that_explains_is_not_a_stand_in(comment: str) -> None:
    assert not placeholder_line(comment)
    new = FIXED.replace(BODY, f"    {comment}\n    return text\n")
    assert placeholders(CALC, new) == []


@pytest.mark.parametrize(
    ("stub", "what"),
    [
        ("    ...\n", "..."),
        ('    raise NotImplementedError("later")\n', "raise NotImplementedError"),
        ("", "a docstring alone"),
    ],
)
def test_a_body_cut_to_a_stub_is_refused(stub: str, what: str) -> None:
    new = FIXED.replace(BODY, stub)
    assert stubbed(CALC, new) == [("slugify", 7, what)]
    assert f"the body of slugify (line 8) cut to {what}" in _refusal(CALC, new)


def test_a_test_emptied_to_pass_is_refused() -> None:
    old = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
    new = old.replace("    assert add(2, 3) == 5\n", "    pass\n")
    assert "the body of test_add (line 4) cut to pass" in _refusal(
        old, new, "tests/test_calc.py", "Speed up the tests"
    )


def test_a_javascript_body_replaced_by_a_placeholder_is_refused() -> None:
    old = (
        "export function add(a, b) {\n  return a - b;\n}\n\n"
        "export function slug(text) {\n  const lower = text.toLowerCase();\n"
        '  return lower.replace(/[^a-z0-9]+/g, "-");\n}\n'
    )
    new = old.replace("a - b", "a + b").replace(
        '  const lower = text.toLowerCase();\n  return lower.replace(/[^a-z0-9]+/g, "-");\n',
        "  // ... existing code ...\n",
    )
    assert "line 6 '// ... existing code ...' where 2 line(s) of code were" in _refusal(
        old, new, "src/calc.js"
    )


JS = (
    "export function add(a, b) {\n  return a - b;\n}\n\n"
    "export function slug(text) {\n  const lower = text.toLowerCase();\n"
    '  return lower.replace(/[^a-z0-9]+/g, "-");\n}\n\n'
    "export const UNITS = [\n  'mm',\n  'cm',\n];\n"
)
JS_SLUG = (
    "export function slug(text) {\n  const lower = text.toLowerCase();\n"
    '  return lower.replace(/[^a-z0-9]+/g, "-");\n}\n'
)


@pytest.mark.parametrize(
    ("lazy", "gone"),
    [
        (JS_SLUG, "export function slug(text) { /* ... */ }\n"),
        ("export const UNITS = [\n  'mm',\n  'cm',\n];\n", "export const UNITS = [ /* ... */ ];\n"),
        (JS_SLUG, "export function slug(text) {  // ... existing code\n}\n"),
    ],
    ids=["a-body", "a-list", "a-comment-after-the-brace"],
)
def test_a_stand_in_on_the_line_that_opens_a_body_is_read(lazy: str, gone: str) -> None:
    new = JS.replace("a - b", "a + b").replace(lazy, gone)
    [(line, comment, lost)] = placeholders(JS, new)
    assert (line, comment) == (new.splitlines().index(comment), gone.splitlines()[0])
    assert lost >= 2
    assert "with a placeholder" in _refusal(JS, new, "src/calc.js")


def test_a_comment_put_after_an_opening_line_that_keeps_its_code_is_not_a_loss() -> None:
    new = JS.replace("a - b", "a + b").replace(
        "export const UNITS = [\n", "export const UNITS = [  // ... existing entries\n"
    )
    assert placeholder_line("export const UNITS = [  // ... existing entries")
    assert placeholders(JS, new) == []
    _passes(JS, new, "src/calc.js")


@pytest.mark.parametrize(
    "new",
    [
        # a comment that stands for nothing: no code taken out
        FIXED.replace(
            "    text = text.lower()", "    # ... existing code ...\n    text = text.lower()"
        ),
        # a sentence continued, not a stand-in
        FIXED.replace(
            '    return text.strip("-")\n',
            '    # ...and the dashes at both ends go\n    return text.strip("-") or ""\n',
        ),
        # the code moved (to a helper), not lost
        FIXED.replace(BODY, "    # ... existing code ...\n    return _slug(text)\n")
        + "\n\ndef _slug(text):\n"
        + BODY,
    ],
    ids=["nothing-taken-out", "a-sentence", "moved"],
)
def test_what_stands_for_no_lost_code_passes(new: str) -> None:
    _passes(CALC, new)


def test_a_placeholder_the_file_had_is_not_the_edits() -> None:
    old = CALC + "\n\ndef later():\n    # ... existing code ...\n    return 1\n"
    new = old.replace("a - b", "a + b").replace(
        "    # ... existing code ...\n    return 1\n", "    # ... existing code ...\n    return 2\n"
    )
    _passes(old, new)


@pytest.mark.parametrize(
    "instruction",
    [
        "Replace slugify's body with a stub",
        "Make slugify a no-op",
        "Leave a placeholder in slugify",
    ],
)
def test_an_instruction_that_asks_for_a_stub_gets_it(instruction: str) -> None:
    _passes(
        CALC,
        FIXED.replace(BODY, "    # ... existing code ...\n    pass\n"),
        instruction=instruction,
    )


def test_an_abstract_method_and_a_stub_before_are_not_read() -> None:
    old = (
        "import abc\n\n\nclass Shape(abc.ABC):\n    def area(self):\n        return 0\n\n"
        "    def name(self):\n        pass\n"
    )
    new = old.replace(
        "    def area(self):\n        return 0\n",
        "    @abc.abstractmethod\n    def area(self):\n        ...\n",
    ).replace("        pass\n", "        ...\n")
    assert stubbed(old, new) == []


@pytest.mark.parametrize(
    ("path", "old", "stub"),
    [
        (
            "src/lib.rs",
            (
                "pub fn add(a: i32, b: i32) -> i32 {\n    a - b\n}\n\n"
                "pub fn area(r: f64) -> f64 {\n    let squared = r * r;\n    squared * 3.14\n}\n"
            ),
            "    todo!()\n",
        ),
        (
            "src/Calc.java",
            (
                "class Calc {\n    int add(int a, int b) {\n        return a - b;\n    }\n\n"
                "    double area(double r) {\n        double squared = r * r;\n"
                "        return squared * 3.14;\n    }\n}\n"
            ),
            '        throw new UnsupportedOperationException("not implemented");\n',
        ),
    ],
    ids=["rust-todo", "java-throw"],
)
def test_a_body_cut_to_a_stub_statement_is_refused(path: str, old: str, stub: str) -> None:
    body = [line for line in old.splitlines(keepends=True) if "squared" in line]
    new = old.replace("a - b", "a + b").replace("".join(body), stub)
    [(_, said, gone)] = placeholders(old, new)
    assert (said, gone) == (stub.strip(), 2)
    assert "with a placeholder" in _refusal(old, new, path)


def test_a_line_the_file_holds_elsewhere_too_is_lost_where_it_went() -> None:
    """``return -1`` taken out of ``find`` is lost though ``index`` returns -1 too: code
    counts as moved only where the new text holds it as many times as the old."""
    old = (
        "def index(xs, x):\n    for i, y in enumerate(xs):\n        if y == x:\n"
        "            return i\n    return -1\n\n\n"
        "def find(xs, x):\n    for i, y in enumerate(xs):\n        if y == x:\n"
        "            return i\n    return -1\n"
    )
    new = old[: old.index("def find")] + (
        "def find(xs, x):\n    # ... same loop as index ...\n    return index(xs, x)\n"
    )
    assert placeholders(old, new) == [(8, "# ... same loop as index ...", 4)]


def test_a_property_and_an_abstract_method_with_code_are_read() -> None:
    """A getter and its setter (one path, defined twice) are matched in order; an
    ``@abstractmethod`` whose body had code (a default its subclasses call through
    ``super()``) loses it when cut to ``...``."""
    old = (
        "import abc\n\n\nclass Box(abc.ABC):\n"
        "    @property\n    def size(self):\n        return self._size\n\n"
        "    @size.setter\n    def size(self, value):\n        self._size = max(0, value)\n\n"
        "    @abc.abstractmethod\n    def close(self):\n        self.closed = True\n"
    )
    new = old.replace("        self._size = max(0, value)\n", "        pass\n").replace(
        "        self.closed = True\n", "        ...\n"
    )
    assert stubbed(old, new) == [("Box.size", 9, "pass"), ("Box.close", 13, "...")]


def test_a_function_the_instruction_asks_to_empty_may_become_a_stub() -> None:
    """ "Remove the prints from debug_dump": its body was prints alone, and ``pass`` is
    what is left; a function it does not name is still read."""
    old = (
        "def debug_dump(x):\n    print(x)\n    print(type(x))\n\n\ndef keep(x):\n    return x * 2\n"
    )
    emptied = old.replace("    print(x)\n    print(type(x))\n", "    pass\n")
    _passes(old, emptied, instruction="Remove the prints from debug_dump")
    both = emptied.replace("    return x * 2\n", "    pass\n")
    said = _refusal(old, both, instruction="Remove the prints from debug_dump")
    assert "the body of keep (line 5) cut to pass" in said and "debug_dump" not in said


def test_a_javascript_body_emptied_is_refused() -> None:
    """``slug(text) {}``: a model asked to fix ``add`` emptied a function no test calls;
    every test passed and ``acrouter verify`` said pass (9e2f136's server)."""
    fixed = JS.replace("a - b", "a + b")
    for empty, what in (("{}", "{}"), ("{\n  return;\n}", "{ return; }"), ("{ /* … */ }", "{}")):
        new = fixed.replace(JS_SLUG, f"export function slug(text) {empty}\n")
        said = _refusal(JS, new, "src/calc.js")
        assert f"the body of slug (line 5) cut to {what}" in said
    assert js_stubbed(JS, JS) == []


def test_the_functions_a_javascript_or_typescript_file_names_are_read_emptied() -> None:
    old = (
        "class Box {\n  open(lid: Lid): void {\n    this.lid = lid;\n  }\n"
        "  get size(): number {\n    return this.n;\n  }\n}\n"
        "const close = async (box: Box): Promise<void> => {\n  await box.shut();\n};\n"
        "const api = { fetch: function (url) {\n  return get(url);\n} };\n"
        "const trim = s => {\n  return s.trim();\n};\n"
    )
    new = (
        old.replace("    this.lid = lid;\n", "")
        .replace("    return this.n;\n", "")
        .replace("  await box.shut();\n", "")
        .replace("\n  return get(url);\n", "")
        .replace("  return s.trim();\n", "")
    )
    assert js_stubbed(old, new) == [
        ("open", 1, "{}"),
        ("size", 3, "{}"),
        ("close", 6, "{}"),
        ("fetch", 8, "{}"),
        ("trim", 9, "{}"),
    ]
    assert "the body of open (line 2) cut to {}" in _refusal(old, new, "box.ts")


def test_what_is_no_javascript_body_emptied() -> None:
    # a body of comments alone before; a function the edit adds; an instruction that asks
    old = "function noop() {\n  // nothing to do\n}\nfunction log(m) {\n  console.log(m);\n}\n"
    _passes(old, old.replace("  // nothing to do\n", ""), "a.js")
    _passes(old, old + "function later() {}\n", "a.js")
    emptied = old.replace("  console.log(m);\n", "")
    for instruction in ("Make log a no-op", "Remove the logging from log", "stub out log"):
        _passes(old, emptied, "a.js", instruction=instruction)
    # minified code: a name is another function in the next build (its parameters differ)
    assert js_stubbed("function Da(n,t){return n+t}", "function Da(r){}") == []
    # where the old text cannot be read, nothing is said
    assert js_stubbed("function f( {", "function f() {}") == []


@pytest.mark.parametrize(
    ("path", "old", "body", "said"),
    [
        (
            "server.go",
            (
                "package m\n\nvar n = 1\nfunc (s *S) Close() {\n\ts.conn.Close()\n}\n\n"
                "func add(a, b int) int {\n\treturn a - b\n}\n"
            ),
            "\ts.conn.Close()\n",
            "the body of Close (line 4) cut to {}",
        ),
        (
            "src/lib.rs",
            (
                'fn log(m: &str) {\n    println!("{}", m);\n}\n\nfn add(a: i32, b: i32) -> i32 {\n'
                "    a - b\n}\n"
            ),
            '    println!("{}", m);\n',
            "the body of log (line 1) cut to {}",
        ),
        (
            "calc.c",
            (
                "static void\nlog_line(const char *m)\n{\n    puts(m);\n}\n\n"
                "int add(int a, int b) { return a - b; }\n"
            ),
            "    puts(m);\n",
            "the body of log_line (line 3) cut to {}",
        ),
        (
            "src/A.java",
            (
                'class A {\n  @Override\n  public void log(String m) {\n    System.out.println("{" + m);\n'
                "  }\n  int add(int a, int b) { return a - b; }\n}\n"
            ),
            '    System.out.println("{" + m);\n',
            "the body of log (line 3) cut to {}",
        ),
        (
            "A.kt",
            (
                "val n = 1\nfun log(m: String) {\n    println(m)\n}\nfun add(a: Int, b: Int): Int {\n"
                "    return a - b\n}\n"
            ),
            "    println(m)\n",
            "the body of log (line 2) cut to {}",
        ),
        (
            "A.cs",
            (
                "class A\n{\n    static void Log(string m)\n    {\n        Console.WriteLine(m);\n"
                "    }\n    static int Add(int a, int b) { return a - b; }\n}\n"
            ),
            "        Console.WriteLine(m);\n",
            "the body of Log (line 4) cut to {}",
        ),
        (
            "src/A.php",
            (
                "<?php\nclass A {\n    public function log(string $m): void {\n        echo $m;\n"
                "    }\n    public function add($a, $b) { return $a - $b; }\n}\n"
            ),
            "        echo $m;\n",
            "the body of log (line 3) cut to {}",
        ),
    ],
    ids=["go", "rust", "c", "java", "kotlin", "csharp", "php"],
)
def test_a_function_emptied_in_a_brace_language_is_refused(
    path: str, old: str, body: str, said: str
) -> None:
    """A ``void`` function emptied compiles, and where no test calls it every test
    passes: the edit that fixes ``add`` and empties ``log`` deletes its code."""
    assert body in old
    fixed = old.replace("a - b", "a + b").replace("$a - $b", "$a + $b")
    new = fixed.replace(body, "")
    assert said in _refusal(old, new, path), _refusal(old, new, path)
    _passes(old, fixed, path)
    # the instruction names it beside a removal word, or asks for a no-op
    _passes(old, new, path, instruction=f"Fix add and remove the output from {said.split()[3]}")
    _passes(old, new, path, instruction="Fix add and make log a no-op")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # a block of a function emptied is the function's change, not a stub
        (
            "func f(x int) {\n\tif x > 0 {\n\t\tlog(x)\n\t}\n\tdone()\n}\n",
            "func f(x int) {\n\tif x > 0 {\n\t}\n\tdone()\n}\n",
        ),
        # a Go condition that calls a function is no function's header
        (
            "func f(x int) {\n\tif ok(x) {\n\t\tlog(x)\n\t}\n}\n",
            "func f(x int) {\n\tif ok(x) {\n\t}\n}\n",
        ),
        # an anonymous function's body
        (
            "func f() {\n\tgo func() {\n\t\twork()\n\t}()\n}\n",
            "func f() {\n\tgo func() {\n\t}()\n}\n",
        ),
        # a function renamed, or whose parameters changed: not the one that was
        ("func f(x int) {\n\tlog(x)\n}\n", "func g(x int) {\n}\n"),
        ("func f(x int) {\n\tlog(x)\n}\n", "func f() {\n}\n"),
        # a body that had comments alone
        ("func f() {\n\t// nothing yet\n}\n", "func f() {\n}\n"),
        # a function the edit adds empty
        ("func f() {\n\tlog(1)\n}\n", "func f() {\n\tlog(1)\n}\n\nfunc g() {}\n"),
    ],
    ids=["a-block", "a-condition", "anonymous", "renamed", "parameters", "comments", "added"],
)
def test_what_is_no_function_emptied_in_a_brace_language(old: str, new: str) -> None:
    assert brace_stubbed(old, new, go_code) == []


RUBY = """\
class Calc
  def log(m)
    @lines << m
  end

  def add(a, b)
    a - b
  end

  def noop
    # nothing to do
  end

  def twice(x) = x * 2
end
"""


def test_a_ruby_method_emptied_is_refused() -> None:
    fixed = RUBY.replace("a - b", "a + b")
    new = fixed.replace("    @lines << m\n", "")
    assert "the body of log (line 2) cut to an empty body" in _refusal(RUBY, new, "lib/calc.rb")
    _passes(RUBY, fixed, "lib/calc.rb")
    _passes(RUBY, new, "lib/calc.rb", instruction="Fix add and remove the logging from log")
    # a body of comments alone, and an endless method, have no code to lose
    _passes(RUBY, fixed.replace("    # nothing to do\n", ""), "lib/calc.rb")
    # parameters over several lines
    wide = RUBY.replace("  def log(m)\n", "  def log(m,\n          level = :info)\n")
    assert ruby_stubbed(wide, wide.replace("    @lines << m\n", "")) == [
        ("log", 1, "an empty body")
    ]
    one_line = RUBY.replace("  def twice(x) = x * 2\n", "  def one; 1; end\n")
    assert ruby_stubbed(one_line, one_line.replace("def one; 1; end", "def one; end")) == [
        ("one", 13, "an empty body")
    ]


PERL = """\
package Calc;
use strict;

sub log_line {
    my ($self, $m) = @_;
    push @{ $self->{lines} }, $m;   # keep it
}

sub add { my ($a, $b) = @_; return $a - $b }

sub noop
{
    # nothing to do
}

1;

=head1 EXAMPLE

    sub log_line {}

=cut
"""


def test_a_perl_sub_emptied_is_refused() -> None:
    fixed = PERL.replace("$a - $b", "$a + $b")
    body = "    my ($self, $m) = @_;\n    push @{ $self->{lines} }, $m;   # keep it\n"
    new = fixed.replace(body, "")
    assert "the body of log_line (line 4) cut to {}" in _refusal(PERL, new, "lib/Calc.pm")
    _passes(PERL, fixed, "lib/Calc.pm")
    _passes(PERL, new, "lib/Calc.pm", instruction="Fix add and remove the logging from log_line")
    # one line, a ``return;`` alone, the brace on its own line
    one = fixed.replace("{ my ($a, $b) = @_; return $a + $b }", "{ return; }")
    assert perl_stubbed(PERL, one) == [("add", 8, "{ return; }")]
    printing = PERL.replace("    # nothing to do\n", "    print 1;\n")
    assert perl_stubbed(printing, PERL) == [("noop", 10, "{}")]
    assert perl_stubbed(PERL, one.replace("sub add {", "sub add ($$) {")) == []  # (header changed)
    # a body of comments alone has no code to lose; POD is not code
    assert perl_stubbed(PERL, PERL.replace("    # nothing to do\n", "")) == []
    assert (
        perl_stubbed(PERL, PERL.replace("    sub log_line {}\n", "    sub log_line { 1 }\n")) == []
    )


def test_a_javascript_arrow_is_named_past_its_return_type_or_without_parentheses() -> None:
    old = (
        "const load = (url): api.Page => {\n  return get(url);\n};\n"
        "const trim = s => {\n  return s.trim();\n};\n"
        "const pick = c ? a : b => {\n  return b;\n};\n"
    )
    new = (
        old.replace("  return get(url);\n", "")
        .replace("  return s.trim();\n", "")
        .replace("  return b;\n", "")
    )
    assert js_stubbed(old, new) == [("load", 0, "{}"), ("trim", 2, "{}")]
