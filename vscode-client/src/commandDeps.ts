// What the commands work with: the extension's long-lived parts, built once in
// extension.ts and handed to registerCommands (commands.ts).

import type * as vscode from "vscode";
import type { ChartView } from "./chartView";
import type { ServerManager } from "./client";
import type { DiffStore } from "./diffStore";
import type { VirtualDocuments } from "./documents";
import type { HistoryModel } from "./historyModel";
import type { Log } from "./log";
import type { ApiKeyStore } from "./secrets";
import type { StatusItem } from "./status";

export interface Deps {
  context: vscode.ExtensionContext;
  servers: ServerManager;
  keys: ApiKeyStore;
  docs: VirtualDocuments;
  status: StatusItem;
  log: Log;
  history: HistoryModel;
  diffs: DiffStore;
  chart: ChartView;
}
