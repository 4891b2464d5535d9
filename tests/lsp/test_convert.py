"""Positions at the LSP boundary: client code units (the negotiated positionEncoding,
UTF-16 by default) <-> domain code points."""

from __future__ import annotations

import attrs
import pytest
from acrouter.domain import Document, Edit, Position, Range
from acrouter.errors import RequestError
from acrouter.lsp import convert
from acrouter.lsp.freshness import ABSENT, base_digest, changed_since
from lsprotocol.types import PositionEncodingKind
from pygls.workspace import PositionCodec

TEXT = 'ICON = "😋"; add = lambda a, b: a - b\nx = 1\n'
LINE = TEXT.splitlines()[0]
ADD = LINE.index("add")  # code points
UTF16 = PositionCodec(PositionEncodingKind.Utf16)
UTF8 = PositionCodec(PositionEncodingKind.Utf8)
UTF32 = PositionCodec(PositionEncodingKind.Utf32)


def units(s: str, codec: PositionCodec) -> int:
    return codec.client_num_units(s)


@pytest.mark.parametrize("codec", [UTF16, UTF8, UTF32], ids=["utf-16", "utf-8", "utf-32"])
def test_a_selection_after_an_emoji_maps_to_code_points_and_back(tmp_path, codec):
    f = tmp_path / "calc.py"
    f.write_text(TEXT, encoding="utf-8")
    start = Position(0, units(LINE[:ADD], codec))
    end = Position(0, units(LINE, codec))  # end of the line, past the emoji
    doc = convert.load_document(f.as_uri(), Range(start, end), None, None, None, codec)
    assert doc.range == Range(Position(0, ADD), Position(0, len(LINE)))
    assert doc.text[ADD : len(LINE)] == "add = lambda a, b: a - b"

    new = TEXT.replace("a - b", "a + b")
    edit = convert.workspace_edit(
        doc,
        Edit(files={"calc.py": new}, replacement="add = lambda a, b: a + b"),
        str(tmp_path),
        {"calc.py": new},
        codec,
    )
    (change,) = edit["documentChanges"]
    (text_edit,) = change["edits"]
    assert text_edit["range"] == {
        "start": {"line": 0, "character": start.character},
        "end": {"line": 0, "character": end.character},
    }
    assert text_edit["newText"] == "add = lambda a, b: a + b"


def test_utf16_counts_an_emoji_as_two_units():
    # the bug this guards: UTF-16 positions read as code points ran one past the line end
    end = Position(0, len(LINE) + 1)
    assert convert.to_domain_position(TEXT, end) == Position(0, len(LINE))
    assert convert.to_client_position(TEXT, Position(0, len(LINE))) == {
        "line": 0,
        "character": len(LINE) + 1,
    }
    with pytest.raises(RequestError, match="outside line 0"):
        convert.to_domain_position(TEXT, Position(0, len(LINE) + 2))


def test_a_position_inside_a_character_is_refused():
    emoji = LINE.index("😋")
    with pytest.raises(RequestError, match="inside a character"):
        convert.to_domain_position(TEXT, Position(0, emoji + 1), UTF16)  # between the surrogates
    with pytest.raises(RequestError, match="inside a character"):
        convert.to_domain_position(TEXT, Position(0, emoji + 2), UTF8)  # inside the 4 UTF-8 bytes


def test_whole_document_edits_end_in_client_units(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("s = '😋'", encoding="utf-8")
    doc = convert.load_document(f.as_uri(), None, None, None, None, UTF16)
    edit = convert.workspace_edit(
        doc, Edit(files={"m.py": "s = 1\n"}), str(tmp_path), {"m.py": "s = 1\n"}, UTF16
    )
    assert edit["documentChanges"][0]["edits"][0]["range"]["end"] == {"line": 0, "character": 8}


def test_a_multi_file_edit_carries_what_each_file_held_when_it_was_made(tmp_path):
    """The client compares these digests with the files right before applying, so a file
    saved between the reply and the user's Apply is never overwritten."""
    import hashlib

    from acrouter.context import build_task
    from acrouter.domain import Completion, Document, PromptContext
    from acrouter.prompts import ChatPrompts

    (tmp_path / ".git").mkdir()
    calc, util = tmp_path / "calc.py", tmp_path / "util.py"
    calc.write_text("def add(a, b):\n    return a - b\n")
    util.write_text("def one():\r\n    return 1\r\n")  # CRLF: the digest does not depend on it
    unsaved = "def add(a, b):\n    return a - b  # typed, not saved\n"
    doc = Document(uri=calc.as_uri(), path=str(calc), text=unsaved, version=3)
    task = build_task(doc, "Fix add", folders=[tmp_path])

    def sr(path: str, search: str, replace: str) -> str:
        return (
            f"{path}\n```python\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"
        )

    reply = (
        sr("calc.py", "    return a - b  # typed, not saved\n", "    return a + b\n")
        + sr("util.py", "    return 1\n", "    return 1.0\n")
        + sr("new_mod.py", "", "X = 1\n")
    )
    edit = ChatPrompts().parse(task, Completion("m", reply), PromptContext())
    texts = dict(edit.files)
    ws = convert.workspace_edit(doc, edit, str(tmp_path), texts)
    digests = convert.base_digests(doc, edit, str(tmp_path), texts)

    def sha(text: str) -> str:
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    touched = {c["textDocument"]["uri"] for c in ws["documentChanges"] if "textDocument" in c}
    assert (
        set(digests)
        == touched
        == {calc.as_uri(), util.as_uri(), (tmp_path / "new_mod.py").as_uri()}
    )
    assert digests[calc.as_uri()] == sha(unsaved)  # the editor's text the edit was made from
    assert digests[util.as_uri()] == sha("def one():\n    return 1\n")
    assert digests[(tmp_path / "new_mod.py").as_uri()] == ABSENT
    # a file whose base is unknown is left out: the client refuses to overwrite it blind
    unknown = attrs.evolve(edit, bases={"calc.py": unsaved})
    assert set(convert.base_digests(doc, unknown, str(tmp_path), texts)) == {calc.as_uri()}


def test_changed_since_names_the_first_file_that_no_longer_holds_the_base(tmp_path) -> None:
    # the server's own apply (routeAndComplete with apply: true) checks this first
    a, b, new = (tmp_path / n for n in ("a.py", "b.py", "new.py"))
    bases = {
        a.as_uri(): base_digest("a = 1\n"),  # the requested file
        b.as_uri(): base_digest("b = 1\n"),
        new.as_uri(): ABSENT,
    }
    now = {a.as_uri(): "a = 1\n", b.as_uri(): "b = 1\r\n", new.as_uri(): None}
    assert changed_since(bases, now.get) is None
    now[b.as_uri()] = "b = 2\n"
    assert changed_since(bases, now.get) == ("b.py changed on disk since the edit was made")
    now[b.as_uri()] = "b = 1\n"
    now[new.as_uri()] = "created meanwhile\n"
    # in the words of changedSince's list and of the client's check (edits.ts)
    assert changed_since(bases, now.get) == "new.py was created since the edit was made"
    now[new.as_uri()] = None
    now[b.as_uri()] = None
    assert changed_since(bases, now.get) == "b.py was deleted since the edit was made"
    now[b.as_uri()] = "b = 1\n"
    # the requested file too: when it was not open, no version pins the edit to its text
    now[a.as_uri()] = "a = 2\n"
    assert changed_since(bases, now.get) == "a.py changed on disk since the edit was made"
    # an open document whose version moved on (or that was closed) since the request
    now[a.as_uri()] = "a = 1\n"
    doc = Document(uri=a.as_uri(), path=str(a), text="a = 1\n", version=4)
    assert changed_since(bases, now.get, doc, 4) is None
    # typed and undone: a new version with the text read (the edit is re-pinned to it)
    assert changed_since(bases, now.get, doc, 5) is None
    now[a.as_uri()] = "a = 1  # typed\n"
    assert changed_since(bases, now.get, doc, 5) == "a.py was edited since the request was made"
    now[a.as_uri()] = "a = 1\n"
    # closed (or reopened) still holding the text read: not stale (the edit is re-pinned)
    assert changed_since(bases, now.get, doc, None) is None
    assert changed_since(bases, now.get, doc, 1) is None
    # closed unsaved: the disk does not hold the buffer the request read
    unsaved_doc = Document(uri=a.as_uri(), path=str(a), text="a = 9\n", version=4)
    assert changed_since({}, now.get, unsaved_doc, None) == (
        "a.py was closed after the request was sent, and the file on disk does not hold the "
        "text the edit was made from"
    )
    assert (
        changed_since({}, now.get, unsaved_doc, 7) == "a.py was edited since the request was made"
    )
    now[a.as_uri()] = None
    assert changed_since({}, now.get, doc, None) == "a.py was deleted since the edit was made"
    now[a.as_uri()] = "a = 1\n"

    def unreadable(uri: str) -> str | None:
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    assert changed_since(bases, unreadable) == "a.py can no longer be read"


def test_lines_are_counted_as_the_editor_counts_them():
    """A form feed or U+2028 does not end a line for the editor (LSP: CRLF, LF, CR only),
    though str.splitlines splits there: a position after one must not shift a line."""
    text = "a = 1\n\x0c\nb = 2  # x\u2028y\nc = 3\n"
    assert convert.to_domain_position(text, Position(3, 4)) == Position(3, 4)
    assert convert.to_client_position(text, Position(2, 12)) == {"line": 2, "character": 12}
    with pytest.raises(RequestError, match="outside the document"):
        convert.to_domain_position(text, Position(5, 0))
