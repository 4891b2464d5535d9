"""``benchmarks/py_parameters.py`` judges how the guard reads the parameters of Python
functions with edits of real files: checked here on a tiny corpus of our own, whose
deletions (with ``--seed 1``) have each fate: refused (a function a module-level
``for`` loop defines too: missed before ``pyparameters`` walked loops), still taken by
``*args`` / ``**kwargs`` (``fn`` of ``call``), of a function defined twice or inside a
function, called by a framework by keyword (a route's or a command's function: only the
first parameter, which the framework passes by position, is compared)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .helpers import script_output

FILES = {
    # ruff formats this one ("text:str"): the whole file reformatted is an edit too
    "a_calc.py": """\
def parse(text:str = "utf-8"):
    return text


def outer(x):
    def inner(y=1):
        return y

    return inner
""",
    "b_overload.py": """\
from typing import overload


@overload
def get(key: int) -> int: ...
@overload
def get(key: str) -> str: ...
def get(key):
    return key
""",
    "c_call.py": """\
import sys


def call(fn, /, *args, **kwargs):
    return fn(*args, **kwargs)


class Reader:
    def read(self, size=-1, *, strict=False):
        return size
""",
    "d_loop.py": """\
import sys

for _name in ("a", "b"):

    def scaled(value):
        return value
""",
    "e_broken.py": "def broken(:\n",
    # a framework calls these by keyword (a parameter put before another breaks no
    # call) but for what it passes by position: Sanic's request, what pass_obj gives
    "f_app.py": """\
import click
from fastapi import FastAPI

app = FastAPI()


@app.get("/items")
def list_items(skip=0, limit=10):
    return []


@app.route("/users")
async def user(request, full=False):
    return full


@click.command()
@click.option("--verbose", is_flag=True)
@click.pass_obj
def show(repo=None, verbose=False):
    pass
""",
    # what pytest calls by name (not compared, by design), and a helper that is
    "conftest.py": """\
import pytest


@pytest.fixture
def db(tmp_path, request):
    return tmp_path


def pytest_configure(config):
    pass


def scale(values, factor=1, offset=0):
    return values
""",
}


def test_the_edits_are_judged(tmp_path: Path) -> None:
    if not (Path(sys.executable).parent / "ruff").exists():
        pytest.skip("no ruff beside the interpreter")
    src = tmp_path / "src"
    src.mkdir()
    for name, text in FILES.items():
        (src / name).write_text(text)
    (src / "skipped").mkdir()
    (src / "skipped" / "z.py").write_text("def z(a):\n    return a\n")
    args = (str(src), "--exclude", "skipped", "--seed", "1")
    out = script_output("py_parameters.py", *args).splitlines()
    assert out[:19] == [
        "files read: 6 (not read: not parsed 1)",
        "edit             edits  refused  not refused  skipped",
        "deleted             15        8            7        0",
        "keyword-only        13        7            6        0",
        "required             7        6            1        0",
        "moved                7        4            3        0",
        "added required      15        9            6        0",
        "added               15        0           15        0",
        "default              7        0            7        0",
        "annotated           12        0           12        0",
        "unannotated          3        0            3        0",
        "ruff format          1        0            1        0",
        (
            "deleted not refused: 1 still taken (by *args / **kwargs), 3 of a function "
            "defined twice, 1 of a function inside a function, 2 called by pytest, 0 called"
            " by a framework by keyword, 0 missed"
        ),
        (
            "keyword-only not refused: 0 still taken (by *args / **kwargs), 3 of a function"
            " defined twice, 1 of a function inside a function, 2 called by pytest, 0 "
            "called by a framework by keyword, 0 missed"
        ),
        (
            "required not refused: 0 still taken (by *args / **kwargs), 0 of a function "
            "defined twice, 1 of a function inside a function, 0 called by pytest, 0 called"
            " by a framework by keyword, 0 missed"
        ),
        (
            "moved not refused: 0 still taken (by *args / **kwargs), 0 of a function "
            "defined twice, 1 of a function inside a function, 0 called by pytest, 2 called"
            " by a framework by keyword, 0 missed"
        ),
        (
            "added required not refused: 0 still taken (by *args / **kwargs), 3 of a "
            "function defined twice, 1 of a function inside a function, 2 called by pytest,"
            " 0 called by a framework by keyword, 0 missed"
        ),
        (
            "moved: 5 before the first positional parameter callers pass, 2 before the "
            "first with a default (a required one first); not edited: 8 each positional "
            "parameter required, 0 none"
        ),
        "refused although not compared by design: 0",
    ]
    assert out[19].startswith("command: ") and out[19].endswith(" ".join(args))
    assert len(out) == 20
