// Everything the user reads, formatted from the server's data: status bar text,
// history labels, costs, attempt summaries, the details document, the dialogs'
// texts. Pure module (no `vscode`): unit tested under plain node.

import type { AttemptInfo, HistoryEntry, RequestSummary } from "./protocol";

// ----------------------------------------------------------------- numbers

/** "$0.0021", "$1.23", "$0", "<$0.0001"; "cost unknown" when the server could not price it. */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return "cost unknown";
  if (usd === 0) return "$0";
  if (usd < 0.0001) return "<$0.0001";
  if (usd < 1) return "$" + usd.toFixed(4);
  return "$" + usd.toFixed(2);
}

/** "850 ms", "12.3 s", "2 min 05 s". */
export function formatLatency(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, "0")} s`;
}

function plural(n: number, one: string, many = one + "s"): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 min ago"; the date and time (local) when older than a week. `time`: unix seconds, ms, or ISO. */
export function formatTime(time: number | string, now: Date): string {
  const date = toDate(time);
  if (!date) return "unknown time";
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  if (seconds < 0) return isoMinutes(date);
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 7 * 86_400) return plural(Math.round(seconds / 86_400), "day") + " ago";
  return isoMinutes(date);
}

function toDate(time: number | string): Date | undefined {
  let date: Date;
  if (typeof time === "number") {
    if (!Number.isFinite(time) || time <= 0) return undefined;
    date = new Date(time > 1e12 ? time : time * 1000); // ms or unix seconds
  } else {
    date = new Date(time);
  }
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function isoMinutes(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ${p(date.getHours())}:${p(date.getMinutes())}`;
}

// ----------------------------------------------------------------- outcome

export type Outcome = "verified" | "unverified" | "failed" | "cancelled";

/** verified: tests passed; unverified: a model's answer was accepted without passing tests;
 * failed: nothing accepted; cancelled: the user cancelled it after a model was called. */
export function outcomeOf(s: Pick<RequestSummary, "verified" | "finalModel" | "cancelled">): Outcome {
  if (s.cancelled) return "cancelled";
  if (s.verified) return "verified";
  return s.finalModel ? "unverified" : "failed";
}

const OUTCOME_ICON: Record<Outcome, string> = {
  verified: "$(check)",
  unverified: "$(warning)",
  failed: "$(error)",
  cancelled: "$(circle-slash)",
};

const OUTCOME_WORD: Record<Outcome, string> = {
  verified: "verified",
  unverified: "not verified",
  failed: "failed",
  cancelled: "cancelled",
};

/** Status bar text, e.g. "$(check) strong · $0.0021 · verified". */
export function statusBarText(s: RequestSummary): string {
  const outcome = outcomeOf(s);
  return `${OUTCOME_ICON[outcome]} ${s.finalModel ?? "no model"} · ${formatCost(s.costUsd)} · ${OUTCOME_WORD[outcome]}`;
}

/** The verdict of a request in one word: "verified", "not verified" or "failed". */
export function outcomeWord(s: Pick<RequestSummary, "verified" | "finalModel" | "cancelled">): string {
  return OUTCOME_WORD[outcomeOf(s)];
}

/** Status bar before the first request. */
export const IDLE_STATUS_TEXT = "$(hubot) ACRouter";

/** Markdown tooltip for the status bar item. */
export function statusBarTooltip(s: RequestSummary): string {
  return `**ACRouter** · last request: ${summaryLine(s)}\n\n${attemptsMarkdown(s.attempts)}\n\nClick for the history.`;
}

function testsOf(a: Pick<AttemptInfo, "testsPassed" | "testsFailed">): string | undefined {
  const passed = a.testsPassed ?? null;
  const failed = a.testsFailed ?? null;
  if (passed === null && failed === null) return undefined;
  return `${passed ?? "?"} passed, ${failed ?? "?"} failed`;
}

/** One sentence about a finished request, e.g. "strong passed your tests on attempt 2 · $0.0021 · 12.3 s". */
export function summaryLine(s: RequestSummary): string {
  const n = s.attempts.length;
  let head: string;
  switch (outcomeOf(s)) {
    case "verified": {
      const final = finalAttempt(s);
      const tests = final ? testsOf(final) : undefined;
      head = `${s.finalModel} passed your tests` + (n > 1 ? ` on attempt ${n}` : "") + (tests ? ` (${tests})` : "");
      break;
    }
    case "unverified":
      head = `${s.finalModel}'s answer is NOT verified by tests` + (n > 1 ? ` (best of ${n} attempts)` : "");
      break;
    case "cancelled":
      head = `Cancelled by you after ${plural(n, "model call")} (what they cost is recorded)`;
      break;
    default:
      if (n === 0) head = "No model was called";
      else if (s.attempts.every(passingTrouble))
        head = `No model could be judged: ${plural(n, "attempt")} met the provider's passing trouble (not counted against the models)`;
      else if (s.attempts.every((a) => !a.counted))
        head = `No model could be judged: ${plural(n, "attempt")} failed on the set-up (not counted against the models)`;
      else head = `No model's answer was accepted (${plural(n, "attempt")})`;
  }
  return `${head} · ${formatCost(s.costUsd)} · ${formatLatency(s.latencyMs)}`;
}

function finalAttempt(s: RequestSummary): AttemptInfo | undefined {
  for (let i = s.attempts.length - 1; i >= 0; i--) if (s.attempts[i].model === s.finalModel) return s.attempts[i];
  return undefined;
}

// ----------------------------------------------------------------- markdown

function cell(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n|\r/g, " ")
    .trim();
}

/** "10/12": tests passed of those run, for the attempts table; "–" without counts. */
function testsShort(a: Pick<AttemptInfo, "testsPassed" | "testsFailed">): string {
  const passed = a.testsPassed ?? null;
  const failed = a.testsFailed ?? null;
  if (passed === null && failed === null) return "–";
  if (passed === null || failed === null) return testsOf(a) ?? "–";
  return `${passed}/${passed + failed}`;
}

/** Detail prefixes of the provider's passing trouble (the server's ``domain.TRANSIENT_KINDS``). */
const PASSING_PREFIXES = ["unavailable:", "rate_limited:", "timeout:"];

/** A failure on the provider's passing trouble (a rate limit, a 5xx, a first timeout): not
 * counted against the model, which cools down for a while instead. */
export function passingTrouble(a: Pick<AttemptInfo, "counted" | "detail">): boolean {
  return !a.counted && PASSING_PREFIXES.some((p) => a.detail.startsWith(p));
}

/** A pass not learned: the tests passed before the edit too and ran none of the code
 * it changes (the server's ``verifier.lines_idle.IDLE_PASS``). */
export function idlePass(a: Pick<AttemptInfo, "counted" | "verdict">): boolean {
  return !a.counted && a.verdict === "pass";
}

/** Why a pass was not learned, in a few words and in a sentence: a test that passed with
 * fewer assertions than before the edit (``verdict.fewer_assertions``), results read from
 * what the runner printed in a run whose process ended early (``lines.printed_cut``), else
 * tests that passed before too and never ran the changed code (``lines_idle``). */
export function notLearned(a: Pick<AttemptInfo, "detail" | "unrun">): { word: string; sentence: string } {
  const text = `${a.unrun ?? ""} ${a.detail}`;
  if (/\bfewer assertions than before\b/.test(text)) {
    return {
      word: "a test checked less",
      sentence: "a test passed with fewer assertions than before the edit, which may hide a failure",
    };
  }
  if (/\bread from what it printed\b/.test(text)) {
    return {
      word: "results unsure",
      sentence:
        "a test process ended early, and the runner's results are read from what it printed, which may not be the runner's own",
    };
  }
  return {
    word: "tests never ran it",
    sentence: "the tests passed before the edit too and ran none of the code it changes",
  };
}

/** "yes", or "no" for a set-up failure, the provider's passing trouble (not held against
 * the model) or a pass not learned for it (:func:`notLearned` says why). */
function countedWord(a: Pick<AttemptInfo, "counted" | "detail" | "verdict" | "unrun">): string {
  if (a.counted) return "yes";
  if (idlePass(a)) return `no (${notLearned(a).word})`;
  return passingTrouble(a) ? "no (provider)" : "no (set-up)";
}

/** Markdown table of the attempts, in the order they were made. */
export function attemptsMarkdown(attempts: readonly AttemptInfo[]): string {
  if (attempts.length === 0) return "_No model was called._";
  const rows = attempts.map(
    (a, i) =>
      `| ${i + 1} | ${cell(a.model)} | ${a.verdict} | ${testsShort(a)} | ${formatCost(a.costUsd)} | ` +
      `${formatLatency(a.latencyMs)} | ${countedWord(a)} |`,
  );
  return [
    "| # | Model | Verdict | Tests passed | Cost | Time | Counted |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/** A fenced code block that the content cannot close early. */
function fenced(text: string): string {
  return fencedAs(text, "text");
}

function fencedAs(text: string, language: string): string {
  let fence = "```";
  while (text.includes(fence)) fence += "`";
  return `${fence}${language}\n${text.replace(/\s+$/, "")}\n${fence}`;
}

/** What the client kept of a request's edit (the server never stores code). */
export interface DiffInfo {
  file: string;
  diff: string;
  truncated: boolean;
  otherFiles: readonly string[];
  applied: boolean | null;
}

export interface DetailsOptions {
  instruction?: string | null;
  time?: number | string;
  now?: Date;
  /** The request's diff: a DiffInfo, or undefined when it is not available (another window, or older). */
  diff?: DiffInfo;
  /** Whether to include the Diff section at all (the history view does; the route result already previewed it). */
  showDiff?: boolean;
}

/** Per attempt, the verifier's detail (test output summary), for the attempts that have one. */
export function testsMarkdown(attempts: readonly AttemptInfo[]): string {
  if (attempts.length === 0) return "_No model was called, so no tests ran._";
  const details = attempts
    .map((a, i) =>
      a.detail.trim()
        ? `**${i + 1}. ${cell(a.model)}** (${a.verdict}${a.counted ? "" : ", not counted"})\n\n${fenced(a.detail)}`
        : "",
    )
    .filter(Boolean);
  return [attemptsMarkdown(attempts), ...details].join("\n\n");
}

function diffMarkdown(diff: DiffInfo | undefined): string {
  if (!diff) {
    return (
      "_Diff not available: ACRouter's memory never stores code, so diffs are kept only by the window " +
      "that made the request (the last 50 of them)._"
    );
  }
  const state =
    diff.applied === true ? "applied" : diff.applied === false ? "not applied" : "proposed (not applied yet)";
  const lines = [`\`${cell(diff.file)}\` · ${state}`, "", fencedAs(diff.diff || "(no change)", "diff")];
  if (diff.truncated) lines.push("", "_The diff was cut to keep the history small._");
  if (diff.otherFiles.length)
    lines.push("", `The edit also changed: ${diff.otherFiles.map((f) => `\`${cell(f)}\``).join(", ")}.`);
  return lines.join("\n");
}

/** The details document of one request: outcome, (from the history) the diff, attempts and tests, why. */
export function resultMarkdown(s: RequestSummary, opts: DetailsOptions = {}): string {
  const lines: string[] = [`# ${opts.instruction ? cell(truncate(opts.instruction, 90)) : "ACRouter request"}`, ""];
  const meta = [`kind: \`${s.kind}\``, `outcome: **${OUTCOME_WORD[outcomeOf(s)]}**`];
  if (opts.time !== undefined) meta.push(formatTime(opts.time, opts.now ?? new Date()));
  meta.push(`request \`${s.requestId || "(no id)"}\``);
  lines.push(meta.join(" · "), "", summaryLine(s) + ".", "");
  if (opts.showDiff) lines.push("## Diff", "", diffMarkdown(opts.diff), "");
  lines.push("## Attempts and tests", "", testsMarkdown(s.attempts), "");
  lines.push("## Why", "", s.why.trim() || "_The server gave no explanation._", "");
  return lines.join("\n");
}

/** A readable name for a request's details document (its editor tab title). */
export function detailsTitle(s: Pick<RequestSummary, "kind">, instruction?: string | null): string {
  const base = instruction ? truncate(instruction, 48) : kindLabel(s.kind);
  return (
    base
      .replace(/[\\/:*?"<>|#%]+/g, " ")
      .replace(/\s+/g, " ")
      .trim() || "request"
  );
}

// ----------------------------------------------------------------- history

function truncate(text: string, max: number): string {
  const line = text.split(/\r?\n/, 1)[0].trim();
  return line.length > max ? line.slice(0, max - 1) + "…" : line;
}

/** A request row of the Routing History view. */
export interface RequestRowText {
  label: string;
  description: string;
  /** Markdown. */
  tooltip: string;
}

/** "cheap ✗ → strong ✓": the models tried, in order, with their verdicts. */
export function attemptTrail(attempts: readonly AttemptInfo[]): string {
  if (attempts.length === 0) return "no model called";
  return attempts.map((a) => `${a.model} ${VERDICT_MARK[a.verdict]}${a.counted ? "" : " (not counted)"}`).join(" → ");
}

const VERDICT_MARK: Record<AttemptInfo["verdict"], string> = { pass: "✓", fail: "✗", error: "⚠" };

export function requestRow(e: HistoryEntry, now: Date): RequestRowText {
  const what = e.instruction ? truncate(e.instruction, 80) : kindLabel(e.kind);
  return {
    label: what,
    description: [
      formatTime(e.time, now),
      ...(e.cancelled ? ["cancelled"] : []),
      attemptTrail(e.attempts),
      formatCost(e.costUsd),
      formatLatency(e.latencyMs),
    ].join(" · "),
    tooltip:
      `**${cell(what)}**\n\n${summaryLine(e)}\n\n` +
      `kind \`${e.kind}\` · ${formatTime(e.time, now)}\n\n${attemptsMarkdown(e.attempts)}\n\nClick for why, diff and tests.`,
  };
}

/** What an attempt row says of a pass whose changed lines the tests did not all run, or
 * of one where which of them ran is not known (a C or Java file, a run with its own
 * coverage: the `unrun` text then only says "which lines of … is not known"), or of one
 * where a test passed with fewer assertions than before the edit (PHPUnit). */
export function unrunTag(unrun: string): string {
  if (/\bno test ran\b|\bno process of the tests' run opened\b/.test(unrun)) return "changed lines no test ran";
  if (/\bwhich lines of\b/.test(unrun)) return "changed lines not measured";
  return /\bfewer assertions than before\b/.test(unrun) ? "a test checked less" : "changed lines not measured";
}

/** An attempt row under a request: "cheap", "fail · 1 passed, 1 failed · $0.0001 · 850 ms";
 * a set-up failure says "not counted", a pass whose changed lines no test ran (or not
 * measured) says so. */
export function attemptRow(a: AttemptInfo, index: number): RequestRowText {
  const tests = testsOf(a);
  const notCounted = a.counted ? undefined : "not counted";
  const why = passingTrouble(a)
    ? "the provider's passing trouble (see below), so this attempt says nothing about the model; it cools down for a while"
    : "the set-up failed (see below), so this attempt says nothing about the model";
  const blame = a.counted
    ? ""
    : idlePass(a)
      ? `\n\nNot learned for ${cell(a.model)}: ${notLearned(a).sentence}, so this pass says nothing about the model.`
      : `\n\nNot held against ${cell(a.model)}: ${why}.`;
  return {
    label: `${index + 1}. ${a.model}`,
    description: [
      a.verdict,
      notCounted,
      a.unrun ? unrunTag(a.unrun) : undefined,
      tests,
      formatCost(a.costUsd),
      formatLatency(a.latencyMs),
    ]
      .filter(Boolean)
      .join(" · "),
    tooltip:
      `**${cell(a.model)}**: ${a.verdict}${tests ? ` (${tests})` : ""}${blame}` +
      `${a.detail.trim() ? `\n\n${fenced(a.detail)}` : ""}`,
  };
}

/** "bug_fixing" -> "Bug fixing". */
export function kindLabel(kind: string): string {
  const words = kind.replace(/[_-]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : "Request";
}

// ----------------------------------------------------------------- errors the user can act on

const MISSING_KEY =
  /environment variable ([A-Za-z_][A-Za-z0-9_]*) is (?:not set|empty)|no API key: set ([A-Za-z_][A-Za-z0-9_]*)/;

/** Key variables the server said are missing ("auth: environment variable X is not set"), once each. */
export function missingKeysFromAttempts(attempts: readonly AttemptInfo[]): string[] {
  const out: string[] = [];
  for (const a of attempts) {
    const m = MISSING_KEY.exec(a.detail);
    const name = m ? (m[1] ?? m[2]) : undefined;
    if (name && !out.includes(name)) out.push(name);
  }
  return out;
}

/** The message after a request without an edit (and no missing key): the summary, and
 * the server's reason when the last attempt was not held against its model (a set-up stop). */
export function noEditMessage(s: RequestSummary): string {
  const last = s.attempts[s.attempts.length - 1];
  const reason = last && !last.counted && last.detail ? ` ${last.model}: ${last.detail}` : "";
  return `ACRouter: ${summaryLine(s)}. No edit was proposed.${reason}`;
}

/** Why Route and Complete cannot work on the active document, which is no file on disk
 * (`scheme`: its URI's scheme, "untitled" for a new buffer); what to do instead. */
export function notAFileMessage(scheme: string): string {
  const why = "ACRouter edits files of your workspace and runs your tests on them";
  if (scheme === "untitled") return `${why}: save this file in your workspace first.`;
  if (scheme === "vscode-notebook-cell" || scheme === "vscode-notebook")
    return `${why}; it cannot edit a notebook's cells. Select code in a .py file (or export the notebook as one) instead.`;
  return `${why}; this is a "${scheme}:" document (a preview, another version of a file, a file that is not on this machine's disk): open the file itself.`;
}

/** The message after a request that failed because keys are missing. */
export function missingKeyMessage(vars: readonly string[]): string {
  const names = vars.join(", ");
  return vars.length === 1
    ? `ACRouter: no API key is set for ${names}, so the model that needs it could not be called. Set the key and run the request again.`
    : `ACRouter: no API keys are set for ${names}, so the models that need them could not be called. Set the keys and run the request again.`;
}

// ----------------------------------------------------------------- dialogs

/** Title of the modal confirmation of "Reset Routing Memory", with the counts. */
export function resetConfirmMessage(records: number, models?: number): string {
  const from = models ? ` about ${plural(models, "model")}` : "";
  return `Delete ${plural(records, "routing record")}${from}?`;
}

/** Body of that confirmation: what is lost, and the export offered first. */
export function resetConfirmDetail(exportedTo?: string): string {
  const what =
    "ACRouter forgets which of your models passed or failed your requests, and routes from the benchmark priors again. " +
    "This cannot be undone.";
  return exportedTo
    ? `${what}\n\nA copy is saved in ${exportedTo}.`
    : `${what}\n\nExport First saves a JSON copy: models, verdicts, costs and explanations, never code.`;
}

/** Default file name of an export, e.g. "acrouter-memory-2025-01-15.json". */
export function exportFileName(now: Date): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `acrouter-memory-${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}.json`;
}

export function exportDoneMessage(records: number, path: string): string {
  return `ACRouter: exported ${plural(records, "routing record")} to ${path}.`;
}

export function resetDoneMessage(removed: number): string {
  return `ACRouter: removed ${plural(removed, "routing record")}.`;
}

/** Summary line of the preview prompt, with the files the edit touches beyond the current one. */
/** The question beside the preview; `caution`: what changed in the workspace since the
 * tests ran (workspaceChanges.ts driftMessage), said before the question. */
export function applyPrompt(s: RequestSummary, otherFiles: readonly string[], caution?: string | null): string {
  const others = otherFiles.length ? ` The edit also changes ${otherFiles.map((f) => basename(f)).join(", ")}.` : "";
  const buts = [caution, unrunOf(s)].filter((b): b is string => !!b);
  const but = buts.length ? ` But ${buts.join("; and ")}.` : "";
  return `ACRouter: ${summaryLine(s)}.${others}${but} Apply the edit?`;
}

/** A verified edit's changed lines no test ran (the passing attempt's `unrun`), else undefined:
 * the tests' pass says nothing about them, so the apply prompt says so. */
export function unrunOf(s: Pick<RequestSummary, "verified" | "finalModel" | "attempts">): string | undefined {
  if (!s.verified) return undefined;
  for (let i = s.attempts.length - 1; i >= 0; i--) {
    const a = s.attempts[i];
    if (a.model === s.finalModel && a.verdict === "pass") return a.unrun || undefined;
  }
  return undefined;
}

export function basename(uriOrPath: string): string {
  const clean = uriOrPath.replace(/[?#].*$/, "").replace(/[\\/]+$/, "");
  const i = Math.max(clean.lastIndexOf("/"), clean.lastIndexOf("\\"));
  return decodeURIComponentSafe(clean.slice(i + 1)) || clean;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// ----------------------------------------------------------------- progress

/** The LSP work-done progress values (same shapes as vscode-languageserver-protocol's). */
export type ProgressValue =
  | { kind: "begin"; title: string; message?: string; cancellable?: boolean; percentage?: number }
  | { kind: "report"; message?: string; cancellable?: boolean; percentage?: number }
  | { kind: "end"; message?: string };

/** What to show for one progress value: the message (or the title on begin); nothing on end. */
export function progressMessage(value: ProgressValue): string | undefined {
  if (value.kind === "end") return undefined;
  const text = value.message ?? (value.kind === "begin" ? value.title : undefined);
  if (!text) return undefined;
  return value.percentage !== undefined ? `${text} (${Math.round(value.percentage)}%)` : text;
}
