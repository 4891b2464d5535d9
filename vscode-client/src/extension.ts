// Entry point: wires the log, secret store, virtual documents, status bar,
// language server manager and commands together.

import * as vscode from "vscode";
import { currentSettings, ServerManager } from "./client";
import { type Deps, refreshStatus, registerCommands } from "./commands";
import { SCHEME, VirtualDocuments } from "./documents";
import { createLog, reportSettingsProblems } from "./log";
import { ApiKeyStore } from "./secrets";
import { StatusItem } from "./status";

let servers: ServerManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = createLog();
  const keys = new ApiKeyStore(context.secrets, context.globalState);
  const docs = new VirtualDocuments();
  const status = new StatusItem();
  servers = new ServerManager(context, log, keys);
  const deps: Deps = { servers, keys, docs, status, log };

  context.subscriptions.push(
    log,
    docs,
    status,
    servers,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, docs),
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
  void refreshStatus(deps);
}

export async function deactivate(): Promise<void> {
  await servers?.stop();
  servers = undefined;
}
