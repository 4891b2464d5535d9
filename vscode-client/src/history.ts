// "ACRouter: Show History": a QuickPick of past requests (model, verdict, cost);
// choosing one shows its attempts and why as rendered markdown.

import * as vscode from "vscode";
import { executeServerCommand, type ServerManager } from "./client";
import { showMarkdown, type VirtualDocuments } from "./documents";
import { historyItem, resultMarkdown } from "./present";
import { type HistoryEntry, parseHistory, parseWhy, ServerCommand } from "./protocol";

const HISTORY_LIMIT = 100;

export async function showHistory(servers: ServerManager, docs: VirtualDocuments): Promise<void> {
  const client = await servers.get();
  if (!client) return;
  const entries = parseHistory(await executeServerCommand(client, ServerCommand.history, { limit: HISTORY_LIMIT }));
  if (entries.length === 0) {
    void vscode.window.showInformationMessage('ACRouter: no requests yet. Run "ACRouter: Route and Complete" first.');
    return;
  }
  const now = new Date();
  const picked = await vscode.window.showQuickPick(
    entries.map((entry) => ({ ...historyItem(entry, now), entry })),
    {
      title: "ACRouter history",
      placeHolder: "Newest first. Choose a request to see its attempts and why it was routed that way.",
      matchOnDescription: true,
      matchOnDetail: true,
    },
  );
  if (!picked) return;
  let entry: HistoryEntry = picked.entry;
  if (!entry.why.trim() && entry.requestId) {
    const why = parseWhy(await executeServerCommand(client, ServerCommand.explain, { requestId: entry.requestId }));
    entry = { ...entry, why };
  }
  await showMarkdown(
    docs,
    `/details/request-${entry.requestId || "unknown"}.md`,
    resultMarkdown(entry, { instruction: entry.instruction, time: entry.time }),
  );
}

/** The newest history entry, for the status bar after (re)start; undefined if none or on error. */
export async function latestEntry(servers: ServerManager): Promise<HistoryEntry | undefined> {
  const client = await servers.get();
  if (!client) return undefined;
  try {
    return parseHistory(await executeServerCommand(client, ServerCommand.history, { limit: 1 }))[0];
  } catch {
    return undefined;
  }
}
