"""Positions at the LSP boundary: client code units (the negotiated positionEncoding,
UTF-16 by default) <-> domain code points."""

from __future__ import annotations

import pytest
from acrouter.domain import Edit, Position, Range
from acrouter.errors import RequestError
from acrouter.lsp import convert
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
