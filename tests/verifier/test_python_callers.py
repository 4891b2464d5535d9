"""An edit that changes how a Python function binds its callers' arguments is refused
before the tests run, when the instruction did not ask for it: the tests may pass by
keyword, or pass what the new signature wants, while the project's own callers (and a
library's, outside the repository) pass what the old one took.

Before, ``acrouter verify`` passed an edit that put ``step=0`` before ``factor`` in
``scale(values, factor=1, offset=0)``: the tests call ``scale(xs, factor=3)``, and
``app.main``, untested, calls ``scale(lengths, 2)``, whose 2 became the step."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.cli import verify_edit

from .helpers import OVERLAY_AND_NONE, PYTEST, verifier, write_tree

SCALE = """\
def scale(values, factor=1, offset=0):
    return [v * factor + offset for v in values]
"""
APP = """\
from textscale import scale


def main(line):
    return scale([len(p) for p in line.split(",")], 2)
"""
TEST = """\
from textscale import scale


def test_scale():
    assert scale([1, 2], factor=3) == [3, 6]
"""


@pytest.mark.parametrize("mode", OVERLAY_AND_NONE)
def test_acrouter_verify_refuses_a_parameter_put_before_one_callers_pass_by_position(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root = write_tree(
        tmp_path / "ws", {"textscale.py": SCALE, "app.py": APP, "tests/test_scale.py": TEST}
    )
    ver = verifier(cache_dir=tmp_path / "cache", **mode)
    inserted = Edit(
        files={"textscale.py": SCALE.replace("(values, factor", "(values, step=0, factor")}
    )
    v = verify_edit(ver, str(root), inserted, PYTEST)
    assert v.verdict == "error" and not v.counted, v.detail
    assert (
        "change 2 parameter(s) of textscale.py that the instruction did not ask to change: "
        "factor of scale (moved from 2nd to 3rd place), offset of scale (moved from 3rd to "
        "4th place)" in v.detail
    )
    # the tests cannot tell: with the guard set aside they run, and pass
    allowed = verify_edit(ver, str(root), inserted, PYTEST, allow_removal=True)
    assert allowed.verdict == "pass" and "1 passed" in allowed.detail, allowed.detail
    # put last, with a default, it changes no call: verified
    appended = Edit(files={"textscale.py": SCALE.replace("offset=0)", "offset=0, step=0)")})
    ok = verify_edit(ver, str(root), appended, PYTEST)
    assert ok.verdict == "pass" and ok.counted, ok.detail
    # a required one added: a caller that does not pass it fails (the tests set aside)
    required = SCALE.replace(
        "(values, factor=1, offset=0)", "(values, factor=1, offset=0, *, unit)"
    )
    refused = verify_edit(ver, str(root), Edit(files={"textscale.py": required}), PYTEST)
    assert refused.verdict == "error" and "unit of scale (added, required)" in refused.detail
