// The user-facing commands, by id: each one's flow lives in the module named
// after it. Route and Complete in routeAndComplete.ts (its edit preview and apply
// in applyEdit.ts); a request's details and the history in requestDetails.ts;
// the routing memory (export, reset) in memoryCommands.ts; API keys in
// setApiKey.ts; the server (restart, install) in client.ts. Formatting is in present.ts.

import * as vscode from "vscode";
import type { Deps } from "./commandDeps";
import { HISTORY_VIEW, OPEN_REQUEST } from "./historyView";
import { guarded } from "./log";
import { exportMemory, resetMemory } from "./memoryCommands";
import { explainLast, openRequest } from "./requestDetails";
import { routeAndComplete } from "./routeAndComplete";
import { setApiKey } from "./setApiKey";

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

async function showHistory(deps: Deps): Promise<void> {
  await vscode.commands.executeCommand(`${HISTORY_VIEW}.focus`);
  await deps.history.refresh();
}

async function restartServer(deps: Deps): Promise<void> {
  const client = await deps.servers.restart();
  if (client) vscode.window.setStatusBarMessage("$(check) ACRouter: server restarted", 4000);
}
