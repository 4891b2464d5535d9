// The wire contract between this extension and the ACRouter language server
// (`acrouter serve`). Requests go through `workspace/executeCommand` with one
// JSON object argument; keys are camelCase. Pure module: no `vscode` import, so
// the unit tests can load it under plain node.

/** Server-side command ids (the language client registers these itself). */
export const ServerCommand = {
  routeAndComplete: "acrouter.server.routeAndComplete",
  history: "acrouter.server.history",
  explain: "acrouter.server.explain",
  resetMemory: "acrouter.server.resetMemory",
  memoryStats: "acrouter.server.memoryStats",
  exportMemory: "acrouter.server.exportMemory",
  changedSince: "acrouter.server.changedSince",
  verifyAgain: "acrouter.server.verifyAgain",
} as const;

/** The server's notification (no params) that the routing history changed other than by
 * a request's reply: a cancelled request recorded what it spent as its worker stopped. */
export const HISTORY_CHANGED = "acrouter/historyChanged";

// ----------------------------------------------------------------- LSP shapes

export interface Position {
  line: number; // 0-based
  character: number; // UTF-16 code units, like JavaScript strings
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
  annotationId?: string;
}

export interface OptionalVersionedTextDocumentIdentifier {
  uri: string;
  version: number | null;
}

export interface TextDocumentEdit {
  textDocument: OptionalVersionedTextDocumentIdentifier;
  edits: TextEdit[];
}

/** create / rename / delete operations: previewed as "other changes" only. */
export interface ResourceOperation {
  kind: "create" | "rename" | "delete";
  uri?: string;
  oldUri?: string;
  newUri?: string;
}

export interface WorkspaceEdit {
  changes?: { [uri: string]: TextEdit[] };
  documentChanges?: (TextDocumentEdit | ResourceOperation)[];
}

// ----------------------------------------------------------------- commands

export type Verdict = "pass" | "fail" | "error";

export interface RouteAndCompleteParams {
  textDocument: { uri: string };
  range?: Range;
  instruction: string;
  testCommand?: string;
  apply?: boolean;
  /** The Python the editor has selected for the workspace (the Python extension's active
   * interpreter): a Python project with no virtualenv of its own has its tests run with it. */
  python?: string;
}

export interface AttemptInfo {
  model: string;
  verdict: Verdict;
  costUsd: number | null;
  latencyMs: number;
  testsPassed?: number | null;
  testsFailed?: number | null;
  detail: string;
  /** Whether the attempt is evidence about the model. False for set-up failures (a gateway
   * that rejected the key or is unreachable, a missing key, a broken test environment,
   * tests that fail without the edit): shown, but never held against the model. */
  counted: boolean;
  /** A pass whose edit changed statements no test ran (or whose lines could not be
   * measured): the server's sentence saying which, e.g. "no test ran 2 of the 3 statements
   * the edit changes: calc.py lines 6-7". Absent otherwise. */
  unrun?: string;
}

/** What the history and the status bar need; a route result has all of it. */
export interface RequestSummary {
  requestId: string;
  kind: string;
  finalModel: string | null;
  verified: boolean;
  costUsd: number | null;
  latencyMs: number;
  attempts: AttemptInfo[];
  why: string;
  /** The user cancelled the request after a model was called: what it spent is recorded. */
  cancelled?: boolean;
}

export interface RouteAndCompleteResult extends RequestSummary {
  edit: WorkspaceEdit | null;
  /** Per URI the edit changes, what the file held when the edit was made from it
   * ("sha256:<hex>" of its text, or "absent": there was no such file; see
   * edits.ts baseDigest). The edit is applied only while every file still holds that. */
  baseDigests: Record<string, string>;
}

export interface ChangedSinceParams {
  requestId: string;
}

/** A file of the workspace that changed since a request's tests ran on it. */
export interface WorkspaceChange {
  /** Relative to the workspace folder, "/"-separated; absolute for a Python file outside
   * it that the tests may import (a sibling package installed editable, a PYTHONPATH folder). */
  path: string;
  /** As the edit names a file (compare with sameUri). */
  uri: string;
  /** "edited, not saved", "changed on disk", "created", "deleted", "unsaved changes discarded",
   * "packages installed or removed" (tests/fixtures/shared-constants.json `fileChanges`). */
  how: string;
}

export interface ChangedSinceResult {
  /** False when the server does not know what the request's tests ran on (it restarted). */
  known: boolean;
  changes: WorkspaceChange[];
}

/** The reply of `verifyAgain`: the request's tests run again on its edit, on the
 * workspace as it is now (no model is called). */
export interface VerifyAgainResult {
  /** False when the server does not know the request any more (it restarted). */
  known: boolean;
  verdict: "pass" | "fail" | "error";
  /** What the tests said, in words (as an attempt's detail). */
  detail: string;
  testsPassed: number | null;
  testsFailed: number | null;
}

export interface HistoryParams {
  limit?: number;
}

export interface HistoryEntry extends RequestSummary {
  /** Unix seconds (as the server stores it); ISO strings are accepted too. */
  time: number | string;
  instruction?: string | null;
}

export interface HistoryResult {
  entries: HistoryEntry[];
}

export interface ExplainParams {
  requestId: string;
}

export interface ExplainResult {
  why: string;
}

export interface ResetMemoryParams {
  confirm: true;
}

export interface ResetMemoryResult {
  removed: number;
}

export interface MemoryStatsResult {
  records: number;
}

/** Per (model, kind) totals the server keeps beside (and after compacting) the records. */
export interface MemoryAggregate {
  model: string;
  kind: string;
  n: number;
  passes: number;
  costUsdSum: number;
}

/** `exportMemory`'s reply: the whole routing memory (never code), newest record first. */
export interface MemoryExport {
  version: number;
  records: HistoryEntry[];
  aggregates: MemoryAggregate[];
}

// ----------------------------------------------------------------- checking replies

/** The server answered with something this extension does not understand. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function expectObject(value: unknown, what: string): Json {
  if (!isObject(value)) {
    throw new ProtocolError(
      `The ACRouter server sent an unexpected ${what} (not an object). ` +
        "Are the extension and the acrouter Python package the same version?",
    );
  }
  return value;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function verdictOf(value: unknown): Verdict {
  return value === "pass" || value === "fail" ? value : "error";
}

export function parseAttempt(raw: unknown): AttemptInfo {
  const o = expectObject(raw, "attempt");
  return {
    model: stringOr(o.model, "?"),
    verdict: verdictOf(o.verdict),
    costUsd: numberOrNull(o.costUsd),
    latencyMs: numberOrNull(o.latencyMs) ?? 0,
    testsPassed: numberOrNull(o.testsPassed),
    testsFailed: numberOrNull(o.testsFailed),
    detail: stringOr(o.detail, ""),
    counted: typeof o.counted === "boolean" ? o.counted : legacyCounted(verdictOf(o.verdict), stringOr(o.detail, "")),
    ...(typeof o.unrun === "string" && o.unrun ? { unrun: o.unrun } : {}),
  };
}

/** Detail prefixes of the errors an older server (without ``counted``) held against the model. */
const LEGACY_MODEL_ERRORS = ["timeout:", "provider:", "rate_limit:", "bad_reply:", "context_length:"];

/** ``counted`` for a server that does not send it: the rule that server applied. */
function legacyCounted(verdict: Verdict, detail: string): boolean {
  return verdict !== "error" || LEGACY_MODEL_ERRORS.some((p) => detail.startsWith(p));
}

function parseSummary(o: Json): RequestSummary {
  const attempts = Array.isArray(o.attempts) ? o.attempts.map(parseAttempt) : [];
  return {
    requestId: stringOr(o.requestId, ""),
    kind: stringOr(o.kind, "unknown"),
    finalModel: typeof o.finalModel === "string" ? o.finalModel : null,
    verified: o.verified === true,
    costUsd: numberOrNull(o.costUsd),
    latencyMs: numberOrNull(o.latencyMs) ?? 0,
    attempts,
    why: stringOr(o.why, ""),
    ...(o.cancelled === true ? { cancelled: true } : {}),
  };
}

export function parseRouteResult(raw: unknown): RouteAndCompleteResult {
  const o = expectObject(raw, "route-and-complete result");
  const edit = o.edit === null || o.edit === undefined ? null : expectObject(o.edit, "edit");
  const baseDigests: Record<string, string> = {};
  if (isObject(o.baseDigests))
    for (const [uri, digest] of Object.entries(o.baseDigests))
      if (typeof digest === "string") baseDigests[uri] = digest;
  return { ...parseSummary(o), edit: edit as WorkspaceEdit | null, baseDigests };
}

/** The reply of `changedSince`; a change without a path is dropped. */
export function parseChangedSince(raw: unknown): ChangedSinceResult {
  const o = expectObject(raw, "changedSince reply");
  const changes = Array.isArray(o.changes)
    ? o.changes
        .filter(isObject)
        .filter((c) => typeof c.path === "string" && c.path !== "")
        .map((c) => ({ path: c.path as string, uri: stringOr(c.uri, ""), how: stringOr(c.how, "changed") }))
    : [];
  return { known: o.known === true, changes };
}

/** The reply of `verifyAgain`; an unknown verdict is read as "error" (never a pass). */
export function parseVerifyAgain(raw: unknown): VerifyAgainResult {
  const o = expectObject(raw, "verifyAgain reply");
  const verdict = o.verdict === "pass" || o.verdict === "fail" ? o.verdict : "error";
  return {
    known: o.known === true,
    verdict,
    detail: stringOr(o.detail, ""),
    testsPassed: numberOrNull(o.testsPassed),
    testsFailed: numberOrNull(o.testsFailed),
  };
}

export function parseHistory(raw: unknown): HistoryEntry[] {
  const o = expectObject(raw, "history");
  if (!Array.isArray(o.entries)) {
    throw new ProtocolError("The ACRouter server sent a history without entries.");
  }
  return o.entries.map((item) => parseEntry(item, "history entry"));
}

export function parseCount(raw: unknown, key: "removed" | "records"): number {
  const o = expectObject(raw, "reply");
  const n = o[key];
  if (typeof n !== "number" || !Number.isFinite(n)) {
    throw new ProtocolError(`The ACRouter server's reply has no number "${key}".`);
  }
  return n;
}

export function parseWhy(raw: unknown): string {
  return stringOr(expectObject(raw, "explanation").why, "");
}

function parseEntry(item: unknown, what: string): HistoryEntry {
  const e = expectObject(item, what);
  const time = typeof e.time === "number" || typeof e.time === "string" ? e.time : 0;
  const instruction = typeof e.instruction === "string" ? e.instruction : null;
  const summary = parseSummary(e);
  if (isObject(e.meta) && e.meta.cancelled === true) summary.cancelled = true; // an exported record
  if (numberOrNull(e.latencyMs) === null) {
    // memory records carry only per-attempt latencies (and maybe meta.latency_ms)
    const meta = isObject(e.meta) ? numberOrNull(e.meta.latency_ms) : null;
    summary.latencyMs = meta ?? summary.attempts.reduce((sum, a) => sum + a.latencyMs, 0);
  }
  if (numberOrNull(e.costUsd) === null && summary.attempts.every((a) => a.costUsd !== null)) {
    // as the server's Outcome.cost_usd: unknown when any attempt's price is
    summary.costUsd = summary.attempts.reduce((sum, a) => sum + (a.costUsd ?? 0), 0);
  }
  return { ...summary, time, instruction };
}

/** The reply of `exportMemory`; throws ProtocolError when it is not an export. */
export function parseExport(raw: unknown): MemoryExport {
  const o = expectObject(raw, "memory export");
  if (!Array.isArray(o.records)) throw new ProtocolError("The ACRouter server sent a memory export without records.");
  const aggregates = Array.isArray(o.aggregates)
    ? o.aggregates.filter(isObject).map((a) => ({
        model: stringOr(a.model, "?"),
        kind: stringOr(a.kind, "unknown"),
        n: numberOrNull(a.n) ?? 0,
        passes: numberOrNull(a.passes) ?? 0,
        costUsdSum: numberOrNull(a.costUsdSum) ?? 0,
      }))
    : [];
  return {
    version: numberOrNull(o.version) ?? 0,
    records: o.records.map((r) => parseEntry(r, "memory record")),
    aggregates,
  };
}
