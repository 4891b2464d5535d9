// The user-facing commands: Route and Complete, Reset Routing Memory, Set API
// Key (Show History lives in history.ts). Each gathers input, asks the server,
// and shows the result; formatting is in present.ts.

import { randomUUID } from "node:crypto";
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { Cancelled, raceCancellation } from "./cancel";
import { currentSettings, executeServerCommand, type ServerManager } from "./client";
import { closeDiffTabs, showMarkdown, type VirtualDocuments } from "./documents";
import { EditError, previewText, staleReason, touchedUris } from "./edits";
import { apiKeyChoices, isEnvName, missingKeyVars } from "./env";
import { latestEntry, showHistory } from "./history";
import { guarded, type Log, showError } from "./log";
import { ProgressRelay } from "./progress";
import { applyPrompt, basename, resetConfirmMessage, resetDoneMessage, resultMarkdown, summaryLine } from "./present";
import {
  parseCount,
  parseRouteResult,
  type Range,
  type RouteAndCompleteParams,
  type RouteAndCompleteResult,
  ServerCommand,
  type WorkspaceEdit,
} from "./protocol";
import type { ApiKeyStore } from "./secrets";
import type { StatusItem } from "./status";

export interface Deps {
  servers: ServerManager;
  keys: ApiKeyStore;
  docs: VirtualDocuments;
  status: StatusItem;
  log: Log;
}

export function registerCommands(context: vscode.ExtensionContext, deps: Deps): void {
  const { log } = deps;
  context.subscriptions.push(
    vscode.commands.registerCommand(
      "acrouter.routeAndComplete",
      guarded(log, "Route and Complete", () => routeAndComplete(deps)),
    ),
    vscode.commands.registerCommand(
      "acrouter.showHistory",
      guarded(log, "Show History", () => showHistory(deps.servers, deps.docs)),
    ),
    vscode.commands.registerCommand(
      "acrouter.resetMemory",
      guarded(log, "Reset Routing Memory", () => resetMemory(deps)),
    ),
    vscode.commands.registerCommand(
      "acrouter.setApiKey",
      guarded(log, "Set API Key", () => setApiKey(deps)),
    ),
  );
}

/** Put the newest history entry in the status bar (after the server starts). */
export async function refreshStatus(deps: Deps): Promise<void> {
  const entry = await latestEntry(deps.servers);
  if (entry) deps.status.update(entry);
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

  const client = await deps.servers.get();
  if (!client) return;

  const uri = doc.uri.toString();
  const requestVersion = doc.version;
  const params: RouteAndCompleteParams = { textDocument: { uri }, instruction: instruction.trim(), apply: false };
  if (range) params.range = range;

  let result: RouteAndCompleteResult;
  try {
    result = await runWithProgress(deps, client, params);
  } catch (error) {
    if (error instanceof Cancelled) {
      deps.log.info("Route and Complete cancelled by the user");
      vscode.window.setStatusBarMessage("ACRouter: request cancelled", 4000);
      return;
    }
    throw error;
  }

  deps.status.update(result);
  deps.log.info(`request ${result.requestId}: ${summaryLine(result)}`);
  const details = (): Promise<void> =>
    showMarkdown(
      deps.docs,
      `/details/request-${result.requestId || "unknown"}.md`,
      resultMarkdown(result, { instruction }),
    );

  if (!result.edit) {
    await reportNoEdit(deps, result, details);
    return;
  }
  const stale = staleReason(result.edit, uri, requestVersion, openVersion, sameUri);
  if (stale) {
    await offerDetails(
      vscode.window.showWarningMessage(
        `ACRouter: ${stale}, so the proposed edit no longer fits; it was not applied. Run the command again.`,
        DETAILS,
      ),
      details,
    );
    return;
  }
  await previewAndApply(deps, client, doc, requestVersion, result, details);
}

async function runWithProgress(
  deps: Deps,
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
      // this token (or on one it creates, which the relay routes here too).
      const workDoneToken = `acrouter-${randomUUID()}`;
      const listener = ProgressRelay.follow(client, workDoneToken, sink);
      try {
        const raw = await deps.servers.progress.during(sink, () =>
          raceCancellation(
            executeServerCommand(client, ServerCommand.routeAndComplete, params, token, workDoneToken),
            token,
          ),
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
  const { settings } = currentSettings();
  const missing = result.attempts.some((a) => a.verdict === "error")
    ? missingKeyVars(settings.models, deps.keys.storedNames(), process.env)
    : [];
  const buttons = missing.length ? [DETAILS, SET_KEY] : [DETAILS];
  const hint = missing.length ? ` No API key is set for ${missing.join(", ")}.` : "";
  const message = `ACRouter: ${summaryLine(result)}. No edit was proposed.${hint}`;
  const show = result.verified ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  const choice = await show(message, ...buttons);
  if (choice === DETAILS) await details();
  if (choice === SET_KEY) await setApiKey(deps);
}

async function previewAndApply(
  deps: Deps,
  client: LanguageClient,
  doc: vscode.TextDocument,
  requestVersion: number,
  result: RouteAndCompleteResult,
  details: () => Promise<void>,
): Promise<void> {
  const edit = result.edit as WorkspaceEdit;
  const uri = doc.uri.toString();
  let proposed: string;
  try {
    proposed = previewText(doc.getText(), edit, uri, sameUri);
  } catch (error) {
    if (!(error instanceof EditError)) throw error;
    showError(
      deps.log,
      `ACRouter: the server's edit cannot be applied to ${basename(doc.uri.path)}: ${error.message}.`,
    );
    return;
  }
  const name = basename(doc.uri.path);
  const previewUri = deps.docs.set(`/preview/${result.requestId || randomUUID()}/${name}`, proposed);
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
    if (choice === APPLY) await applyEdit(deps, client, edit, uri, requestVersion);
  } finally {
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
): Promise<void> {
  const stale = staleReason(edit, uri, requestVersion, openVersion, sameUri);
  if (stale) {
    void vscode.window.showWarningMessage(`ACRouter: the edit was NOT applied: ${stale}. Run the command again.`);
    deps.log.warn(`edit not applied: ${stale}`);
    return;
  }
  const converted = await client.protocol2CodeConverter.asWorkspaceEdit(
    edit as Parameters<typeof client.protocol2CodeConverter.asWorkspaceEdit>[0],
  );
  if (!converted || !(await vscode.workspace.applyEdit(converted))) {
    showError(deps.log, "ACRouter: VS Code could not apply the edit.");
    return;
  }
  vscode.window.setStatusBarMessage("$(check) ACRouter: edit applied", 4000);
}

// ----------------------------------------------------------------- reset memory

async function resetMemory(deps: Deps): Promise<void> {
  const client = await deps.servers.get();
  if (!client) return;
  const records = parseCount(await executeServerCommand(client, ServerCommand.memoryStats, {}), "records");
  if (records === 0) {
    void vscode.window.showInformationMessage("ACRouter: the routing memory is already empty.");
    return;
  }
  const DELETE = "Delete";
  const choice = await vscode.window.showWarningMessage(resetConfirmMessage(records), { modal: true }, DELETE);
  if (choice !== DELETE) return;
  const removed = parseCount(
    await executeServerCommand(client, ServerCommand.resetMemory, { confirm: true }),
    "removed",
  );
  deps.log.info(`routing memory reset: ${removed} records removed`);
  void vscode.window.showInformationMessage(resetDoneMessage(removed));
}

// ----------------------------------------------------------------- API keys

interface KeyItem extends vscode.QuickPickItem {
  envName?: string;
  stored?: boolean;
}

async function setApiKey(deps: Deps): Promise<void> {
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
  if (!picked) return;

  let envName = picked.envName;
  let stored = picked.stored ?? false;
  if (!envName) {
    const typed = await vscode.window.showInputBox({
      title: "ACRouter: Set API Key (1/2)",
      prompt: "Name of the environment variable, e.g. OPENAI_API_KEY (the name only, not the key)",
      ignoreFocusOut: true,
      validateInput: (v) =>
        isEnvName(v.trim())
          ? undefined
          : "Letters, digits and _ only, not starting with a digit (e.g. OPENAI_API_KEY).",
    });
    if (!typed) return;
    envName = typed.trim();
    stored = deps.keys.storedNames().includes(envName);
  }

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
