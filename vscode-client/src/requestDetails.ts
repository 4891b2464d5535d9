// A request's details document (the why, the attempts and their tests, the diff
// this window kept), and the ways to open it: a row of the Routing History,
// "Explain Last Decision", and the Details button of a request's result.

import * as vscode from "vscode";
import { executeServerCommand } from "./client";
import type { Deps } from "./commandDeps";
import { showMarkdown } from "./documents";
import { detailsTitle, resultMarkdown } from "./present";
import { type HistoryEntry, parseWhy, type RequestSummary, ServerCommand } from "./protocol";

/** Virtual documents of request details live under this path. */
export const REQUEST_DOCS = "/request/";

/** The button that opens a request's details. */
export const DETAILS = "Details";

/** Show the details if the user chose the Details button of `choice`. */
export async function offerDetails(choice: Thenable<string | undefined>, details: () => Promise<void>): Promise<void> {
  if ((await choice) === DETAILS) await details();
}

/** The why (asked from the server when the entry lacks it), attempts, tests, and the diff this window kept. */
export async function showDetails(
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

export async function openRequest(deps: Deps, requestId: string): Promise<void> {
  const entry = deps.history.find(requestId);
  if (!entry) {
    void vscode.window.showWarningMessage("ACRouter: that request is no longer in the history.");
    return;
  }
  await showDetails(deps, entry, entry.instruction, entry.time);
}

export async function explainLast(deps: Deps): Promise<void> {
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
