// The user-facing commands: Route and Complete, the history (show, open a
// request, explain the last decision), the routing memory (export, reset), the
// server (restart, install) and API keys. Each gathers input, asks the server,
// and shows the result; formatting is in present.ts.

import { randomUUID } from "node:crypto";
import * as path from "node:path";
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { Cancelled, raceCancellation } from "./cancel";
import type { ChartView } from "./chartView";
import { currentSettings, executeServerCommand, type ServerManager } from "./client";
import { unifiedDiff } from "./diff";
import type { DiffStore } from "./diffStore";
import { closeDiffTabs, showMarkdown, type VirtualDocuments } from "./documents";
import { EditError, previewText, staleReason, touchedUris } from "./edits";
import { apiKeyChoices, isEnvName, missingKeyVars } from "./env";
import type { HistoryModel } from "./historyModel";
import { HISTORY_VIEW, OPEN_REQUEST } from "./historyView";
import { guarded, type Log, showError } from "./log";
import {
  applyPrompt,
  basename,
  detailsTitle,
  exportDoneMessage,
  exportFileName,
  missingKeyMessage,
  missingKeysFromAttempts,
  resetConfirmDetail,
  resetConfirmMessage,
  resetDoneMessage,
  resultMarkdown,
  summaryLine,
} from "./present";
import { followProgress } from "./progress";
import {
  type HistoryEntry,
  parseCount,
  parseRouteResult,
  parseWhy,
  type Range,
  type RequestSummary,
  type RouteAndCompleteParams,
  type RouteAndCompleteResult,
  ServerCommand,
  type WorkspaceEdit,
} from "./protocol";
import type { ApiKeyStore } from "./secrets";
import type { StatusItem } from "./status";

export interface Deps {
  context: vscode.ExtensionContext;
  servers: ServerManager;
  keys: ApiKeyStore;
  docs: VirtualDocuments;
  status: StatusItem;
  log: Log;
  history: HistoryModel;
  diffs: DiffStore;
  chart: ChartView;
}

export function registerCommands(context: vscode.ExtensionContext, deps: Deps): void {
  const { log } = deps;
  const command = (id: string, title: string, run: (...args: never[]) => Promise<unknown>): vscode.Disposable =>
    vscode.commands.registerCommand(id, guarded(log, title, run));
  context.subscriptions.push(
    command("acrouter.routeAndComplete", "Route and Complete", () => routeAndComplete(deps)),
    command("acrouter.showHistory", "Show History", () => showHistory(deps)),
    command("acrouter.refreshHistory", "Refresh History", () => deps.history.refresh()),
    command(OPEN_REQUEST, "Show Request", (requestId: string) => openRequest(deps, requestId)),
    command("acrouter.explainLast", "Explain Last Decision", () => explainLast(deps)),
    command("acrouter.showChart", "Show Model Chart", () => deps.chart.showPanel()),
    command("acrouter.exportMemory", "Export Routing Memory", () => exportMemory(deps)),
    command("acrouter.resetMemory", "Reset Routing Memory", () => resetMemory(deps)),
    command("acrouter.restartServer", "Restart Server", () => restartServer(deps)),
    command("acrouter.installServer", "Install Server", () => deps.servers.install()),
    command("acrouter.setApiKey", "Set API Key", (envName?: string) => setApiKey(deps, envName)),
  );
}

// ----------------------------------------------------------------- route and complete

const APPLY = "Apply Edit";
const DISCARD = "Discard";
const DETAILS = "Details";
const SET_KEY = "Set API Key";

function sameUri(a: string, b: string): boolean {
  return a === b || vscode.Uri.parse(a).toString() === vscode.Uri.parse(b).toString();
}

function openVersion(uri: string): number | undefined {
  return vscode.workspace.textDocuments.find((d) => !d.isClosed && sameUri(d.uri.toString(), uri))?.version;
}

function toRange(selection: vscode.Selection): Range | undefined {
  if (selection.isEmpty) return undefined;
  return {
    start: { line: selection.start.line, character: selection.start.character },
    end: { line: selection.end.line, character: selection.end.character },
  };
}

/** Workspace-relative path of a document, for the history's diffs. */
function displayName(doc: vscode.TextDocument): string {
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  return folder ? path.posix.relative(folder.uri.path, doc.uri.path) : basename(doc.uri.path);
}

async function routeAndComplete(deps: Deps): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage("ACRouter: open a file (and optionally select code) first.");
    return;
  }
  const doc = editor.document;
  if (doc.uri.scheme !== "file") {
    void vscode.window.showInformationMessage(
      "ACRouter works on files saved in your workspace (it runs your tests on them): save this file first.",
    );
    return;
  }
  // A server that cannot start, or runs another version than the extension (until the user
  // reinstalls or continues), is dealt with before asking for the instruction.
  const client = await deps.servers.forRouting();
  if (!client) return;
  const range = toRange(editor.selection);
  const instruction = await vscode.window.showInputBox({
    title: "ACRouter: Route and Complete",
    prompt: range
      ? `What should change in the selected lines of ${basename(doc.uri.path)}?`
      : `What should change in ${basename(doc.uri.path)}?`,
    placeHolder: "e.g. fix the off-by-one error in parse_range",
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : "Describe the change you want."),
  });
  if (!instruction?.trim()) return;

  const uri = doc.uri.toString();
  const requestVersion = doc.version;
  const originalText = doc.getText();
  const params: RouteAndCompleteParams = { textDocument: { uri }, instruction: instruction.trim(), apply: false };
  if (range) params.range = range;

  let result: RouteAndCompleteResult;
  try {
    result = await runWithProgress(client, params);
  } catch (error) {
    if (error instanceof Cancelled) {
      deps.log.info("Route and Complete cancelled by the user");
      vscode.window.setStatusBarMessage("ACRouter: request cancelled", 4000);
      return;
    }
    throw error;
  }

  deps.status.update(result);
  await deps.history.setLastSummary(result);
  deps.log.info(`request ${result.requestId}: ${summaryLine(result)}`);
  const details = (): Promise<void> => showDetails(deps, result, instruction, undefined);

  if (!result.edit) {
    void deps.history.refresh();
    await reportNoEdit(deps, result, details);
    return;
  }
  const proposed = proposedText(deps, doc, originalText, result.edit);
  if (proposed !== undefined) await rememberDiff(deps, doc, originalText, proposed, result);
  void deps.history.refresh();
  if (proposed === undefined) return;

  const stale = staleReason(result.edit, uri, requestVersion, openVersion, sameUri);
  if (stale) {
    await deps.diffs.markApplied(result.requestId, false);
    await offerDetails(
      vscode.window.showWarningMessage(
        `ACRouter: ${stale}, so the proposed edit no longer fits; it was not applied. Run the command again.`,
        DETAILS,
      ),
      details,
    );
    return;
  }
  await previewAndApply(deps, client, doc, requestVersion, result, proposed, details);
}

async function runWithProgress(
  client: LanguageClient,
  params: RouteAndCompleteParams,
): Promise<RouteAndCompleteResult> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "ACRouter", cancellable: true },
    async (progress, token) => {
      let shown = "";
      const sink = (message: string): void => {
        if (message === shown) return; // e.g. a begin and a report with the same text
        shown = message;
        progress.report({ message });
      };
      sink("sending the request…");
      // The server reports "choosing model", "calling <model>", "running tests", … on
      // the request's workDoneToken.
      const workDoneToken = `acrouter-${randomUUID()}`;
      const listener = followProgress(client, workDoneToken, sink);
      try {
        const raw = await raceCancellation(
          executeServerCommand(client, ServerCommand.routeAndComplete, params, token, workDoneToken),
          token,
        );
        return parseRouteResult(raw);
      } finally {
        listener.dispose();
      }
    },
  );
}

async function offerDetails(choice: Thenable<string | undefined>, details: () => Promise<void>): Promise<void> {
  if ((await choice) === DETAILS) await details();
}

async function reportNoEdit(deps: Deps, result: RouteAndCompleteResult, details: () => Promise<void>): Promise<void> {
  // The server says which key variable was missing ("auth: environment variable X is not set");
  // the settings tell which models need keys that are not stored anywhere.
  const { settings } = currentSettings();
  const missing = missingKeysFromAttempts(result.attempts);
  if (missing.length === 0 && result.attempts.some((a) => a.verdict === "error"))
    missing.push(...missingKeyVars(settings.models, deps.keys.storedNames(), process.env));
  if (missing.length) {
    const choice = await vscode.window.showErrorMessage(missingKeyMessage(missing), SET_KEY, DETAILS);
    if (choice === SET_KEY) await setApiKey(deps, missing[0]);
    if (choice === DETAILS) await details();
    return;
  }
  const message = `ACRouter: ${summaryLine(result)}. No edit was proposed.`;
  const show = result.verified ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  await offerDetails(show(message, DETAILS), details);
}

function proposedText(
  deps: Deps,
  doc: vscode.TextDocument,
  originalText: string,
  edit: WorkspaceEdit,
): string | undefined {
  try {
    return previewText(originalText, edit, doc.uri.toString(), sameUri);
  } catch (error) {
    if (!(error instanceof EditError)) throw error;
    showError(
      deps.log,
      `ACRouter: the server's edit cannot be applied to ${basename(doc.uri.path)}: ${error.message}.`,
    );
    return undefined;
  }
}

async function rememberDiff(
  deps: Deps,
  doc: vscode.TextDocument,
  originalText: string,
  proposed: string,
  result: RouteAndCompleteResult,
): Promise<void> {
  const file = displayName(doc);
  const others = touchedUris(result.edit as WorkspaceEdit)
    .filter((u) => !sameUri(u, doc.uri.toString()))
    .map((u) => vscode.workspace.asRelativePath(vscode.Uri.parse(u)));
  await deps.diffs.put({
    requestId: result.requestId,
    file,
    diff: unifiedDiff(originalText, proposed, file),
    otherFiles: others,
    applied: null,
  });
}

async function previewAndApply(
  deps: Deps,
  client: LanguageClient,
  doc: vscode.TextDocument,
  requestVersion: number,
  result: RouteAndCompleteResult,
  proposed: string,
  details: () => Promise<void>,
): Promise<void> {
  const edit = result.edit as WorkspaceEdit;
  const uri = doc.uri.toString();
  const name = basename(doc.uri.path);
  const previewUri = deps.docs.set(`/preview/${result.requestId || randomUUID()}/${name}`, proposed);
  let applied = false;
  try {
    const previewDoc = await vscode.workspace.openTextDocument(previewUri);
    if (previewDoc.languageId !== doc.languageId)
      await vscode.languages.setTextDocumentLanguage(previewDoc, doc.languageId);
    await vscode.commands.executeCommand(
      "vscode.diff",
      doc.uri,
      previewUri,
      `${name}: current ↔ proposed by ${result.finalModel ?? "ACRouter"}`,
      { preview: true },
    );
    const others = touchedUris(edit).filter((u) => !sameUri(u, uri));
    const ask = result.verified ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    let choice: string | undefined;
    do {
      choice = await ask(applyPrompt(result, others), APPLY, DISCARD, DETAILS);
      if (choice === DETAILS) await details();
    } while (choice === DETAILS);
    if (choice === APPLY) applied = await applyEdit(deps, client, edit, uri, requestVersion);
  } finally {
    await deps.diffs.markApplied(result.requestId, applied);
    await closeDiffTabs(previewUri);
    deps.docs.delete(previewUri);
  }
}

async function applyEdit(
  deps: Deps,
  client: LanguageClient,
  edit: WorkspaceEdit,
  uri: string,
  requestVersion: number,
): Promise<boolean> {
  const stale = staleReason(edit, uri, requestVersion, openVersion, sameUri);
  if (stale) {
    void vscode.window.showWarningMessage(`ACRouter: the edit was NOT applied: ${stale}. Run the command again.`);
    deps.log.warn(`edit not applied: ${stale}`);
    return false;
  }
  const converted = await client.protocol2CodeConverter.asWorkspaceEdit(
    edit as Parameters<typeof client.protocol2CodeConverter.asWorkspaceEdit>[0],
  );
  if (!converted || !(await vscode.workspace.applyEdit(converted))) {
    showError(deps.log, "ACRouter: VS Code could not apply the edit.");
    return false;
  }
  vscode.window.setStatusBarMessage("$(check) ACRouter: edit applied", 4000);
  return true;
}

// ----------------------------------------------------------------- history

/** Virtual documents of request details live under this path. */
const REQUEST_DOCS = "/request/";

async function showHistory(deps: Deps): Promise<void> {
  await vscode.commands.executeCommand(`${HISTORY_VIEW}.focus`);
  await deps.history.refresh();
}

/** The why (asked from the server when the entry lacks it), attempts, tests, and the diff this window kept. */
async function showDetails(
  deps: Deps,
  summary: RequestSummary,
  instruction: string | null | undefined,
  time: number | string | undefined,
): Promise<void> {
  let entry = summary;
  if (!entry.why.trim() && entry.requestId) {
    const client = await deps.servers.get();
    if (client) {
      try {
        const why = parseWhy(await executeServerCommand(client, ServerCommand.explain, { requestId: entry.requestId }));
        entry = { ...entry, why };
      } catch (error) {
        deps.log.warn(`explain ${entry.requestId}: ${String(error)}`);
      }
    }
  }
  await showMarkdown(
    deps.docs,
    `${REQUEST_DOCS}${entry.requestId || "unknown"}/${detailsTitle(entry, instruction)}.md`,
    resultMarkdown(entry, { instruction, time, diff: deps.diffs.get(entry.requestId), showDiff: true }),
  );
}

async function openRequest(deps: Deps, requestId: string): Promise<void> {
  const entry = deps.history.find(requestId);
  if (!entry) {
    void vscode.window.showWarningMessage("ACRouter: that request is no longer in the history.");
    return;
  }
  await showDetails(deps, entry, entry.instruction, entry.time);
}

async function explainLast(deps: Deps): Promise<void> {
  const entries: HistoryEntry[] = await deps.history.reload();
  const last = entries[0];
  if (!last) {
    void vscode.window.showInformationMessage(
      'ACRouter: there is no decision to explain yet. Run "ACRouter: Route and Complete" first.',
    );
    return;
  }
  await showDetails(deps, last, last.instruction, last.time);
}

// ----------------------------------------------------------------- routing memory

async function exportMemory(deps: Deps): Promise<vscode.Uri | undefined> {
  const client = await deps.servers.get();
  if (!client) return undefined;
  const raw = await executeServerCommand(client, ServerCommand.exportMemory, {});
  const records = Array.isArray((raw as { records?: unknown }).records)
    ? (raw as { records: unknown[] }).records.length
    : 0;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = exportFileName(new Date());
  const target = await vscode.window.showSaveDialog({
    title: "ACRouter: Export Routing Memory",
    saveLabel: "Export",
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: { JSON: ["json"] },
  });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, Buffer.from(JSON.stringify(raw, null, 2) + "\n", "utf8"));
  deps.log.info(`routing memory exported: ${records} records to ${target.fsPath}`);
  void vscode.window.showInformationMessage(exportDoneMessage(records, target.fsPath), "Open").then((choice) => {
    if (choice === "Open") void vscode.window.showTextDocument(target);
  });
  return target;
}

async function resetMemory(deps: Deps): Promise<void> {
  const client = await deps.servers.get();
  if (!client) return;
  const records = parseCount(await executeServerCommand(client, ServerCommand.memoryStats, {}), "records");
  if (records === 0) {
    void vscode.window.showInformationMessage("ACRouter: the routing memory is already empty.");
    return;
  }
  const models = new Set((await deps.history.list()).flatMap((e) => e.attempts.map((a) => a.model))).size;
  const DELETE = "Delete";
  const EXPORT = "Export First…";
  let exported: vscode.Uri | undefined;
  for (;;) {
    const detail = resetConfirmDetail(exported?.fsPath);
    const buttons = exported ? [DELETE] : [EXPORT, DELETE];
    const choice = await vscode.window.showWarningMessage(
      resetConfirmMessage(records, models || undefined),
      { modal: true, detail },
      ...buttons,
    );
    if (choice === EXPORT) {
      exported = await exportMemory(deps);
      continue;
    }
    if (choice !== DELETE) return;
    break;
  }
  const removed = parseCount(
    await executeServerCommand(client, ServerCommand.resetMemory, { confirm: true }),
    "removed",
  );
  deps.log.info(`routing memory reset: ${removed} records removed`);
  await deps.diffs.clear();
  await deps.docs.closePreviews(REQUEST_DOCS); // the requests they show are gone
  await deps.history.setLastSummary(undefined);
  deps.status.reset();
  await deps.history.refresh();
  void vscode.window.showInformationMessage(resetDoneMessage(removed));
}

async function restartServer(deps: Deps): Promise<void> {
  const client = await deps.servers.restart();
  if (client) vscode.window.setStatusBarMessage("$(check) ACRouter: server restarted", 4000);
}

// ----------------------------------------------------------------- API keys

interface KeyItem extends vscode.QuickPickItem {
  envName?: string;
  stored?: boolean;
}

async function pickKeyName(deps: Deps): Promise<{ envName: string; stored: boolean } | undefined> {
  const { settings } = currentSettings();
  const items: KeyItem[] = apiKeyChoices(settings.models, deps.keys.storedNames()).map((c) => ({
    label: c.envName,
    description: [c.usedBy.length ? `used by ${c.usedBy.join(", ")}` : "", c.stored ? "key stored" : ""]
      .filter(Boolean)
      .join(" · "),
    envName: c.envName,
    stored: c.stored,
  }));
  items.push({ label: "$(edit) Another environment variable…" });
  const picked = await vscode.window.showQuickPick(items, {
    title: "ACRouter: Set API Key (1/2)",
    placeHolder: "Which environment variable should hold the key? (the apiKeyEnv of your models)",
  });
  if (!picked) return undefined;
  if (picked.envName) return { envName: picked.envName, stored: picked.stored ?? false };
  const typed = await vscode.window.showInputBox({
    title: "ACRouter: Set API Key (1/2)",
    prompt: "Name of the environment variable, e.g. OPENAI_API_KEY (the name only, not the key)",
    ignoreFocusOut: true,
    validateInput: (v) =>
      isEnvName(v.trim()) ? undefined : "Letters, digits and _ only, not starting with a digit (e.g. OPENAI_API_KEY).",
  });
  if (!typed) return undefined;
  const envName = typed.trim();
  return { envName, stored: deps.keys.storedNames().includes(envName) };
}

async function setApiKey(deps: Deps, preset?: string): Promise<void> {
  const chosen =
    typeof preset === "string" && isEnvName(preset)
      ? { envName: preset, stored: deps.keys.storedNames().includes(preset) }
      : await pickKeyName(deps);
  if (!chosen) return;
  const { envName, stored } = chosen;

  const key = await vscode.window.showInputBox({
    title: `ACRouter: Set API Key (2/2): ${envName}`,
    prompt: stored
      ? "Paste the new key, or leave empty and press Enter to remove the stored key."
      : "Paste the key. It is kept in VS Code's secret storage and reaches the ACRouter server only through its environment.",
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (!stored && !v.trim() ? "Paste the key, or press Escape to cancel." : undefined),
  });
  if (key === undefined) return;

  if (!key.trim()) {
    await deps.keys.remove(envName);
    deps.log.info(`API key for ${envName} removed`);
  } else {
    await deps.keys.store(envName, key.trim());
    deps.log.info(`API key for ${envName} stored in secret storage (value not logged)`);
  }
  const wasRunning = deps.servers.running;
  await deps.servers.restartIfRunning();
  const done = key.trim() ? `stored the key for ${envName}` : `removed the key for ${envName}`;
  void vscode.window.showInformationMessage(`ACRouter: ${done}${wasRunning ? " and restarted the server" : ""}.`);
}
