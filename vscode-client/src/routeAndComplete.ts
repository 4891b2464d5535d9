// "Route and Complete": ask for the instruction, send the request with the
// server's progress in a cancellable notification, then either say why there is
// no edit (a missing API key offers Set API Key) or keep the diff for the history
// and hand the proposed edit to the preview (applyEdit.ts).

import { randomUUID } from "node:crypto";
import * as path from "node:path";
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { previewAndApply, sameUri } from "./applyEdit";
import { Cancelled, raceCancellation } from "./cancel";
import { currentSettings, editorPython, executeServerCommand } from "./client";
import type { Deps } from "./commandDeps";
import { unifiedDiff } from "./diff";
import { EditError, previewText, touchedUris } from "./edits";
import { missingKeysOf } from "./env";
import { showError } from "./log";
import { basename, missingKeyMessage, noEditMessage, notAFileMessage, summaryLine } from "./present";
import { followProgress } from "./progress";
import {
  parseRouteResult,
  type Range,
  type RouteAndCompleteParams,
  type RouteAndCompleteResult,
  ServerCommand,
  type WorkspaceEdit,
} from "./protocol";
import { DETAILS, offerDetails, showDetails } from "./requestDetails";
import { setApiKey } from "./setApiKey";

const SET_KEY = "Set API Key";

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

export async function routeAndComplete(deps: Deps): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    // a notebook open without a cell in focus has no active text editor
    const notebook = vscode.window.activeNotebookEditor;
    void vscode.window.showInformationMessage(
      notebook ? notAFileMessage("vscode-notebook") : "ACRouter: open a file (and optionally select code) first.",
    );
    return;
  }
  const doc = editor.document;
  if (doc.uri.scheme !== "file") {
    void vscode.window.showInformationMessage(notAFileMessage(doc.uri.scheme));
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
  const python = await editorPython(doc.uri, deps.log);
  if (python && path.isAbsolute(python)) params.python = python;

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

  await previewAndApply(deps, client, { doc, version: requestVersion, text: originalText }, result, proposed, details);
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

async function reportNoEdit(deps: Deps, result: RouteAndCompleteResult, details: () => Promise<void>): Promise<void> {
  // Only an attempt that failed for a missing key gets the missing-key message: the server
  // names the variable ("auth: no API key: set X"), or the failed model's settings do.
  const { settings } = currentSettings();
  const missing = missingKeysOf(result.attempts, settings.models, deps.keys.storedNames(), process.env);
  if (missing.length) {
    const choice = await vscode.window.showErrorMessage(missingKeyMessage(missing), SET_KEY, DETAILS);
    if (choice === SET_KEY) await setApiKey(deps, missing[0]);
    if (choice === DETAILS) await details();
    return;
  }
  const show = result.verified ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  await offerDetails(show(noEditMessage(result), DETAILS), details);
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
