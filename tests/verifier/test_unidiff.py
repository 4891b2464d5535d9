"""The unified-diff applier: real diffs apply, malformed ones change nothing."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest
from acrouter.errors import VerifyError
from acrouter.verifier import apply_diff_texts, parse_unified_diff
from acrouter.verifier.unidiff import apply_file_patch

from .helpers import snapshot, write_tree

OLD = "".join(f"line {i}\n" for i in range(1, 31))


def udiff(old: str, new: str, path: str = "m.py", n: int = 3) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(True), new.splitlines(True), f"a/{path}", f"b/{path}", n=n
        )
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "ws", {"m.py": OLD, "pkg/n.py": "alpha\nbeta\n"})


def test_difflib_diffs_round_trip(root: Path) -> None:
    new = (
        OLD.replace("line 3\n", "line three\n")
        .replace("line 20\n", "")
        .replace("line 29\n", "line 29\nextra\n")
    )
    assert apply_diff_texts(root, udiff(OLD, new)) == {"m.py": new}


def test_multiple_files_and_a_new_file(root: Path) -> None:
    diff = udiff("alpha\nbeta\n", "alpha\ngamma\n", "pkg/n.py") + (
        "--- /dev/null\n+++ b/pkg/new.py\n@@ -0,0 +1,2 @@\n+x = 1\n+y = 2\n"
    )
    assert apply_diff_texts(root, diff) == {
        "pkg/n.py": "alpha\ngamma\n",
        "pkg/new.py": "x = 1\ny = 2\n",
    }


def test_plain_paths_without_prefixes(root: Path) -> None:
    diff = "--- pkg/n.py\n+++ pkg/n.py\n@@ -1,2 +1,2 @@\n alpha\n-beta\n+BETA\n"
    assert apply_diff_texts(root, diff) == {"pkg/n.py": "alpha\nBETA\n"}


def test_model_slips_are_tolerated(root: Path) -> None:
    # wrong counts, blank context line without its space, a line offset, prose around it
    text = "def f():\n    a = 1\n\n    return a\n"
    (root / "f.py").write_text("# header\n# more\n" + text)
    diff = (
        "Here is the fix:\n\n"
        "--- a/f.py\n+++ b/f.py\n"
        "@@ -1,3 +1,3 @@\n"
        " def f():\n-    a = 1\n+    a = 2\n\n     return a\n"
        "\nHope this helps.\n"
    )
    assert apply_diff_texts(root, diff)["f.py"] == "# header\n# more\n" + text.replace(
        "a = 1", "a = 2"
    )


def test_trailing_whitespace_drift_in_context(root: Path) -> None:
    (root / "w.py").write_text("x = 1   \ny = 2\n")
    diff = "--- a/w.py\n+++ b/w.py\n@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n+y = 3\n"
    assert apply_diff_texts(root, diff)["w.py"] == "x = 1   \ny = 3\n"


def test_no_newline_at_end_of_file(root: Path) -> None:
    (root / "e.txt").write_text("a\nb")
    diff = "--- a/e.txt\n+++ b/e.txt\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
    assert apply_diff_texts(root, diff)["e.txt"] == "a\nc\n"
    diff2 = "--- a/e.txt\n+++ b/e.txt\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
    assert apply_diff_texts(root, diff2)["e.txt"] == "a\nc"


def test_crlf_files_keep_their_line_endings(root: Path) -> None:
    (root / "w.txt").write_bytes(b"one\r\ntwo\r\nthree\r\n")
    diff = "--- a/w.txt\n+++ b/w.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n"
    assert apply_diff_texts(root, diff)["w.txt"] == "one\r\nTWO\r\nthree\r\n"


def test_crlf_lines_a_diff_adds_never_end_twice_and_kept_lines_keep_their_own(
    root: Path,
) -> None:
    (root / "w.txt").write_bytes(b"one\r\ntwo\r\nthree\r\nfour\nfive\r\n")
    # a diff with mixed line ends: the added line's own "\r" is not doubled
    diff = "--- a/w.txt\r\n+++ b/w.txt\r\n@@ -1,3 +1,3 @@\r\n one\n-two\n+TWO\r\n three\n"
    # the one LF line ("four") is left as it was; the lines the diff adds end with CRLF
    assert apply_diff_texts(root, diff)["w.txt"] == "one\r\nTWO\r\nthree\r\nfour\nfive\r\n"
    (root / "x.txt").write_bytes(b"one\r\ntwo\r\nlast")
    grow = "--- a/x.txt\n+++ b/x.txt\n@@ -2,2 +2,3 @@\n two\n-last\n+last\n+more\n"
    assert apply_diff_texts(root, grow)["x.txt"] == "one\r\ntwo\r\nlast\r\nmore\r\n"


def test_removed_lines_that_look_like_headers(root: Path) -> None:
    (root / "q.sql").write_text("select 1;\n-- comment\n++ odd\n")
    diff = "--- a/q.sql\n+++ b/q.sql\n@@ -1,3 +1,1 @@\n select 1;\n--- comment\n-++ odd\n"
    assert apply_diff_texts(root, diff)["q.sql"] == "select 1;\n"


def test_overrides_replace_the_file_on_disk(root: Path) -> None:
    diff = "--- a/pkg/n.py\n+++ b/pkg/n.py\n@@ -1,2 +1,2 @@\n ALPHA\n-beta\n+gamma\n"
    out = apply_diff_texts(root, diff, overrides={str(root / "pkg/n.py"): "ALPHA\nbeta\n"})
    assert out == {"pkg/n.py": "ALPHA\ngamma\n"}


@pytest.mark.parametrize(
    ("diff", "message"),
    [
        ("", "empty"),
        ("just some prose\n", "no '---'/'+++'"),
        ("@@ -1 +1 @@\n-a\n+b\n", "without '---'/'+++'"),
        ("--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n-nope\n+x\n context\n", "does not apply"),
        ("--- a/m.py\n+++ b/m.py\n@@ bad @@\n", "bad hunk header"),
        ("--- a/m.py\n+++ b/m.py\n", "no hunk"),
        ("--- a/m.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-line 1\n", "deleting files"),
        (
            "diff --git a/m.py b/z.py\nrename from m.py\nrename to z.py\n--- a/m.py\n+++ b/z.py\n@@ -1 +1 @@\n-line 1\n+x\n",
            "renames",
        ),
        ("--- a/img.png\n+++ b/img.png\nBinary files a/img.png and b/img.png differ\n", "no hunk"),
        ("--- a/missing.py\n+++ b/missing.py\n@@ -1 +1 @@\n-a\n+b\n", "does not exist"),
        ("--- /dev/null\n+++ b/m.py\n@@ -0,0 +1 @@\n+x\n", "already exists"),
        ("--- a/../evil.py\n+++ b/../evil.py\n@@ -0,0 +1 @@\n+x\n", "'..'"),
        ("--- a/.git/config\n+++ b/.git/config\n@@ -0,0 +1 @@\n+x\n", ".git"),
        ("--- /dev/null\n+++ /etc/evil\n@@ -0,0 +1 @@\n+x\n", "absolute"),
    ],
)
def test_bad_diffs_fail_with_a_detail_and_write_nothing(
    root: Path, diff: str, message: str
) -> None:
    before = snapshot(root.parent)
    with pytest.raises(VerifyError, match=re.escape(message)):
        apply_diff_texts(root, diff)
    assert snapshot(root.parent) == before


def test_a_binary_patch_is_refused(root: Path) -> None:
    diff = "diff --git a/x.bin b/x.bin\nGIT binary patch\nliteral 1\n--- a/m.py\n+++ b/m.py\n"
    with pytest.raises(VerifyError, match="binary"):
        parse_unified_diff(diff)


def test_second_hunk_applies_after_the_first_shifted_lines() -> None:
    new = OLD.replace("line 2\n", "line 2\nA\nB\nC\n").replace("line 25\n", "line twenty-five\n")
    patch = parse_unified_diff(udiff(OLD, new, n=1))[0]
    assert len(patch.hunks) == 2
    assert apply_file_patch(OLD, patch) == new


def test_symlink_out_of_the_workspace_is_refused(root: Path, tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "t.py").write_text("a\n")
    os.symlink(tmp_path / "outside", root / "out")
    with pytest.raises(VerifyError, match="outside the workspace"):
        apply_diff_texts(root, "--- a/out/t.py\n+++ b/out/t.py\n@@ -1 +1 @@\n-a\n+b\n")
    assert (tmp_path / "outside" / "t.py").read_text() == "a\n"


def test_a_diff_naming_the_request_file_shortened_or_led_by_the_folder_name_changes_it(tmp_path):
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    for name in ("calc.py", "proj/pkg/calc.py"):
        diff = (
            f"--- a/{name}\n+++ b/{name}\n@@ -1,2 +1,2 @@\n def add(a, b):\n"
            "-    return a - b\n+    return a + b\n"
        )
        out = apply_diff_texts(root, diff, own="pkg/calc.py")
        assert out == {"pkg/calc.py": "def add(a, b):\n    return a + b\n"}, name
    other = "--- /dev/null\n+++ b/sub/calc.py\n@@ -0,0 +1 @@\n+x = 1\n"
    assert apply_diff_texts(root, other, own="pkg/calc.py") == {"sub/calc.py": "x = 1\n"}
