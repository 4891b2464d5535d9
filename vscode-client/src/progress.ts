// Server work-done progress ("choosing model", "calling <model>", "running
// tests", "escalating to <model>") shown in the Route and Complete notification.
// The request carries a workDoneToken and the server reports on it (LSP's
// client-initiated progress), so no window/workDoneProgress/create is involved.

import type * as vscode from "vscode";
import { type LanguageClient, WorkDoneProgress } from "vscode-languageclient/node";
import { progressMessage, type ProgressValue } from "./present";

export type ProgressSink = (message: string) => void;

/** Forward progress on `token` to `sink` until it ends; returns the subscription. */
export function followProgress(client: LanguageClient, token: string | number, sink: ProgressSink): vscode.Disposable {
  const sub = client.onProgress(WorkDoneProgress.type, token, (value: ProgressValue) => {
    if (value.kind === "end") sub.dispose();
    const message = progressMessage(value);
    if (message) sink(message);
  });
  return sub;
}
