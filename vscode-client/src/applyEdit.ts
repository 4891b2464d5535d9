// Applying the server's edit without clobbering the user's work: the proposed text
// is shown beside the file, and the edit is applied only when the user says so and
// only while every buffer and file it touches still holds what the edit was made from
// (the version of the requested document and of each unsaved buffer it was made from,
// no unsaved changes made since in the others, and the server's digest of each file's
// text; checked before the preview and again at Apply, however long the user took).
// A buffer closed since (the diff preview opens the requested file again, counting its
// versions from 1) is judged by its text alone: the file on disk, or the document opened
// again, must hold what the edit was made from. What fits is decided in edits.ts.
//
// A verified edit's verdict describes the workspace its tests ran on. The server says
// which other files changed since (changedSince: a test buffer edited and not saved, a
// file saved, created or deleted on disk, by the editor or another tool); the apply
// prompt says so, and at Apply a change the user was not told of yet asks, in a modal
// warning, Verify Again (the default: the tests run again on the same edit, on the
// workspace as it is now; no model is called), Apply Anyway or Discard. What to say is
// decided in workspaceChanges.ts.

import { randomUUID } from "node:crypto";
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { Cancelled, raceCancellation } from "./cancel";
import { executeServerCommand } from "./client";
import type { Deps } from "./commandDeps";
import { closeDiffTabs } from "./documents";
import { touchedUris, whyNotApply as decide } from "./edits";
import { showError } from "./log";
import { applyPrompt, basename, unrunOf } from "./present";
import {
  parseChangedSince,
  parseVerifyAgain,
  type RouteAndCompleteResult,
  ServerCommand,
  type VerifyAgainResult,
  type WorkspaceEdit,
} from "./protocol";
import { DETAILS, offerDetails } from "./requestDetails";
import { alreadyTold, type Drift, driftDetail, driftMessage, driftOf, recheckMessage } from "./workspaceChanges";

const APPLY = "Apply Edit";
const APPLY_ANYWAY = "Apply Anyway";
const DISCARD = "Discard";
const VERIFY_AGAIN = "Verify Again";

/** The same document, however each side spells its URI. */
export function sameUri(a: string, b: string): boolean {
  return a === b || vscode.Uri.parse(a).toString() === vscode.Uri.parse(b).toString();
}

function openDocument(uri: string): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => !d.isClosed && sameUri(d.uri.toString(), uri));
}

function openVersion(uri: string): number | undefined {
  return openDocument(uri)?.version;
}

function unsaved(uri: string): boolean {
  return openDocument(uri)?.isDirty ?? false;
}

/** A file's text now: its open buffer, else the file on disk; null when there is none. */
async function currentText(uri: string): Promise<string | null> {
  const open = openDocument(uri);
  if (open) return open.getText();
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(vscode.Uri.parse(uri));
  } catch (error) {
    if (error instanceof vscode.FileSystemError && error.code === "FileNotFound") return null;
    throw error;
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** The request as it was sent: its document (VS Code's TextDocument, which says whether
 * that buffer was closed since), that document's version and text then. */
export interface Sent {
  doc: vscode.TextDocument;
  version: number;
  text: string;
}

/** Why the edit no longer fits (edits.ts decides), or null. */
async function whyNotApply(result: RouteAndCompleteResult, sent: Sent): Promise<string | null> {
  const label = (u: string): string => vscode.workspace.asRelativePath(vscode.Uri.parse(u));
  const request = { uri: sent.doc.uri.toString(), version: sent.version, text: sent.text, closed: sent.doc.isClosed };
  const editor = { version: openVersion, unsaved, read: currentText, same: sameUri, label };
  return decide(result.edit as WorkspaceEdit, result.baseDigests, request, editor);
}

/** What changed in the workspace since the tests of a verified edit ran, the files the
 * edit changes aside ("same" for an edit no test run vouched for: nothing to doubt). */
async function workspaceDrift(deps: Deps, client: LanguageClient, result: RouteAndCompleteResult): Promise<Drift> {
  if (!result.verified || !result.requestId) return { kind: "same" };
  try {
    const raw = await executeServerCommand(client, ServerCommand.changedSince, { requestId: result.requestId });
    return driftOf(parseChangedSince(raw), touchedUris(result.edit as WorkspaceEdit), sameUri);
  } catch (error) {
    deps.log.warn(`changedSince ${result.requestId}: ${String(error)}`);
    const why = error instanceof Error ? error.message : String(error);
    return { kind: "unknown", reason: `the server could not be asked: ${why}` };
  }
}

/** The request's tests run again on its edit, on the workspace as it is now (no model is
 * called, nothing is learned), under a cancellable progress notification; null when the
 * user cancelled or the server refused (the user is told why). */
async function verifyAgain(
  deps: Deps,
  client: LanguageClient,
  result: RouteAndCompleteResult,
): Promise<VerifyAgainResult | null> {
  try {
    return await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: "ACRouter: running your tests on the edit again",
        cancellable: true,
      },
      async (_progress, token) => {
        const asked = executeServerCommand(client, ServerCommand.verifyAgain, { requestId: result.requestId }, token);
        return parseVerifyAgain(await raceCancellation(asked, token));
      },
    );
  } catch (error) {
    if (error instanceof Cancelled) {
      deps.log.info("verify again: cancelled by the user");
      return null;
    }
    const why = error instanceof Error ? error.message : String(error);
    showError(deps.log, `ACRouter: the tests could not run on the edit again: ${why}`);
    return null;
  }
}

/**
 * Preview the proposed text of `doc` in a diff and apply the edit if the user chooses
 * Apply. `sent`: the requested document, its version and text when the request was sent;
 * when a buffer or file the edit touches has changed since, the user gets a warning instead.
 */
export async function previewAndApply(
  deps: Deps,
  client: LanguageClient,
  sent: Sent,
  result: RouteAndCompleteResult,
  proposed: string,
  details: () => Promise<void>,
): Promise<void> {
  const { doc } = sent;
  const edit = result.edit as WorkspaceEdit;
  const uri = doc.uri.toString();
  const name = basename(doc.uri.path);
  const stale = await whyNotApply(result, sent);
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
    let told = await workspaceDrift(deps, client, result);
    let caution = driftMessage(told);
    let choice: string | undefined;
    for (;;) {
      const calm = result.verified && !caution && !unrunOf(result);
      const ask = calm ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
      const again = told.kind === "changed" ? [VERIFY_AGAIN] : [];
      choice = await ask(applyPrompt(result, others, caution), APPLY, ...again, DISCARD, DETAILS);
      if (choice === DETAILS) await details();
      else if (choice === VERIFY_AGAIN) {
        const checked = await verifyAgain(deps, client, result);
        if (checked?.verdict === "pass") {
          told = await workspaceDrift(deps, client, result);
          caution = driftMessage(told);
          vscode.window.setStatusBarMessage(`$(check) ACRouter: ${recheckMessage(checked)}`, 8000);
        } else if (checked) caution = recheckMessage(checked);
      } else break;
    }
    if (choice === APPLY) applied = await applyEdit(deps, client, result, sent, told);
  } finally {
    await deps.diffs.markApplied(result.requestId, applied);
    await closeDiffTabs(previewUri);
    deps.docs.delete(previewUri);
  }
}

/** A modal warning with `choices` and Discard; the label chosen (Discard when the user
 * closed it: Escape, the dialog's ×). The first button is the default (Enter), and it
 * is never Apply Anyway: the first of `choices` when that is a safe one (Discard is then
 * the close button), else Discard. */
async function askModal(message: string, detail: string | undefined, choices: string[]): Promise<string> {
  const items: vscode.MessageItem[] =
    choices[0] === APPLY_ANYWAY
      ? [{ title: DISCARD }, ...choices.map((title) => ({ title }))]
      : [...choices.map((title) => ({ title })), { title: DISCARD, isCloseAffordance: true }];
  const picked = await vscode.window.showWarningMessage(message, { modal: true, detail }, ...items);
  return picked?.title ?? DISCARD;
}

/** Whether the edit still fits its buffers and files (else the user is told why not). */
async function stillFits(deps: Deps, result: RouteAndCompleteResult, sent: Sent): Promise<boolean> {
  const stale = await whyNotApply(result, sent);
  if (!stale) return true;
  void vscode.window.showWarningMessage(`ACRouter: ${stale}; nothing was applied. Run the request again.`);
  deps.log.warn(`edit not applied: ${stale}`);
  return false;
}

/** Apply the whole edit if its buffers and files still hold what the edit was made from
 * (the user may have typed or saved meanwhile), else nothing of it; when other files of
 * the workspace changed since the tests ran and the user was not `told` with the
 * preview, only if the user chooses Apply Anyway. */
async function applyEdit(
  deps: Deps,
  client: LanguageClient,
  result: RouteAndCompleteResult,
  sent: Sent,
  toldAtPreview: Drift,
): Promise<boolean> {
  let told = toldAtPreview;
  if (!(await stillFits(deps, result, sent))) return false;
  let now = await workspaceDrift(deps, client, result);
  while (!alreadyTold(now, told)) {
    // the modal's first button is its default (Enter): Verify Again when it can run
    const again = now.kind === "changed" ? [VERIFY_AGAIN] : [];
    const choice = await askModal(`ACRouter: ${driftMessage(now)}.`, driftDetail(now), [...again, APPLY_ANYWAY]);
    if (choice === VERIFY_AGAIN) {
      const checked = await verifyAgain(deps, client, result);
      if (checked && checked.verdict !== "pass") {
        const anyway = await askModal(`ACRouter: ${recheckMessage(checked)}.`, undefined, [APPLY_ANYWAY]);
        if (anyway !== APPLY_ANYWAY) {
          deps.log.info(`edit not applied: ${recheckMessage(checked)}`);
          return false;
        }
        told = now; // applied anyway, as the user chose knowing the changes
      } else if (checked) vscode.window.setStatusBarMessage(`$(check) ACRouter: ${recheckMessage(checked)}`, 8000);
      // the tests took a while (the user or another tool may have written): check again
      if (!(await stillFits(deps, result, sent))) return false;
      now = await workspaceDrift(deps, client, result);
      continue;
    }
    if (choice !== APPLY_ANYWAY) {
      deps.log.info(`edit not applied: the workspace changed since the tests ran (${driftMessage(now)})`);
      return false;
    }
    // the user may have taken a while (another tool may have written): check again
    if (!(await stillFits(deps, result, sent))) return false;
    break;
  }
  const converted = await client.protocol2CodeConverter.asWorkspaceEdit(
    result.edit as Parameters<typeof client.protocol2CodeConverter.asWorkspaceEdit>[0],
  );
  if (!converted || !(await vscode.workspace.applyEdit(converted))) {
    showError(deps.log, "ACRouter: VS Code could not apply the edit.");
    return false;
  }
  vscode.window.setStatusBarMessage("$(check) ACRouter: edit applied", 4000);
  return true;
}
