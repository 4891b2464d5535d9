// Entry point: wires the log, secret store, virtual documents, status bar,
// language server manager, history model and views, and commands together.

import * as vscode from "vscode";
import { ChartView, CHART_VIEW } from "./chartView";
import { currentSettings, ServerManager } from "./client";
import type { Deps } from "./commandDeps";
import { registerCommands } from "./commands";
import { DiffStore } from "./diffStore";
import { SCHEME, VirtualDocuments } from "./documents";
import { HistoryModel } from "./historyModel";
import { HISTORY_VIEW, HistoryTree } from "./historyView";
import { createLog, reportSettingsProblems } from "./log";
import { HISTORY_CHANGED } from "./protocol";
import { ApiKeyStore } from "./secrets";
import { StatusItem } from "./status";

let servers: ServerManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = createLog();
  const keys = new ApiKeyStore(context.secrets, context.globalState);
  const docs = new VirtualDocuments();
  const status = new StatusItem();
  servers = new ServerManager(context, log, keys);
  const history = new HistoryModel(servers, context.workspaceState, log);
  const tree = new HistoryTree(history);
  const chart = new ChartView(history, context.extensionUri);
  const diffs = new DiffStore(context.workspaceState);
  const deps: Deps = { context, servers, keys, docs, status, log, history, diffs, chart };

  const last = history.lastSummary;
  if (last) status.update(last);

  context.subscriptions.push(
    log,
    docs,
    status,
    servers,
    history,
    tree,
    chart,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, docs),
    vscode.window.createTreeView(HISTORY_VIEW, { treeDataProvider: tree, showCollapseAll: true }),
    vscode.window.registerWebviewViewProvider(CHART_VIEW, chart),
    // A (re)started server may hold a different memory (ACROUTER_HOME, reset elsewhere): reload.
    servers.onDidStart((client) => {
      void history.refresh();
      // a cancelled request is recorded with what it spent after its reply (the cancel) is sent
      client.onNotification(HISTORY_CHANGED, () => void history.refresh());
    }),
    // No request in this workspace yet: the status bar shows the newest one the server remembers.
    history.onDidChange(() => {
      const newest = history.latest;
      if (!history.lastSummary && newest) status.update(newest);
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration("acrouter")) return;
      reportSettingsProblems(log, currentSettings().problems, true);
      // The interpreter is fixed per server process; everything else reaches the server as didChangeConfiguration.
      if (event.affectsConfiguration("acrouter.pythonPath")) void servers?.restartIfRunning();
    }),
  );
  registerCommands(context, deps);
  reportSettingsProblems(log, currentSettings().problems, true);
  log.info(`ACRouter ${String(context.extension.packageJSON.version)} activated`);
}

export async function deactivate(): Promise<void> {
  await servers?.stop();
  servers = undefined;
}
