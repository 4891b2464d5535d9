"""The unified-diff applier: real diffs apply, malformed ones change nothing."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest
from acrouter.errors import VerifyError
from acrouter.verifier import apply_diff_texts, parse_unified_diff
from acrouter.verifier.hunks import apply_file_patch

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
        ("--- a/m.py\n+++ b/m.py\n@@ bad @@\n", "empty hunk"),
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


def test_a_diff_naming_files_by_a_monorepo_s_paths_changes_the_workspace_s(tmp_path):
    # the workspace is packages/proj of a monorepo, the model wrote the repository's paths
    root = tmp_path / "repo" / "packages" / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    (root / "pkg" / "util.py").write_text("X = 1\n")
    diff = (
        "--- a/packages/proj/pkg/calc.py\n+++ b/packages/proj/pkg/calc.py\n@@ -1,2 +1,2 @@\n"
        " def add(a, b):\n-    return a - b\n+    return a + b\n"
        "--- a/repo/packages/proj/pkg/util.py\n+++ b/repo/packages/proj/pkg/util.py\n"
        "@@ -1 +1 @@\n-X = 1\n+X = 2\n"
    )
    assert apply_diff_texts(root, diff, own="pkg/calc.py") == {
        "pkg/calc.py": "def add(a, b):\n    return a + b\n",
        "pkg/util.py": "X = 2\n",
    }
    with pytest.raises(VerifyError, match="the diff changes packages/other/pkg/util.py, which"):
        apply_diff_texts(
            root,
            "--- a/packages/other/pkg/util.py\n+++ b/packages/other/pkg/util.py\n"
            "@@ -1 +1 @@\n-X = 1\n+X = 2\n",
            own="pkg/calc.py",
        )


# ----------------------------------------------------------------------------- hunks without line numbers
# Models often write "@@", "@@ ... @@" or "@@ def f(): @@" headers; each such hunk goes
# where its context and removed lines match exactly one place after the previous hunk.
# Before, each of these diffs was refused ("bad hunk header").
SRC = (
    "import os\n\n\ndef add(a, b):\n    return a - b\n\n\n"
    "def mul(a, b):\n    return a * b\n\n\ndef sub(a, b):\n    return a + b\n"
)


def _patch(body: str, path: str = "s.py") -> str:
    return f"--- a/{path}\n+++ b/{path}\n{body}"


@pytest.mark.parametrize(
    "header", ["@@", "@@ ... @@", "@@ def add(a, b): @@", "@@ @@ def add(a, b):"]
)
def test_a_hunk_without_line_numbers_applies_where_its_lines_are(root: Path, header: str) -> None:
    (root / "s.py").write_text(SRC)
    diff = _patch(f"{header}\n def add(a, b):\n-    return a - b\n+    return a + b\n")
    assert apply_diff_texts(root, diff) == {"s.py": SRC.replace("a - b", "a + b")}


def test_a_hunk_without_line_numbers_whose_lines_match_twice_is_refused(root: Path) -> None:
    text = "def f(x):\n    y = x + 1\n    return y\n\n\ndef g(x):\n    y = x + 1\n    return y\n"
    (root / "s.py").write_text(text)
    before = snapshot(root.parent)
    # the same body in f and g; blank lines alone (no removed lines) are everywhere too
    for body in ("@@\n-    y = x + 1\n+    y = x + 2\n     return y\n", "@@\n \n+# end\n"):
        with pytest.raises(VerifyError, match=r"hunk 1 of s\.py does not apply.*match 2 places"):
            apply_diff_texts(root, _patch(body))
    assert snapshot(root.parent) == before
    # one more line of context makes it one place
    one = "@@ def g(x): @@\n def g(x):\n-    y = x + 1\n+    y = x + 2\n"
    assert apply_diff_texts(root, _patch(one)) == {
        "s.py": text.replace("g(x):\n    y = x + 1", "g(x):\n    y = x + 2")
    }


def test_a_hunk_without_line_numbers_differing_only_in_trailing_whitespace_is_ambiguous(
    root: Path,
) -> None:
    # one place matches exactly, the other ignoring trailing whitespace (as a numbered
    # hunk's context may): two places, refused rather than guessed
    (root / "t.py").write_text("x = 1\ny = 2\nx = 1  \ny = 2\n")
    with pytest.raises(VerifyError, match="match 2 places"):
        apply_diff_texts(root, _patch("@@\n x = 1\n-y = 2\n+y = 3\n", "t.py"))
    # unique but for trailing whitespace: applied, the kept line keeps its own text
    (root / "u.py").write_text("x = 1  \ny = 2\nz = 0\n")
    out = apply_diff_texts(root, _patch("@@\n x = 1\n-y = 2\n+y = 3\n", "u.py"))
    assert out == {"u.py": "x = 1  \ny = 3\nz = 0\n"}


def test_a_hunk_without_line_numbers_whose_lines_are_absent_is_refused(root: Path) -> None:
    (root / "s.py").write_text(SRC)
    before = snapshot(root.parent)
    diff = _patch("@@ def add(a, b): @@\n def add(a, b):\n-    return a - c\n+    return a + b\n")
    with pytest.raises(VerifyError, match=r"hunk 1 of s\.py does not apply.*not found"):
        apply_diff_texts(root, diff)
    assert snapshot(root.parent) == before


def test_two_hunks_without_line_numbers_in_one_file_apply_in_order(root: Path) -> None:
    (root / "s.py").write_text(SRC)
    diff = _patch(
        "@@\n def add(a, b):\n-    return a - b\n+    # sum\n+    return a + b\n"
        "@@\n def sub(a, b):\n-    return a + b\n+    return a - b\n"
    )
    want = SRC.replace("def sub(a, b):\n    return a + b", "def sub(a, b):\n    return a - b")
    want = want.replace("    return a - b\n\n\ndef mul", "    # sum\n    return a + b\n\n\ndef mul")
    assert apply_diff_texts(root, diff) == {"s.py": want}
    # in the other order they are out of order: the second hunk's lines are not after the first's
    swapped = _patch(
        "@@\n def sub(a, b):\n-    return a + b\n+    return a - b\n"
        "@@\n def add(a, b):\n-    return a - b\n+    return a + b\n"
    )
    with pytest.raises(VerifyError, match="hunk 2 of s.py .*not found after the previous hunk"):
        apply_diff_texts(root, swapped)


def test_numbered_and_numberless_hunks_mix(root: Path) -> None:
    (root / "s.py").write_text(SRC)
    diff = _patch(
        "@@ -1,1 +1,2 @@\n import os\n+import sys\n"
        "@@ def mul(a, b): @@\n def mul(a, b):\n-    return a * b\n+    return b * a\n"
        "@@ -13,2 +14,2 @@\n def sub(a, b):\n-    return a + b\n+    return a - b\n"
    )
    want = (
        SRC.replace("import os\n", "import os\nimport sys\n")
        .replace("a * b", "b * a")
        .replace("    return a + b\n", "    return a - b\n")
    )
    assert want.count("return a - b") == 2
    assert apply_diff_texts(root, diff) == {"s.py": want}


def test_a_numberless_hunk_in_a_crlf_file_keeps_crlf(root: Path) -> None:
    (root / "w.py").write_bytes(SRC.replace("\n", "\r\n").encode())
    diff = _patch("@@\n def add(a, b):\n-    return a - b\n+    # sum\n+    return a + b\n", "w.py")
    want = SRC.replace("    return a - b", "    # sum\n    return a + b").replace("\n", "\r\n")
    assert apply_diff_texts(root, diff) == {"w.py": want}
    # a diff written with CRLF itself changes nothing in that
    assert apply_diff_texts(root, diff.replace("\n", "\r\n")) == {"w.py": want}


def test_a_numberless_hunk_after_another_skips_the_same_lines_before_it(root: Path) -> None:
    # "    return 0" occurs before the first hunk's lines and after them: once each.  The
    # second hunk goes after the first (the earlier copy is not a second candidate), and
    # the same hunk alone, with nothing before it, matches twice and is refused.
    text = "def a():\n    return 0\n\n\ndef b():\n    x = 1\n\n\ndef c():\n    return 0\n"
    (root / "g.py").write_text(text)
    second = "@@\n-    return 0\n+    return 3\n"
    diff = _patch("@@ def b(): @@\n def b():\n-    x = 1\n+    x = 2\n" + second, "g.py")
    want = text.replace("x = 1", "x = 2").replace(
        "def c():\n    return 0", "def c():\n    return 3"
    )
    assert apply_diff_texts(root, diff) == {"g.py": want}
    with pytest.raises(VerifyError, match="match 2 places"):
        apply_diff_texts(root, _patch(second, "g.py"))


def test_a_numberless_hunk_that_only_adds_lines_needs_an_empty_or_new_file(root: Path) -> None:
    (root / "s.py").write_text(SRC)
    with pytest.raises(VerifyError, match="no context or removed lines"):
        apply_diff_texts(root, _patch("@@\n+x = 1\n"))
    (root / "empty.py").write_text("")
    assert apply_diff_texts(root, _patch("@@\n+x = 1\n", "empty.py")) == {"empty.py": "x = 1\n"}
    new = "--- /dev/null\n+++ b/pkg/fresh.py\n@@ ... @@\n+x = 1\n+y = 2\n"
    assert apply_diff_texts(root, new) == {"pkg/fresh.py": "x = 1\ny = 2\n"}
    # a second such hunk has nowhere sure to go once the first has put lines there
    with pytest.raises(VerifyError, match="hunk 2 of empty.py .*no context or removed lines"):
        apply_diff_texts(root, _patch("@@\n+x = 1\n@@\n+y = 1\n", "empty.py"))


def test_numberless_hunks_of_several_files(root: Path) -> None:
    (root / "s.py").write_text(SRC)
    diff = _patch("@@\n-    return a * b\n+    return b * a\n") + _patch(
        "@@ @@\n alpha\n-beta\n+gamma\n", "pkg/n.py"
    )
    assert apply_diff_texts(root, diff) == {
        "s.py": SRC.replace("a * b", "b * a"),
        "pkg/n.py": "alpha\ngamma\n",
    }


@pytest.mark.parametrize("header", ["@@ -1,4 +1,4 @@", "@@ ... @@"])
def test_a_line_without_its_prefix_inside_a_hunk_refuses_the_diff(header: str) -> None:
    # found reviewing the numberless hunks: a context line that lost its leading space
    # ended the hunk there, and the diff lines after it were skipped without a word, so
    # "a = 1" was removed and "b = 2" kept: half an edit, whose other half may have been
    # what replaced the removed lines
    old = "def f():\n    a = 1\n    b = 2\n    return a + b\n"
    diff = (
        f"--- a/m.py\n+++ b/m.py\n{header}\n def f():\n-    a = 1\n"
        "x = 'no prefix'\n-    b = 2\n+    a, b = 10, 20\n     return a + b\n"
    )
    with pytest.raises(
        VerifyError, match=r"line 6 of the diff, in m.py's hunks, is not a diff line.*\(line 7\)"
    ):
        parse_unified_diff(diff)
    # text after the last hunk that holds no diff line is still allowed
    tail = (
        "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n def f():\n-    a = 1\n+    a = 10\nThat's all.\n"
    )
    [patch] = parse_unified_diff(tail)
    assert apply_file_patch(old, patch) == old.replace("a = 1", "a = 10")


@pytest.mark.parametrize("header", ["@@", "@@ -1,5 +1,5 @@"])
@pytest.mark.parametrize("elision", ["...", "# ...", "// ... unchanged ...", "\u2026"])
def test_a_hunk_that_leaves_lines_out_with_an_ellipsis_is_refused(
    root: Path, header: str, elision: str
) -> None:
    # an elided hunk, as models write them: refused by the rule above (the hunk ended at
    # the "...", the lines after it were dropped and only the first change was applied)
    (root / "f.py").write_text("def f():\n    a = 1\n    b = 2\n    c = 3\n    d = 4\n")
    diff = _patch(
        f"{header}\n def f():\n-    a = 1\n+    a = 10\n{elision}\n-    d = 4\n+    d = 40\n",
        "f.py",
    )
    with pytest.raises(VerifyError, match=r"line 7 of the diff, .* is not a diff line"):
        apply_diff_texts(root, diff)
    # a "..." after the last hunk, before prose or another file, leaves nothing out
    tail = _patch(f"{header}\n def f():\n-    a = 1\n+    a = 10\n{elision}\n", "f.py")
    assert apply_diff_texts(root, tail + "--- a/pkg/n.py\n+++ b/pkg/n.py\n@@\n-beta\n+b\n") == {
        "f.py": "def f():\n    a = 10\n    b = 2\n    c = 3\n    d = 4\n",
        "pkg/n.py": "alpha\nb\n",
    }
