"""A decorator taken off a Python function or class that the edit keeps is a loss, as
the function itself would be: its effect (a permission check, a route, a cache, a
registration) is code a suite may never reach.

Before, the guard compared names only: an edit documenting ``profile`` that also took
``@login_required`` off it was verified by ``acrouter verify`` on a pytest project
("pass: 2 passed, 0 failed"): its test calls ``profile`` as a logged-in user, as tests
usually do.  A decorator the instruction names beside a removal word, one that goes with
its function, one written in another order or with other arguments, and a skip or xfail
mark taken off a test (the test then runs) are no loss."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.definitions import dropped_definitions
from acrouter.domain import Edit
from acrouter.verifier.cli import verify_edit

from .helpers import OVERLAY_AND_NONE, PYTEST, verifier, write_tree

VIEWS = """\
import functools

import pytest


def login_required(view):
    @functools.wraps(view)
    def wrapper(request):
        if not request.get("user"):
            raise PermissionError("login required")
        return view(request)

    return wrapper


def route(path):
    return lambda view: view


@route("/profile")
@route("/me")
@login_required
def profile(request):
    return {"name": request["user"]}


class Account:
    @staticmethod
    def plans():
        return ["free"]

    @functools.cached_property
    def balance(self):
        return 0


@pytest.mark.skip(reason="slow")
def test_slow():
    assert profile({"user": "ann"})
"""
TEST = """\
from views import Account, profile


def test_profile():
    assert profile({"user": "ann"}) == {"name": "ann"}


def test_account():
    assert Account.plans() == ["free"]
"""


@pytest.mark.parametrize(
    ("old", "new", "lost"),
    [
        ("@login_required\ndef profile", "def profile", ["@login_required on profile"]),
        ('@route("/me")\n', "", ["@route on profile"]),  # (one of two routes)
        ("    @staticmethod\n", "", ["@staticmethod on Account.plans"]),
        (
            "    @functools.cached_property\n",
            "    @property\n",
            ["@functools.cached_property on Account.balance"],
        ),
    ],
)
def test_a_decorator_taken_off_a_kept_definition_is_lost(
    old: str, new: str, lost: list[str]
) -> None:
    edited = VIEWS.replace(old, new)
    assert edited != VIEWS
    assert dropped_definitions(VIEWS, edited, "views.py") == lost
    name = lost[0].split()[0].removeprefix("@").split(".")[-1]
    for instruction in (f"Remove {name} from it", "Drop the decorators"):
        assert dropped_definitions(VIEWS, edited, "views.py", instruction=instruction) == []


def test_a_decorator_reordered_reargued_gone_with_its_function_or_a_skip_is_no_loss() -> None:
    start, end = VIEWS.index('@route("/profile")'), VIEWS.index("class Account")
    same = [
        VIEWS.replace('@route("/profile")\n@route("/me")\n', '@route("/me")\n@route("/profile")\n'),
        VIEWS.replace('@route("/me")', '@route("/me/")'),  # (its argument: not its name)
        # (what it is called through: ``@app.route`` moved to ``@router.route``)
        VIEWS.replace('@route("/me")', '@router.route("/me")'),
        VIEWS.replace("@login_required\n", "@login_required\n@functools.lru_cache\n"),
        VIEWS.replace('@pytest.mark.skip(reason="slow")\n', ""),  # (the test runs now)
        VIEWS.replace("    @staticmethod\n", "    @staticmethod  # no self\n"),
    ]
    for edited in same:
        assert edited != VIEWS
        assert dropped_definitions(VIEWS, edited, "views.py") == [], edited
    # profile gone is profile's loss, not its decorators' too
    without = VIEWS[:start] + VIEWS[end:]
    assert dropped_definitions(VIEWS, without, "views.py") == ["profile"]
    # a selection holding the decorator's line lets it go
    line = VIEWS.splitlines().index("@login_required")
    edited = VIEWS.replace("@login_required\ndef profile", "def profile")
    assert dropped_definitions(VIEWS, edited, "views.py", exempt_lines=(line, line)) == []


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_the_dropped_check_before_pytest_passes_it(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = write_tree(tmp_path / "ws", {"views.py": VIEWS, "test_views.py": TEST})
    ver = verifier(cache_dir=tmp_path / "cache", **mode)
    documented = VIEWS.replace(
        "@login_required\ndef profile(request):\n",
        'def profile(request):\n    """The user\'s profile."""\n',
    )
    edit = Edit(files={"views.py": documented})
    v = verify_edit(ver, str(root), edit, PYTEST)
    assert v.verdict == "error" and not v.counted, v.detail
    assert "did not ask to remove: @login_required on profile" in v.detail, v.detail
    # the tests cannot tell: with the removal allowed they run, and pass
    allowed = verify_edit(ver, str(root), edit, PYTEST, allow_removal=True)
    assert allowed.verdict == "pass", allowed.detail
