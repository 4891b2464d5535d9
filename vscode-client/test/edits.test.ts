import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ABSENT,
  applyTextEdits,
  baseDigest,
  changedOnDisk,
  EditError,
  editsForUri,
  lineStarts,
  offsetAt,
  previewText,
  staleReason,
  touchedUris,
  whyNotApply,
} from "../src/edits";
import type { TextEdit, WorkspaceEdit } from "../src/protocol";

const edit = (sl: number, sc: number, el: number, ec: number, newText: string): TextEdit => ({
  range: { start: { line: sl, character: sc }, end: { line: el, character: ec } },
  newText,
});

describe("offsets", () => {
  it("splits lines on \\n, \\r\\n and \\r", () => {
    assert.deepEqual(lineStarts("a\nb\r\nc\rd"), [0, 2, 5, 7]);
    assert.deepEqual(lineStarts(""), [0]);
  });
  it("clamps past-the-end characters and lines as the LSP spec says", () => {
    const text = "ab\r\ncd";
    const starts = lineStarts(text);
    assert.equal(offsetAt(text, starts, { line: 0, character: 99 }), 2); // before \r\n
    assert.equal(offsetAt(text, starts, { line: 1, character: 1 }), 5);
    assert.equal(offsetAt(text, starts, { line: 7, character: 0 }), text.length);
  });
  it("rejects negative or fractional positions", () => {
    assert.throws(() => offsetAt("x", [0], { line: -1, character: 0 }), EditError);
    assert.throws(() => offsetAt("x", [0], { line: 0, character: 0.5 }), EditError);
  });
});

describe("applyTextEdits", () => {
  const text = "def f(x):\n    return x + 1\n";
  it("replaces a range", () => {
    assert.equal(applyTextEdits(text, [edit(1, 11, 1, 16, "x - 1")]), "def f(x):\n    return x - 1\n");
  });
  it("applies several edits against the original text, in any order", () => {
    const out = applyTextEdits(text, [edit(1, 11, 1, 16, "y"), edit(0, 6, 0, 7, "y")]);
    assert.equal(out, "def f(y):\n    return y\n");
  });
  it("keeps array order for inserts at the same position", () => {
    assert.equal(applyTextEdits("x", [edit(0, 0, 0, 0, "a"), edit(0, 0, 0, 0, "b")]), "abx");
  });
  it("replaces the whole document with a past-the-end range", () => {
    assert.equal(applyTextEdits(text, [edit(0, 0, 99, 0, "pass\n")]), "pass\n");
  });
  it("works with UTF-16 positions (as LSP and JavaScript count)", () => {
    // "😀" is two UTF-16 code units
    assert.equal(applyTextEdits("😀ab", [edit(0, 2, 0, 3, "X")]), "😀Xb");
  });
  it("keeps \\r\\n line endings intact", () => {
    assert.equal(applyTextEdits("a\r\nb\r\n", [edit(1, 0, 1, 1, "B")]), "a\r\nB\r\n");
  });
  it("rejects overlapping and reversed edits", () => {
    assert.throws(() => applyTextEdits(text, [edit(0, 0, 0, 5, "a"), edit(0, 3, 0, 8, "b")]), /overlaps/);
    assert.throws(() => applyTextEdits(text, [edit(1, 5, 1, 2, "a")]), /ends before it starts/);
  });
});

describe("WorkspaceEdit helpers", () => {
  const uri = "file:///w/src/parse.py";
  const other = "file:///w/tests/test_parse.py";
  const ws: WorkspaceEdit = {
    documentChanges: [
      { textDocument: { uri, version: 7 }, edits: [edit(0, 0, 0, 3, "abc")] },
      { textDocument: { uri: other, version: null }, edits: [edit(0, 0, 0, 0, "import x\n")] },
      { kind: "create", uri: "file:///w/new.py" },
    ],
  };
  it("collects a document's edits and the version they were built from", () => {
    const got = editsForUri(ws, uri);
    assert.equal(got.version, 7);
    assert.equal(got.edits.length, 1);
    assert.deepEqual(editsForUri(ws, "file:///nope").edits, []);
  });
  it("also reads the older `changes` map", () => {
    const got = editsForUri({ changes: { [uri]: [edit(0, 0, 0, 1, "Z")] } }, uri);
    assert.equal(got.version, undefined);
    assert.equal(previewText("xyz", { changes: { [uri]: got.edits } }, uri), "Zyz");
  });
  it("previews only the requested document", () => {
    assert.equal(previewText("xyzw", ws, uri), "abcw");
  });
  it("lists every touched document once", () => {
    assert.deepEqual(touchedUris(ws), [uri, other, "file:///w/new.py"]);
  });
  it("uses the given URI comparison", () => {
    const caseless = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
    assert.equal(editsForUri(ws, uri.toUpperCase(), caseless).edits.length, 1);
  });
});

describe("staleReason", () => {
  const uri = "file:///w/a.py";
  const ws = (version: number | null): WorkspaceEdit => ({
    documentChanges: [{ textDocument: { uri, version }, edits: [edit(0, 0, 0, 0, "x")] }],
  });
  it("accepts an edit built from the version the request was sent with", () => {
    assert.equal(
      staleReason(ws(4), uri, 4, () => 4),
      null,
    );
    assert.equal(
      staleReason(ws(null), uri, 4, () => 4),
      null,
    );
  });
  it("refuses when the user typed since the request", () => {
    assert.match(staleReason(ws(4), uri, 4, () => 5) ?? "", /file changed after the request/);
  });
  it("refuses when the server saw another version", () => {
    assert.match(staleReason(ws(3), uri, 4, () => 4) ?? "", /different version/);
  });
  it("checks other open documents the edit touches", () => {
    const other = "file:///w/b.py";
    const multi: WorkspaceEdit = {
      documentChanges: [{ textDocument: { uri: other, version: 2 }, edits: [] }],
    };
    assert.match(staleReason(multi, uri, 1, (u) => (u === other ? 3 : 1)) ?? "", /b\.py was edited in the editor/);
    // a pinned version is an unsaved buffer's: closed since, and without the server's digest
    // of that buffer's text, nothing can tell whether the file still holds it
    assert.match(staleReason(multi, uri, 1, (u) => (u === other ? undefined : 1)) ?? "", /b\.py was closed/);
  });
  it("refuses to overwrite another file with unsaved changes the server did not read", () => {
    const other = "file:///w/b.py";
    const multi: WorkspaceEdit = {
      documentChanges: [
        { textDocument: { uri, version: 1 }, edits: [edit(0, 0, 0, 0, "x")] },
        { textDocument: { uri: other, version: null }, edits: [edit(0, 0, 3, 0, "y")] },
      ],
    };
    const stale = (unsaved: (u: string) => boolean) => staleReason(multi, uri, 1, () => 1, undefined, unsaved);
    assert.match(
      stale((u) => u === other) ?? "",
      /b\.py was edited in the editor after the edit was made from the saved file \(its unsaved changes are kept\)/,
    );
    assert.equal(
      stale(() => false),
      null,
    );
    // the request's own file may be dirty: the server read its unsaved text and pinned its version
    assert.equal(
      stale((u) => u === uri),
      null,
    );
  });
  it("applies to another unsaved buffer the edit was made from, at that version only", () => {
    const other = "file:///w/b.py";
    const multi: WorkspaceEdit = {
      documentChanges: [
        { textDocument: { uri, version: 1 }, edits: [edit(0, 0, 0, 0, "x")] },
        { textDocument: { uri: other, version: 6 }, edits: [edit(0, 0, 3, 0, "y")] },
      ],
    };
    const dirty = (u: string): boolean => u === other;
    assert.equal(
      staleReason(multi, uri, 1, (u) => (u === other ? 6 : 1), undefined, dirty),
      null,
    );
    // the message names the file as the user knows it, and says what happened to the buffer
    const name = (u: string): string => u.replace("file:///w/", "");
    assert.equal(
      staleReason(multi, uri, 1, (u) => (u === other ? 7 : 1), undefined, dirty, name),
      "b.py was edited in the editor since the edit was made from its unsaved buffer (its unsaved changes are kept)",
    );
    assert.equal(
      staleReason(
        multi,
        uri,
        1,
        (u) => (u === other ? undefined : 1),
        undefined,
        () => false,
        name,
      ),
      "b.py was closed since the edit was made from its unsaved buffer",
    );
  });
  it("names other files by the label it is given, never by their URI", () => {
    const other = "file:///w/sub/b.py";
    const unpinned: WorkspaceEdit = {
      documentChanges: [{ textDocument: { uri: other, version: null }, edits: [edit(0, 0, 3, 0, "y")] }],
    };
    const reason = staleReason(
      unpinned,
      uri,
      1,
      () => 1,
      undefined,
      (u) => u === other,
      (u) => u.replace("file:///w/", ""),
    );
    assert.equal(
      reason,
      "sub/b.py was edited in the editor after the edit was made from the saved file (its unsaved changes are kept)",
    );
  });
});

describe("changedOnDisk", () => {
  // A two-file edit as the server sends it: the requested document (pinned to its version),
  // another file replaced whole, and a file the edit creates.
  const uri = "file:///w/calc.py";
  const helper = "file:///w/helper.py";
  const created = "file:///w/new_mod.py";
  const whole = (u: string, text: string) => ({
    textDocument: { uri: u, version: null },
    edits: [edit(0, 0, 99, 0, text)],
  });
  const multi: WorkspaceEdit = {
    documentChanges: [
      { textDocument: { uri, version: 4 }, edits: [edit(1, 11, 1, 12, "+")] },
      whole(helper, "def two():\n    return 2\n"),
      { kind: "create", uri: created },
      whole(created, "X = 1\n"),
    ],
  };
  const bases = {
    [uri]: baseDigest("def add(a, b):\n    return a - b\n"),
    [helper]: baseDigest("def one():\n    return 1\n"),
    [created]: ABSENT,
  };
  /** The files as the client would read them now (null: no such file), and which it read. */
  const files = (over: Record<string, string | null> = {}) => {
    const now: Record<string, string | null> = {
      [uri]: "def add(a, b):\n    return a - b\n",
      [helper]: "def one():\n    return 1\n",
      [created]: null,
      ...over,
    };
    const seen: string[] = [];
    const read = async (u: string): Promise<string | null> => {
      seen.push(u);
      if (!(u in now)) throw new Error(`unexpected read of ${u}`);
      return now[u];
    };
    return { read, seen };
  };
  const name = (u: string): string => u.replace("file:///w/", "");

  it("lets an edit whose files all still hold what it was made from be applied, after reading each", async () => {
    const { read, seen } = files();
    assert.equal(await changedOnDisk(multi, uri, bases, read, undefined, name), null);
    assert.deepEqual(seen, [uri, helper, created]);
  });
  it("ignores line-ending and byte-order-mark differences between the editor and the disk", async () => {
    const { read } = files({ [helper]: "\uFEFFdef one():\r\n    return 1\r\n" });
    assert.equal(await changedOnDisk(multi, uri, bases, read), null);
  });
  it("refuses the whole edit, naming the file, when another file was saved since the edit was made", async () => {
    const { read } = files({ [helper]: "def one():\n    return 1  # saved meanwhile\n" });
    assert.equal(
      await changedOnDisk(multi, uri, bases, read, undefined, name),
      "helper.py changed on disk since the edit was made",
    );
  });
  it("refuses when a file the edit creates exists now, or a file it changes was deleted", async () => {
    const made = files({ [created]: "" });
    assert.equal(
      await changedOnDisk(multi, uri, bases, made.read, undefined, name),
      "new_mod.py was created since the edit was made",
    );
    const gone = files({ [helper]: null });
    assert.equal(
      await changedOnDisk(multi, uri, bases, gone.read, undefined, name),
      "helper.py was deleted since the edit was made",
    );
  });
  it("refuses when a file cannot be read, or another file comes without a digest", async () => {
    const broken = async (u: string): Promise<string | null> => {
      if (u === helper) throw new Error("EACCES");
      return files().read(u);
    };
    assert.equal(
      await changedOnDisk(multi, uri, bases, broken, undefined, name),
      "helper.py can no longer be read as text",
    );
    const { [helper]: _dropped, ...partial } = bases;
    assert.match(
      (await changedOnDisk(multi, uri, partial, files().read, undefined, name)) ?? "",
      /cannot tell whether helper\.py changed/,
    );
    // the requested document without a digest is left to its version check (staleReason)
    const { [uri]: _doc, ...others } = bases;
    assert.equal(await changedOnDisk(multi, uri, others, files().read), null);
  });
  it("also catches the requested document changed on disk from what the edit was made from", async () => {
    const { read } = files({ [uri]: "def add(a, b):\n    return b - a\n" });
    assert.equal(
      await changedOnDisk(multi, uri, bases, read, undefined, name),
      "calc.py changed on disk since the edit was made",
    );
  });
});

describe("whyNotApply", () => {
  // The requested document calc.py (version 4 when the request was sent) and notes.py, whose
  // unsaved buffer (version 6) the edit was made from, as the server sends them.
  const uri = "file:///w/calc.py";
  const notes = "file:///w/notes.py";
  const calcText = "def add(a, b):\n    return a - b\n";
  const notesBuffer = "# unsaved note\n";
  const multi: WorkspaceEdit = {
    documentChanges: [
      { textDocument: { uri, version: 4 }, edits: [edit(1, 11, 1, 12, "+")] },
      { textDocument: { uri: notes, version: 6 }, edits: [edit(0, 0, 0, 0, "# fixed\n")] },
    ],
  };
  const digests = { [uri]: baseDigest(calcText), [notes]: baseDigest(notesBuffer) };
  const label = (u: string): string => u.replace("file:///w/", "");
  /** The editor now: `open` (URI -> version and text of an open buffer, and whether it is
   * dirty) and `disk` (URI -> the file's text, absent: no file). */
  const editorNow = (
    open: Record<string, { version: number; text: string; dirty?: boolean }>,
    disk: Record<string, string>,
  ) => ({
    version: (u: string) => open[u]?.version,
    unsaved: (u: string) => open[u]?.dirty ?? false,
    read: async (u: string) => open[u]?.text ?? disk[u] ?? null,
    same: (a: string, b: string) => a === b,
    label,
  });
  const sent = (closed: boolean) => ({ uri, version: 4, text: calcText, closed });
  const notesOpen = { version: 6, text: notesBuffer, dirty: true };

  it("applies after the requested file was closed unchanged and opened again by the diff", async () => {
    // VS Code counts a document opened again from 1: its version says nothing about its text
    const reopened = editorNow({ [uri]: { version: 1, text: calcText }, [notes]: notesOpen }, { [uri]: calcText });
    assert.equal(await whyNotApply(multi, digests, sent(true), reopened), null);
    const closed = editorNow({ [notes]: notesOpen }, { [uri]: calcText });
    assert.equal(await whyNotApply(multi, digests, sent(true), closed), null);
    // without the server's digest, the text the request was sent with decides
    const { [uri]: _calc, ...notesOnly } = digests;
    assert.equal(await whyNotApply(multi, notesOnly, sent(true), reopened), null);
  });
  it("says the buffer still open changed when its version moved on", async () => {
    const typed = editorNow({ [uri]: { version: 5, text: calcText + "x", dirty: true }, [notes]: notesOpen }, {});
    assert.equal(await whyNotApply(multi, digests, sent(false), typed), "the file changed after the request was sent");
  });
  it("refuses, saying so, when the requested file was closed and no longer holds the request's text", async () => {
    // closed without saving its unsaved changes (the edit was made from them)
    const closed = editorNow({ [notes]: notesOpen }, { [uri]: "def add(a, b):\n    pass\n" });
    assert.equal(
      await whyNotApply(multi, digests, sent(true), closed),
      "calc.py was closed after the request was sent, and the file on disk does not hold the text the edit was made from",
    );
    // opened again and typed in: its unsaved changes are never overwritten
    const typed = editorNow(
      { [uri]: { version: 2, text: calcText + "# new\n", dirty: true }, [notes]: notesOpen },
      { [uri]: calcText },
    );
    assert.equal(
      await whyNotApply(multi, digests, sent(true), typed),
      "calc.py was closed after the request was sent, and the document opened again does not hold the text the edit was made from",
    );
    const { [uri]: _calc, ...notesOnly } = digests;
    assert.match((await whyNotApply(multi, notesOnly, sent(true), typed)) ?? "", /calc\.py was closed after/);
    const gone = editorNow({ [notes]: notesOpen }, {});
    assert.equal(await whyNotApply(multi, digests, sent(true), gone), "calc.py was deleted since the edit was made");
  });
  it("applies to another file whose unsaved buffer was saved and closed, or opened again unchanged", async () => {
    const calcOpen = { [uri]: { version: 4, text: calcText } };
    assert.equal(await whyNotApply(multi, digests, sent(false), editorNow(calcOpen, { [notes]: notesBuffer })), null);
    const reopened = editorNow({ ...calcOpen, [notes]: { version: 1, text: notesBuffer } }, { [notes]: notesBuffer });
    assert.equal(await whyNotApply(multi, digests, sent(false), reopened), null);
  });
  it("refuses another file closed without saving the buffer the edit was made from, or edited since", async () => {
    const calcOpen = { [uri]: { version: 4, text: calcText } };
    const discarded = editorNow(calcOpen, { [notes]: "# on disk\n" });
    assert.equal(
      await whyNotApply(multi, digests, sent(false), discarded),
      "notes.py was closed since the edit was made from its unsaved buffer, and the file on disk does not hold that text",
    );
    const edited = editorNow({ ...calcOpen, [notes]: { version: 7, text: "# typed\n", dirty: true } }, {});
    assert.equal(
      await whyNotApply(multi, digests, sent(false), edited),
      "notes.py was edited in the editor since the edit was made from its unsaved buffer (its unsaved changes are kept)",
    );
    // without the server's digest of that buffer, closing it leaves nothing to compare
    const { [notes]: _notes, ...calcOnly } = digests;
    assert.equal(
      await whyNotApply(multi, calcOnly, sent(false), editorNow(calcOpen, { [notes]: notesBuffer })),
      "notes.py was closed since the edit was made from its unsaved buffer",
    );
  });
});
