// Applying an LSP WorkspaceEdit to plain text, for the diff preview, and
// deciding whether an edit still fits the document and the files it changes.
// Pure module (no `vscode`).

import { createHash } from "node:crypto";
import type { Position, ResourceOperation, TextDocumentEdit, TextEdit, WorkspaceEdit } from "./protocol";

/** The edit cannot be applied to the text (overlapping or malformed ranges). */
export class EditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EditError";
  }
}

export type SameUri = (a: string, b: string) => boolean;

const exactly: SameUri = (a, b) => a === b;

function isTextDocumentEdit(change: TextDocumentEdit | ResourceOperation): change is TextDocumentEdit {
  return "textDocument" in change && Array.isArray((change as TextDocumentEdit).edits);
}

/** Start offsets of every line; a line ends at \n, \r\n or \r (as in LSP). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (ch === 10 /* \n */) {
      starts.push(i + 1);
    }
  }
  return starts;
}

/**
 * Offset of an LSP position. As the LSP specification says, a character past
 * the end of its line means the end of the line, and a line past the end of the
 * document means the end of the document.
 */
export function offsetAt(text: string, starts: number[], pos: Position): number {
  if (!Number.isInteger(pos.line) || !Number.isInteger(pos.character) || pos.line < 0 || pos.character < 0) {
    throw new EditError(`invalid position ${JSON.stringify(pos)}`);
  }
  if (pos.line >= starts.length) return text.length;
  const lineStart = starts[pos.line];
  let lineEnd = pos.line + 1 < starts.length ? starts[pos.line + 1] : text.length;
  // exclude the line break itself
  if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 10) lineEnd--;
  if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  return Math.min(lineStart + pos.character, lineEnd);
}

/**
 * Apply TextEdits (all relative to the original text, non-overlapping, as LSP
 * requires). Inserts at the same position keep their array order.
 */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = lineStarts(text);
  const spans = edits.map((edit, index) => {
    const start = offsetAt(text, starts, edit.range.start);
    const end = offsetAt(text, starts, edit.range.end);
    if (end < start) throw new EditError(`edit ${index} ends before it starts`);
    return { start, end, newText: edit.newText, index };
  });
  spans.sort((a, b) => a.start - b.start || a.end - b.end || a.index - b.index);
  let out = "";
  let cursor = 0;
  for (const span of spans) {
    if (span.start < cursor) throw new EditError(`edit ${span.index} overlaps another edit`);
    out += text.slice(cursor, span.start) + span.newText;
    cursor = span.end;
  }
  return out + text.slice(cursor);
}

export interface DocumentEdits {
  /** The version the server built the edit from; null/undefined = unversioned. */
  version: number | null | undefined;
  edits: TextEdit[];
}

/** All text edits a WorkspaceEdit makes to one document. */
export function editsForUri(edit: WorkspaceEdit, uri: string, same: SameUri = exactly): DocumentEdits {
  const edits: TextEdit[] = [];
  let version: number | null | undefined;
  for (const change of edit.documentChanges ?? []) {
    if (isTextDocumentEdit(change) && same(change.textDocument.uri, uri)) {
      edits.push(...change.edits);
      version = change.textDocument.version;
    }
  }
  for (const [key, list] of Object.entries(edit.changes ?? {})) {
    if (same(key, uri)) edits.push(...list);
  }
  return { version, edits };
}

/** Every document a WorkspaceEdit touches, each once, in order of appearance. */
export function touchedUris(edit: WorkspaceEdit): string[] {
  const seen = new Set<string>();
  for (const change of edit.documentChanges ?? []) {
    if (isTextDocumentEdit(change)) seen.add(change.textDocument.uri);
    else for (const u of [change.uri, change.oldUri, change.newUri]) if (u) seen.add(u);
  }
  for (const key of Object.keys(edit.changes ?? {})) seen.add(key);
  return [...seen];
}

/** The document's text after the edit's changes to it. */
export function previewText(original: string, edit: WorkspaceEdit, uri: string, same: SameUri = exactly): string {
  return applyTextEdits(original, editsForUri(edit, uri, same).edits);
}

/**
 * Why the edit must not be applied any more, or null if it still fits.
 *
 * @param requestVersion the document's version when the request was sent
 * @param currentVersion the version of an open document now (undefined = not open)
 * @param unsaved whether an open document has unsaved changes. The server makes and tests
 *   the edit against the unsaved buffers it had (and pins each such change to that
 *   buffer's version); another file whose change pins no version was read from disk, so
 *   unsaved changes there came after the request and the edit would clobber them
 * @param label how to name a file in the reason (as the server's own check does: the
 *   file as the user knows it, and what happened to its buffer)
 * @param opts.requestClosed the buffer the request was sent from was closed since. A
 *   version is a buffer's own count: a document opened again (by the user, or by the
 *   diff preview) counts from 1 again, so its version says nothing about its text;
 *   changedOnDisk compares that text instead
 * @param opts.checked whether changedOnDisk compares a file's text with what the edit
 *   was made from (the server sent its digest): an unsaved buffer the edit was made
 *   from is then left to that check, wherever its text is now (open, opened again, or
 *   saved and closed), and only its text decides
 */
export function staleReason(
  edit: WorkspaceEdit,
  uri: string,
  requestVersion: number,
  currentVersion: (uri: string) => number | undefined,
  same: SameUri = exactly,
  unsaved: (uri: string) => boolean = () => false,
  label: (uri: string) => string = (u) => u,
  opts: { requestClosed?: boolean; checked?: (uri: string) => boolean } = {},
): string | null {
  const now = opts.requestClosed ? undefined : currentVersion(uri);
  if (now !== undefined && now !== requestVersion) {
    return "the file changed after the request was sent";
  }
  for (const change of edit.documentChanges ?? []) {
    if (!isTextDocumentEdit(change)) continue;
    const { uri: target, version } = change.textDocument;
    const pinned = version !== null && version !== undefined;
    if (!same(target, uri) && !pinned && unsaved(target)) {
      return `${label(target)} was edited in the editor after the edit was made from the saved file (its unsaved changes are kept)`;
    }
    if (!pinned) continue;
    if (same(target, uri)) {
      if (version !== requestVersion) return "the server worked on a different version of the file";
      continue;
    }
    // another file's change is pinned only when the edit was made from its unsaved buffer
    if (opts.checked?.(target)) continue;
    const open = currentVersion(target);
    if (open === undefined) return `${label(target)} was closed since the edit was made from its unsaved buffer`;
    if (open !== version) {
      return `${label(target)} was edited in the editor since the edit was made from its unsaved buffer (its unsaved changes are kept)`;
    }
  }
  return null;
}

/** How a file the edit changes changed, in the server's words (its `changedSince` list
 * and its own check say the same; tests/fixtures/shared-constants.json `fileChanges`). */
export const HOW = { changed: "changed on disk", created: "created", deleted: "deleted" } as const;

/** The base digest of a file that did not exist when the edit was made (as the server says). */
export const ABSENT = "absent";

/**
 * The digest the server sends for what a file held when the edit was made from it
 * (`baseDigests`): SHA-256 of the UTF-8 text with line breaks as \n and without a byte
 * order mark (an editor buffer and a file read from disk may differ in both); ABSENT
 * for no file. Must match the server's `base_digest` (tests/fixtures/shared-constants.json).
 */
export function baseDigest(text: string | null): string {
  if (text === null) return ABSENT;
  const plain = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  return "sha256:" + createHash("sha256").update(plain, "utf8").digest("hex");
}

/** What the editor knows of a file the edit touches, for changedOnDisk's messages. */
export interface FileState {
  /** whether the editor has the file open now */
  isOpen?: (uri: string) => boolean;
  /** whether an open file has unsaved changes now */
  unsaved?: (uri: string) => boolean;
  /** the buffer the request was sent from was closed since (see staleReason) */
  requestClosed?: boolean;
  /** the requested document's text when the request was sent: what a closed one is
   * compared with when the server sent no digest of it */
  requestText?: string;
}

/**
 * Why the edit must not be applied because a file it changes no longer holds what the
 * edit was made from (`digests`, by URI, from the server), or null if none changed.
 * Every file is checked before anything is applied, so the edit is applied whole or
 * not at all.
 *
 * @param read the file's text now: the open buffer if there is one, else the file on
 *   disk; null when there is no such file; it throws when the file cannot be read
 * @param uri the requested document: without a digest, its version protects it (see
 *   staleReason), or, when its buffer was closed since the request, its text then
 *   (`state.requestText`); any other file without a digest cannot be checked, so the
 *   edit is refused
 * @param label how to name a file in the reason
 * @param state what the editor knows of the files, to say truthfully where the text
 *   differs: in a buffer closed since, in the editor, or on disk
 */
export async function changedOnDisk(
  edit: WorkspaceEdit,
  uri: string,
  digests: Readonly<Record<string, string>>,
  read: (uri: string) => Promise<string | null>,
  same: SameUri = exactly,
  label: (uri: string) => string = (u) => u,
  state: FileState = {},
): Promise<string | null> {
  for (const target of touchedUris(edit)) {
    const name = label(target);
    const requested = same(target, uri);
    const closedRequest = requested && state.requestClosed === true;
    let want = digests[target];
    if (want === undefined && closedRequest && state.requestText !== undefined) want = baseDigest(state.requestText);
    if (want === undefined) {
      if (requested && !closedRequest) continue;
      if (requested)
        return `${name} was closed after the request was sent, and ACRouter cannot tell whether it still holds the text the edit was made from`;
      return `ACRouter cannot tell whether ${name} changed since the edit was made`;
    }
    let now: string | null;
    try {
      now = await read(target);
    } catch {
      return `${name} can no longer be read as text`;
    }
    if (baseDigest(now) === want) continue;
    if (want === ABSENT) return `${name} was ${HOW.created} since the edit was made`;
    if (now === null) return `${name} was ${HOW.deleted} since the edit was made`;
    const open = state.isOpen?.(target) ?? false;
    if (closedRequest) {
      const where = open ? "the document opened again" : "the file on disk";
      return `${name} was closed after the request was sent, and ${where} does not hold the text the edit was made from`;
    }
    if (!requested && pinnedToBuffer(edit, target, same)) {
      if (!open)
        return `${name} was closed since the edit was made from its unsaved buffer, and the file on disk does not hold that text`;
      const kept = state.unsaved?.(target) ? " (its unsaved changes are kept)" : "";
      return `${name} was edited in the editor since the edit was made from its unsaved buffer${kept}`;
    }
    return `${name} ${HOW.changed} since the edit was made`;
  }
  return null;
}

/** Whether the edit's change of `target` is pinned to a version: the server made it from
 * that file's unsaved buffer. */
function pinnedToBuffer(edit: WorkspaceEdit, target: string, same: SameUri): boolean {
  return (edit.documentChanges ?? []).some(
    (c) =>
      isTextDocumentEdit(c) &&
      same(c.textDocument.uri, target) &&
      c.textDocument.version !== null &&
      c.textDocument.version !== undefined,
  );
}

/** The request a proposed edit answers, as the client sent it. */
export interface SentRequest {
  uri: string;
  /** the requested document's version then */
  version: number;
  /** its text then */
  text: string;
  /** whether that buffer was closed since (VS Code's TextDocument.isClosed) */
  closed: boolean;
}

/** The editor now, as whyNotApply sees it. */
export interface EditorNow {
  /** the version of the open document now; undefined = not open */
  version: (uri: string) => number | undefined;
  unsaved: (uri: string) => boolean;
  /** the open buffer's text, else the file's on disk; null when there is none */
  read: (uri: string) => Promise<string | null>;
  same: SameUri;
  label: (uri: string) => string;
}

/** Why the edit no longer fits (staleReason, then changedOnDisk), or null: what the
 * client checks before the preview and again at Apply. */
export async function whyNotApply(
  edit: WorkspaceEdit,
  digests: Readonly<Record<string, string>>,
  request: SentRequest,
  editor: EditorNow,
): Promise<string | null> {
  const isOpen = (u: string): boolean => editor.version(u) !== undefined;
  return (
    staleReason(edit, request.uri, request.version, editor.version, editor.same, editor.unsaved, editor.label, {
      requestClosed: request.closed,
      checked: (u) => digests[u] !== undefined,
    }) ??
    (await changedOnDisk(edit, request.uri, digests, editor.read, editor.same, editor.label, {
      isOpen,
      unsaved: editor.unsaved,
      requestClosed: request.closed,
      requestText: request.text,
    }))
  );
}
