"""The JS/TS tokenizer the rename rule reads test files with (acrouter/jstokens.py): what
it reads, and every place where JavaScript's grammar needs more than the tokens before
to decide, which it refuses rather than guess (a misread regular expression would show
the words in it as names a rename could change)."""

from __future__ import annotations

import pytest
from acrouter.jstokens import COMMENT, NAME, NUMBER, PUNCT, REGEX, STRING, TEMPLATE, tokens


def kinds(text: str) -> list[tuple[str, str]]:
    toks = tokens(text)
    assert toks is not None, text
    return [(t.kind, t.text) for t in toks]


def test_the_tokens_of_an_ordinary_test() -> None:
    text = (
        "const { add } = require('./calc');\nit(\"adds\", () => expect(add(2, 3)).toBe(5)); // ok\n"
    )
    assert kinds(text) == [
        (NAME, "const"), (PUNCT, "{"), (NAME, "add"), (PUNCT, "}"), (PUNCT, "="),
        (NAME, "require"), (PUNCT, "("), (STRING, "'./calc'"), (PUNCT, ")"), (PUNCT, ";"),
        (NAME, "it"), (PUNCT, "("), (STRING, '"adds"'), (PUNCT, ","), (PUNCT, "("),
        (PUNCT, ")"), (PUNCT, "=>"), (NAME, "expect"), (PUNCT, "("), (NAME, "add"),
        (PUNCT, "("), (NUMBER, "2"), (PUNCT, ","), (NUMBER, "3"), (PUNCT, ")"), (PUNCT, ")"),
        (PUNCT, "."), (NAME, "toBe"), (PUNCT, "("), (NUMBER, "5"), (PUNCT, ")"), (PUNCT, ")"),
        (PUNCT, ";"), (COMMENT, "// ok"),
    ]  # fmt: skip


def test_numbers_strings_and_longest_punctuators() -> None:
    assert kinds("x >>>= 0x1F + 1e-3 + .5 + 10n + 1_000") == [
        (NAME, "x"), (PUNCT, ">>>="), (NUMBER, "0x1F"), (PUNCT, "+"), (NUMBER, "1e-3"),
        (PUNCT, "+"), (NUMBER, ".5"), (PUNCT, "+"), (NUMBER, "10n"), (PUNCT, "+"),
        (NUMBER, "1_000"),
    ]  # fmt: skip
    assert kinds(r"'it\'s' + " + '"a \\" b"') == [
        (STRING, r"'it\'s'"),
        (PUNCT, "+"),
        (STRING, '"a \\" b"'),
    ]
    assert kinds("a?.b ?? c") == [
        (NAME, "a"),
        (PUNCT, "?."),
        (NAME, "b"),
        (PUNCT, "??"),
        (NAME, "c"),
    ]


def test_a_slash_divides_or_starts_a_pattern_where_the_tokens_before_tell() -> None:
    assert kinds("x = a / b / 2") == [
        (NAME, "x"), (PUNCT, "="), (NAME, "a"), (PUNCT, "/"), (NAME, "b"), (PUNCT, "/"),
        (NUMBER, "2"),
    ]  # fmt: skip
    # where an expression starts: a regular expression, read whole (a "/" in a class)
    assert kinds("expect(f).toThrow(/bad [/] add/i)")[-2:] == [
        (REGEX, "/bad [/] add/i"),
        (PUNCT, ")"),
    ]
    assert kinds("return /add/.test(s)")[:2] == [(NAME, "return"), (REGEX, "/add/")]
    # a property spelt as a keyword is a name like any other: x.in / 2 divides
    assert kinds("x.in / 2")[-2] == (PUNCT, "/")
    # comments between do not change what the slash follows
    assert kinds("a /* c */ / 2")[2] == (PUNCT, "/")


@pytest.mark.parametrize(
    "text",
    [
        "if (x) /add/.test(s)",  # after ")": a pattern here, a division after (a + b)
        "(a + b) / 2",  # the same ")": refused although it divides
        "{}\n/add/g.exec(s)",  # after "}": a block's end or an object's
        "let x = a++ / 2",  # after ++ (a++ / 2, or ++ /re/...)
        "let type = 1; type / 2",  # a contextual keyword that is a name here
        "const of = 6; of / add(2) / 1",  # of, yield, await: names in a script too
        "yield / add(2) / 1",
    ],
)
def test_a_slash_the_tokens_before_do_not_decide_is_refused(text: str) -> None:
    assert tokens(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "render(<Button>add</Button>)",  # JSX: its text is no tokens
        "const x = <div />",
        "let n = <number>value",  # a TypeScript type assertion
        "f(x) < 3",  # "<" after ")": JSX may start there (if (x) <p/>)
        "const \\u0061dd = 1",  # a name spelt with an escape
        "const café = 1",  # outside ASCII, outside strings
        "class A { #secret = 1 }",  # a private name
        "x = 1 <!-- comment",  # an HTML-like comment (scripts)
        "x = 1\n--> comment",
        "'unterminated",
        "'no\nnewline in a string'",
        "/* open comment",
        "`open template",
        "`${open`",
        "x = /open",
        "f(a, b",  # unbalanced brackets
        "f(a, b]",
    ],
)
def test_what_it_cannot_read_with_certainty_is_refused(text: str) -> None:
    assert tokens(text) is None


def test_template_literals_and_their_substitutions() -> None:
    assert kinds("`a ${ {b: 1}.b } c ${add(1)}`") == [
        (TEMPLATE, "`a ${"), (PUNCT, "{"), (NAME, "b"), (PUNCT, ":"), (NUMBER, "1"),
        (PUNCT, "}"), (PUNCT, "."), (NAME, "b"), (TEMPLATE, "} c ${"), (NAME, "add"),
        (PUNCT, "("), (NUMBER, "1"), (PUNCT, ")"), (TEMPLATE, "}`"),
    ]  # fmt: skip
    # a substitution starts an expression: a regular expression there, not a division
    # (misread, the words of /add/ would be names a rename could change)
    assert kinds("`${/add/.source} ${a / 2}`")[1] == (REGEX, "/add/")
    assert kinds("`${a}` / 2")[-2] == (PUNCT, "/")
    assert kinds("`add ${'`'} add`") == [
        (TEMPLATE, "`add ${"),
        (STRING, "'`'"),
        (TEMPLATE, "} add`"),
    ]


def test_line_breaks_before_tokens_are_recorded() -> None:
    # automatic semicolon insertion: a\n++b is a; ++b, and a++\nb is a++; b
    one, two = tokens("a\n++b"), tokens("a++\nb")
    assert one is not None and two is not None
    assert [(t.text, t.newline_before) for t in one] == [("a", False), ("++", True), ("b", False)]
    assert [(t.text, t.newline_before) for t in two] == [("a", False), ("++", False), ("b", True)]


def test_a_line_comment_ends_at_any_line_terminator() -> None:
    # a lone carriage return ends a line: node runs what follows it
    assert kinds("// c\rrun()") == [(COMMENT, "// c"), (NAME, "run"), (PUNCT, "("), (PUNCT, ")")]
    assert kinds("#!/usr/bin/env node\rrun()")[0] == (NAME, "run")


def test_a_hashbang_and_a_byte_order_mark_are_no_tokens() -> None:
    assert kinds("\ufeff#!/usr/bin/env node\nrun()") == [(NAME, "run"), (PUNCT, "("), (PUNCT, ")")]


def test_lines_after_a_hashbang_are_the_file_lines() -> None:
    # (0-based, as the editor's selection: the definitions guard excuses a function the
    # selection covers, so a line one too high excused the function above it)
    for text in ("#!/usr/bin/env node\nrun()", "#!/usr/bin/env node\r\nrun()", "\ufeff#!x\nrun()"):
        read = tokens(text)
        assert read is not None
        assert (read[0].text, read[0].line, read[0].newline_before) == ("run", 1, True)
