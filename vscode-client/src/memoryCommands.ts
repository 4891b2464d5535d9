// The routing memory's commands: "Export Routing Memory" writes the server's
// records to a JSON file the user picks; "Reset Routing Memory" deletes them after
// a modal confirmation that offers the export first, and clears what this window
// kept of the requests (diffs, details, status bar).

import * as vscode from "vscode";
import { executeServerCommand } from "./client";
import type { Deps } from "./commandDeps";
import {
  exportDoneMessage,
  exportFileName,
  resetConfirmDetail,
  resetConfirmMessage,
  resetDoneMessage,
} from "./present";
import { parseCount, ServerCommand } from "./protocol";
import { REQUEST_DOCS } from "./requestDetails";

export async function exportMemory(deps: Deps): Promise<vscode.Uri | undefined> {
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

export async function resetMemory(deps: Deps): Promise<void> {
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
