"""Which open documents are unsaved buffers of the request's workspace (``lsp.buffers``)."""

from __future__ import annotations

from pathlib import Path

from acrouter.lsp.buffers import Buffer, unsaved_buffers
from pygls.workspace import TextDocument


def opened(uri: str, text: str, version: int = 1) -> TextDocument:
    return TextDocument(uri, source=text, version=version, language_id="python")


def test_only_changed_local_files_inside_the_workspace_count(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "tests").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "a.py").write_text("A = 1\n")
    (root / "same.py").write_text("S = 1\n")
    (root / "crlf.py").write_bytes(b"C = 1\r\n")
    (root / "tests" / "test_a.py").write_text("def test(): pass\n")
    (root / "latin1.py").write_bytes(b"X = '\xe9'\n")
    outside = tmp_path / "outside.py"
    outside.write_text("O = 1\n")
    (root / "link.py").symlink_to(outside)
    docs = [
        opened((root / "a.py").as_uri(), "A = 2\n", 3),
        opened((root / "same.py").as_uri(), "S = 1\n"),  # = disk
        opened((root / "crlf.py").as_uri(), "C = 1\n"),  # = disk but its line ends
        opened((root / "tests" / "test_a.py").as_uri(), "def test(): assert 0\n", 7),
        opened((root / "new.py").as_uri(), "N = 1\n", 2),  # not on disk (yet, or any more)
        opened((root / "latin1.py").as_uri(), "X = 'é!'\n"),  # changed; not UTF-8 on disk
        opened(outside.as_uri(), "O = 2\n"),  # outside the workspace
        opened((root / "link.py").as_uri(), "O = 3\n"),  # leads outside through a link
        opened((root / ".git" / "config").as_uri(), "[core]\n"),  # never edited
        opened("untitled:Untitled-1", "U = 1\n"),  # no file
        opened((root / "big.py").as_uri(), "B = 1\n" * 100),  # over the size limit
    ]
    left_out: dict[str, str] = {}
    found = unsaved_buffers(docs, root.resolve(), max_bytes=200, left_out=left_out)
    # not used, and said so: the tests read these files on disk
    assert left_out == {
        "latin1.py": "the file on disk is not UTF-8 text",
        "big.py": "larger than maxFileKilobytes, 0 KB",
    }
    assert found == {
        "a.py": Buffer("a.py", (root / "a.py").as_uri(), 3, "A = 2\n"),
        "new.py": Buffer("new.py", (root / "new.py").as_uri(), 2, "N = 1\n"),
        "tests/test_a.py": Buffer(
            "tests/test_a.py", (root / "tests" / "test_a.py").as_uri(), 7, "def test(): assert 0\n"
        ),
    }


def test_unchanged_files_are_no_buffer_left_out_whatever_their_size_or_encoding(
    tmp_path: Path,
) -> None:
    # a large file or one of another encoding, open and unchanged, is the file on disk:
    # nothing is left out, so the why says nothing about it
    root = tmp_path / "ws"
    root.mkdir()
    (root / "big.py").write_text("B = 1\n" * 100)
    (root / "cp1252.py").write_bytes(b"Q = '\x93quoted\x94'\r\n")
    (root / "latin1.txt").write_bytes(b"caf\xe9\n")
    docs = [
        opened((root / "big.py").as_uri(), "B = 1\n" * 100),
        opened((root / "cp1252.py").as_uri(), "Q = '\u201cquoted\u201d'\n"),
        opened((root / "latin1.txt").as_uri(), "caf\xe9\n"),
    ]
    left_out: dict[str, str] = {}
    assert unsaved_buffers(docs, root.resolve(), max_bytes=200, left_out=left_out) == {}
    assert left_out == {}
