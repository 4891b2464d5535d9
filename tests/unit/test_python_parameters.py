"""A parameter dropped from a Python function the edit keeps is refused, as a dropped
function is: every caller that passes it breaks, and a library's callers are mostly
outside the repository.

Before, an edit asked to fix a bug in ``parse(text, encoding="utf-8")`` that also
dropped ``encoding`` passed: the guard compared which functions a file defines, not what
they take, and the tests call ``parse(text)``."""

from __future__ import annotations

import pytest
from acrouter.definitions import dropped_definitions, guard
from acrouter.errors import ParseError
from acrouter.pyparameters import dropped_parameters, signatures

SOURCE = """\
import sys


def parse(text, encoding="utf-8", *, strict=False):
    return text


def join(*parts, sep=" "):
    return sep.join(parts)


def call(fn, /, *args, **kwargs):
    return fn(*args, **kwargs)


class Reader:
    def __init__(self, path, mode="r"):
        self.path = path

    def read(self, size=-1, **options):
        return self.path

    @staticmethod
    def open(path, mode="r"):
        return Reader(path, mode)

    @classmethod
    def of(cls, path):
        return cls(path)


if sys.version_info >= (3, 12):
    def batched(items, n):
        return items
"""


def lost(new: str, instruction: str = "Fix the bug in parse", **kw) -> list[str]:
    return dropped_definitions(SOURCE, new, "reader.py", instruction=instruction, **kw)


def test_signatures_are_read_by_path_without_self_or_cls() -> None:
    sigs = signatures(SOURCE)
    assert sigs is not None
    assert sigs["parse"][1] == [("any", "text"), ("any=", "encoding"), ("kw=", "strict")]
    assert sigs["call"][1] == [("pos", "fn"), ("*", "args"), ("**", "kwargs")]
    assert sigs["Reader.read"][1] == [("any=", "size"), ("**", "options")]
    assert sigs["Reader.open"][1] == [("any", "path"), ("any=", "mode")]  # static: no self
    assert sigs["Reader.of"][1] == [("any", "path")]
    assert sigs["batched"][1] == [("any", "items"), ("any", "n")]  # in an if block
    assert signatures("def f(:\n") is None


@pytest.mark.parametrize(
    ("before", "after", "gone"),
    [
        ('encoding="utf-8", ', "", "parameter encoding of parse"),
        (", *, strict=False", "", "parameter strict of parse"),
        (", **options", "", "parameter **options of Reader.read"),
        ('(self, path, mode="r"):\n        self', "(self, path):\n        self", None),
        ("def batched(items, n)", "def batched(items)", "parameter n of batched"),
        ("fn, /, *args", "fn, /", "parameter *args of call"),
        ("def join(*parts, ", "def join(", "parameter *parts of join"),
    ],
)
def test_a_parameter_gone_is_lost(before: str, after: str, gone: str | None) -> None:
    assert before in SOURCE
    new = SOURCE.replace(before, after, 1)
    if gone is None:  # Reader.__init__'s mode
        assert lost(new) == ["parameter mode of Reader.__init__"]
    else:
        assert lost(new) == [gone]


def test_what_callers_can_still_pass_is_no_loss() -> None:
    same = [
        SOURCE.replace("*, strict=False", "**flags"),  # keyword-only into **kwargs
        SOURCE.replace("(fn, /, *args, **kwargs)", "(*args, **kwargs)"),  # into *args
        SOURCE.replace('(text, encoding="utf-8", *,', '(text, *rest, encoding="utf-8", **kw,'),
        SOURCE.replace("*args, **kwargs):\n    return fn", "*a, **kw):\n    return fn"),
        SOURCE.replace('encoding="utf-8"', 'encoding: str = "utf-8"'),  # annotated
        SOURCE.replace('encoding="utf-8"', 'encoding="latin-1", errors="strict"'),  # added
        # a required parameter is passed by position: *args takes it (the editor's test:
        # "Fix add so that it sums any number of arguments", add(a, b) to add(*xs))
        SOURCE.replace("def batched(items, n)", "def batched(*items_and_n)"),
    ]
    for new in same:
        assert lost(new) == [], new
    # one with a default is often passed by keyword: *args alone does not take it
    assert lost(SOURCE.replace('(text, encoding="utf-8", *,', "(text, *rest,")) == [
        "parameter encoding of parse"
    ]
    # a function gone is the guard's other loss, not its parameters
    gone = SOURCE.replace(
        'def parse(text, encoding="utf-8", *, strict=False):\n    return text\n', ""
    )
    assert lost(gone) == ["parse"]
    # a file that does not parse after the edit: the line patterns compare
    assert dropped_parameters(SOURCE, "def parse(:\n") == []


def test_a_parameter_may_go_when_asked_for() -> None:
    new = SOURCE.replace('encoding="utf-8", ', "")
    assert lost(new, "Remove the encoding parameter of parse") == []
    assert lost(new, "Drop encoding") == []
    assert lost(new, "Remove unused arguments") == []
    assert lost(new, "Change the signature of parse to take only the text") == []
    # what the function takes, said beside its name ("make f take a list instead of two
    # numbers" was refused); not how long it takes, nor what another function takes
    assert lost(new, "Make parse take only the text") == []
    assert lost(new, "parse should accept a str") == []
    assert lost(new, "Make parse take less time") == ["parameter encoding of parse"]
    assert lost(new, "Make join take a list") == ["parameter encoding of parse"]
    # named without a removal word, or a removal without a name: still lost
    assert lost(new, "Document encoding in parse") == ["parameter encoding of parse"]
    assert lost(new, "Remove the bug in parse") == ["parameter encoding of parse"]
    # "add a parameter" speaks of parameters but asks for no removal
    assert lost(new, "Add a timeout parameter to parse") == ["parameter encoding of parse"]
    # the function selected: its code may change freely
    line = SOURCE.splitlines().index('def parse(text, encoding="utf-8", *, strict=False):')
    assert lost(new, exempt_lines=(line, line + 1)) == []


def test_a_module_of_blocks_only_and_loops_are_compared() -> None:
    """cffi's ``_imp_emulation.py`` defines its functions in ``try`` blocks only: the
    guard returned before comparing anything (a function renamed there passed too)."""
    src = "try:\n    import json\nexcept ImportError:\n    def loads(text, strict=True):\n        pass\n"
    fix = "Fix the bug"
    assert dropped_definitions(src, src.replace(", strict=True", ""), "x.py", instruction=fix) == [
        "parameter strict of loads"
    ]
    assert dropped_definitions(src, src.replace("loads", "load"), "x.py", instruction=fix) == [
        "loads"
    ]
    loop = "import sys\nfor _ in ():\n    def scaled(value, factor=1):\n        return value\n"
    assert dropped_definitions(loop, loop.replace(", factor=1", ""), "x.py", instruction=fix) == [
        "parameter factor of scaled"
    ]


def test_the_refusal_names_parameters_as_such() -> None:
    new = SOURCE.replace('encoding="utf-8", ', "").replace(", **options", "")
    with pytest.raises(ParseError) as caught:
        guard(
            {"reader.py": SOURCE},
            {"reader.py": new},
            language_of=lambda _r: None,
            instruction="Fix the bug in parse",
        )
    assert str(caught.value) == (
        "the edit would delete 2 parameter(s) of reader.py that the instruction did not ask "
        "to remove: encoding of parse, **options of Reader.read"
    )
    # with a function gone too, each loss says what it is
    gone = new.replace('def join(*parts, sep=" "):\n    return sep.join(parts)\n', "")
    with pytest.raises(
        ParseError,
        match=r"3 definition\(s\), method\(s\) or import\(s\) of reader.py .*: join, "
        r"parameter encoding of parse, parameter \*\*options of Reader.read$",
    ):
        guard(
            {"reader.py": SOURCE},
            {"reader.py": gone},
            language_of=lambda _r: None,
            instruction="Fix the bug in parse",
        )


def test_a_parameter_kept_but_no_longer_taken_as_callers_pass_it_is_changed() -> None:
    """Kept by name, a parameter can still break its callers: made keyword-only
    (``parse(text, "latin-1")`` fails), positional-only (``parse(text,
    encoding="latin-1")`` fails) or required (``parse(text)`` fails).  Before, only a
    parameter's name was compared, and each of these passed the tests that call
    ``parse(text)``."""
    keyword_only = SOURCE.replace('(text, encoding="utf-8", *,', '(text, *, encoding="utf-8",')
    assert lost(keyword_only) == ["parameter encoding of parse (made keyword-only)"]
    positional_only = SOURCE.replace("def parse(text", "def parse(text, /")
    assert lost(positional_only) == ["parameter text of parse (made positional-only)"]
    required = SOURCE.replace(
        '(text, encoding="utf-8", *, strict=False)', "(text, encoding, *, strict)"
    )
    assert lost(required) == [
        "parameter encoding of parse (made required)",
        "parameter strict of parse (made required)",
    ]
    # a default changed, a parameter made optional, one taken into *args: none of these
    assert lost(SOURCE.replace('encoding="utf-8"', "encoding=None")) == []
    assert lost(SOURCE.replace("def batched(items, n)", "def batched(items, n=2)")) == []
    # asked for: the parameter named, or how parameters are passed spoken of
    assert lost(keyword_only, "Make encoding keyword-only") == []
    assert lost(positional_only, "Make the first parameter positional-only") == []
    assert lost(required, "Remove the defaults from parse") == []
    with pytest.raises(ParseError) as caught:
        guard(
            {"reader.py": SOURCE},
            {"reader.py": keyword_only},
            language_of=lambda _r: None,
            instruction="Fix the bug in parse",
        )
    assert str(caught.value) == (
        "the edit would change 1 parameter(s) of reader.py that the instruction did not ask "
        "to change: encoding of parse (made keyword-only)"
    )
    dropped_too = keyword_only.replace(", **options", "")
    with pytest.raises(
        ParseError, match=r"would delete or change 2 parameter\(s\) .* ask to remove or change: "
    ):
        guard(
            {"reader.py": SOURCE},
            {"reader.py": dropped_too},
            language_of=lambda _r: None,
            instruction="Fix the bug in parse",
        )


def test_a_required_parameter_added_or_a_parameter_moved_is_changed() -> None:
    """A function kept can break its callers with a parameter added: a required one
    (``parse(text)`` fails once ``parse(text, sep)``), or one put before a positional
    one, which then binds otherwise: ``Reader.read(size=-1)`` made ``read(offset=0,
    size=-1)`` turns a caller's ``read(10)`` into ``read(offset=10)``, and nothing
    fails.  Before, both were verified when the tests pass what the new signature
    wants or pass by keyword (an app calling ``scale(xs, 2)`` had its factor taken as a
    step)."""
    required = SOURCE.replace('(text, encoding="utf-8", *,', '(text, sep, encoding="utf-8", *,')
    assert lost(required) == [
        "parameter sep of parse (added, required)",
        "parameter encoding of parse (moved from 2nd to 3rd place)",
    ]
    keyword = SOURCE.replace("*, strict=False)", "*, strict=False, level)")
    assert lost(keyword) == ["parameter level of parse (added, required)"]
    moved = SOURCE.replace("def read(self, size=-1,", "def read(self, offset=0, size=-1,")
    assert lost(moved) == ["parameter size of Reader.read (moved from 1st to 2nd place)"]
    swapped = SOURCE.replace("def open(path, mode=", "def open(mode, path=")
    assert lost(swapped) == [
        "parameter mode of Reader.open (made required)",
        "parameter path of Reader.open (moved from 1st to 2nd place)",
        "parameter mode of Reader.open (moved from 2nd to 1st place)",
    ]
    # a positional one before a kept *args takes what it took; a first one, what it got
    timeout = SOURCE.replace("def call(fn, /, *args,", "def call(fn, /, timeout, *args,")
    assert lost(timeout) == ["parameter timeout of call (added, required)"]
    # no loss: an optional one added last or keyword-only, one spelled out of a *args or
    # a **kwargs the function no longer takes (whose own loss is named), a method's
    # first parameter renamed
    assert lost(SOURCE.replace("*, strict=False)", 'sep=",", *, strict=False)')) == []
    assert lost(SOURCE.replace("*, strict=False)", "*, strict=False, level=0)")) == []
    spelled = SOURCE.replace(
        "def read(self, size=-1, **options)", "def read(self, size=-1, *, fmt)"
    )
    assert lost(spelled) == ["parameter **options of Reader.read"]
    assert lost(SOURCE.replace("def of(cls, path)", "def of(klass, path)")) == []
    # asked for: the parameter named, parameters spoken of, what parse takes said
    assert lost(required, "Add a sep parameter to parse") == []
    assert lost(required, "parse should take the separator as sep") == []
    assert lost(moved, "Let read start at an offset") == [
        "parameter size of Reader.read (moved from 1st to 2nd place)"
    ]
    assert lost(moved, "Let read start at an offset, before size") == []
    with pytest.raises(ParseError) as caught:
        guard(
            {"reader.py": SOURCE},
            {"reader.py": moved},
            language_of=lambda _r: None,
            instruction="Fix the bug in read",
        )
    assert str(caught.value) == (
        "the edit would change 1 parameter(s) of reader.py that the instruction did not ask "
        "to change: size of Reader.read (moved from 1st to 2nd place)"
    )


TESTS = """\
import pytest


@pytest.fixture
def db():
    return {}


@pytest.fixture(scope="module")
def server(db):
    return db


def pytest_configure(config):
    pass


def test_add(db):
    assert db == {}


class TestCalc:
    def test_sub(self, server):
        assert server == {}


def make(a, b=1):
    return a
"""


@pytest.mark.parametrize("rel", ["tests/test_calc.py", "calc_test.py", "conftest.py"])
def test_what_pytest_calls_may_take_other_parameters(rel: str) -> None:
    """pytest passes a fixture, a hook and a test of a test module what their parameters
    name, and nothing else calls them: asking for a fixture more or one fewer breaks no
    caller.  Before, ``def test_add(db)`` made ``test_add(tmp_path, db)`` was refused as
    a parameter moved, and ``test_add()`` as ``db`` dropped.  A helper of the same
    module is still compared."""
    new = (
        TESTS.replace("def db():", "def db(tmp_path):")
        .replace("def server(db):", "def server():")
        .replace("def pytest_configure(config):", "def pytest_configure():")
        .replace("def test_add(db):", "def test_add(tmp_path, db):")
        .replace("def test_sub(self, server):", "def test_sub(self, server, db):")
    )
    assert dropped_definitions(TESTS, new, rel, instruction="Fix the flaky test") == []
    helper = new.replace("def make(a, b=1)", "def make(a, c, b=1)")
    assert dropped_definitions(TESTS, helper, rel, instruction="Fix the flaky test") == [
        "parameter c of make (added, required)",
        "parameter b of make (moved from 2nd to 3rd place)",
    ]
    # outside a test module, a function named test_* is anyone's to call
    assert dropped_definitions(TESTS, new, "calc/checks.py", instruction="Fix it") == [
        "parameter tmp_path of test_add (added, required)",
        "parameter db of test_add (moved from 1st to 2nd place)",
        "parameter db of TestCalc.test_sub (added, required)",
    ]


ROUTES = """\
import functools
from unittest import mock

import click
from IPython.core.magic_arguments import argument, magic_arguments
from fastapi import Depends, FastAPI
from sanic import Sanic

app = FastAPI()
web = Sanic("web")


@app.get("/items")
def list_items(skip: int = 0, limit: int = 10):
    return []


def paging(skip: int = 0, limit: int = 10):
    return skip, limit


class Filters:
    def __init__(self, q: str = "", tag: str = ""):
        self.q = q


@app.get("/things")
def things(page=Depends(paging), filters: Filters = Depends(Filters)):
    return []


@web.route("/users/<name>")
async def user(request, name, full=False):
    return name


@click.command()
@click.option("--count", default=1)
@click.option("--name")
def hello(count, name):
    pass


@click.command()
@click.option("--verbose", is_flag=True)
@click.pass_obj
def show(repo, verbose=False):
    pass


@mock.patch("os.getcwd")
def check(getcwd, strict=False):
    pass


@magic_arguments()
@argument("-n", "--lines")
def tail(line="", cell=None):
    pass


@functools.lru_cache(maxsize=None)
def lookup(key, default=None):
    return default
"""


def test_a_framework_callback_called_by_keyword_may_take_its_parameters_elsewhere() -> None:
    """FastAPI and Flask call a route's function with its URL and query values by
    keyword, click a command's with its options, FastAPI a dependency (a function or
    a class given to ``Depends``) with what it needs: a parameter put before another
    breaks no call.  Before, "filter the items by name" made
    ``list_items(q="", skip=0, limit=10)`` and was refused as ``skip`` and ``limit``
    moved.  What the framework passes by position stays compared (Sanic's
    ``request``, what ``@click.pass_obj`` gives), as does every other decorated
    function, and a required parameter added (a request without it fails)."""
    new = (
        ROUTES.replace("def list_items(skip", 'def list_items(q: str = "", skip')
        .replace("def paging(skip", "def paging(cursor: str = '', skip")
        .replace('__init__(self, q: str = ""', '__init__(self, lang: str = "", q: str = ""')
        .replace("def hello(count, name)", "def hello(name, count)")
        .replace("async def user(request, name,", "async def user(request, lang=None, name=None,")
    )
    assert dropped_definitions(ROUTES, new, "app.py", instruction="Filter by name") == []
    before_request = ROUTES.replace("def user(request,", "def user(lang, request,")
    assert dropped_definitions(
        ROUTES, before_request, "app.py", instruction="Support languages"
    ) == [
        "parameter lang of user (added, required)",
        "parameter request of user (moved from 1st to 2nd place)",
    ]
    before_obj = ROUTES.replace("def show(repo,", "def show(verbose=False, repo=None,").replace(
        "repo=None, verbose=False)", "repo=None)"
    )
    assert dropped_definitions(ROUTES, before_obj, "app.py", instruction="Tidy show") == [
        "parameter repo of show (moved from 1st to 2nd place)"
    ]
    # a mock is passed by position; an IPython magic's ``@argument`` alone declares no
    # click command
    others = (
        ROUTES.replace("def check(getcwd,", "def check(strict=False, getcwd=None,")
        .replace("(getcwd=None, strict=False)", "(getcwd=None)")
        .replace('def tail(line=""', 'def tail(n=0, line=""')
    )
    assert dropped_definitions(ROUTES, others, "app.py", instruction="Tidy up") == [
        "parameter getcwd of check (moved from 1st to 2nd place)",
        "parameter strict of check (moved from 2nd to 1st place)",
        "parameter line of tail (moved from 1st to 2nd place)",
        "parameter cell of tail (moved from 2nd to 3rd place)",
    ]
    cached_ = ROUTES.replace("def lookup(key,", "def lookup(ns=None, key=None,")
    assert dropped_definitions(ROUTES, cached_, "app.py", instruction="Namespace lookups") == [
        "parameter key of lookup (moved from 1st to 2nd place)",
        "parameter default of lookup (moved from 2nd to 3rd place)",
    ]
    required = ROUTES.replace("def list_items(skip", "def list_items(q: str, skip")
    assert dropped_definitions(ROUTES, required, "app.py", instruction="Filter by name") == [
        "parameter q of list_items (added, required)"
    ]
    # one the module calls by position is the module's to call too
    home = ROUTES + '\n\n@app.get("/")\ndef home():\n    return list_items(0, 5)\n'
    assert dropped_definitions(
        home, home.replace("def list_items(skip", 'def list_items(q: str = "", skip'), "app.py"
    ) == [
        "parameter skip of list_items (moved from 1st to 2nd place)",
        "parameter limit of list_items (moved from 2nd to 3rd place)",
    ]
    # a route no longer registered is compared as any function is
    unrouted = new.replace('@app.get("/items")\n', "")
    assert "parameter skip of list_items (moved from 1st to 2nd place)" in dropped_definitions(
        ROUTES, unrouted, "app.py", instruction="Filter by name"
    )


TYPER = """\
from typing import Annotated

import typer

app = typer.Typer()


@app.command()
def copy(src: str, dst: str, force: bool = False):
    pass


@app.callback()
def main(ctx: typer.Context, verbose: bool = False):
    pass


def greet(name: Annotated[str, typer.Argument()] = "World", formal: bool = False):
    pass


def helper(value, b=1):
    return value


if __name__ == "__main__":
    typer.run(greet)
"""


def test_a_typer_command_takes_its_arguments_in_order_and_its_options_by_name() -> None:
    """typer calls a command by keyword, and its command line takes the arguments (the
    parameters without a default, or marked ``typer.Argument``) in the signature's
    order, the options (``--force``) by name: asked "add a --dry-run option", an
    option put anywhere changes no command line, and was refused as the parameters
    after it moved; two arguments swapped change every ``copy a b``, and are refused."""

    def typer_lost(*pairs: tuple[str, str]) -> list[str]:
        new = TYPER
        for before, after in pairs:
            assert before in new
            new = new.replace(before, after, 1)
        return dropped_definitions(TYPER, new, "cli.py", instruction="Add a dry run mode")

    assert typer_lost(("copy(src: str,", "copy(dry_run: bool = False, src: str,")) == []
    assert (
        typer_lost(("main(ctx: typer.Context,", "main(quiet: bool = False, ctx: typer.Context,"))
        == []
    )
    assert typer_lost(("greet(name: Annotated", "greet(loud: bool = False, name: Annotated")) == []
    assert typer_lost(("copy(src: str, dst: str,", "copy(dst: str, src: str,")) == [
        "parameter src of copy (moved from 1st to 2nd place)",
        "parameter dst of copy (moved from 2nd to 1st place)",
    ]
    # a new argument before the others shifts the command line's words (and each
    # command line without it fails)
    assert typer_lost(
        ("copy(src: str,", "copy(verb: Annotated[str, typer.Argument()], src: str,")
    ) == [
        "parameter verb of copy (added, required)",
        "parameter src of copy (moved from 1st to 2nd place)",
        "parameter dst of copy (moved from 2nd to 3rd place)",
    ]
    # a function typer does not run is compared as any other
    assert typer_lost(("def helper(value,", "def helper(z=0, value=None,")) == [
        "parameter value of helper (moved from 1st to 2nd place)",
        "parameter b of helper (moved from 2nd to 3rd place)",
    ]
