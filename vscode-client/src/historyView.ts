// The "Routing History" tree view: one row per request (instruction or kind,
// time, models tried with their verdicts, cost, latency), its attempts as
// children; selecting a request opens its why, tests and diff.

import * as vscode from "vscode";
import type { HistoryModel } from "./historyModel";
import { attemptRow, outcomeOf, requestRow } from "./present";
import type { AttemptInfo, HistoryEntry } from "./protocol";

export const HISTORY_VIEW = "acrouter.history";
export const OPEN_REQUEST = "acrouter.openRequest";

type Node =
  | { kind: "request"; entry: HistoryEntry }
  | { kind: "attempt"; attempt: AttemptInfo; index: number; parent: HistoryEntry };

const OUTCOME_ICONS = {
  verified: new vscode.ThemeIcon("pass", new vscode.ThemeColor("testing.iconPassed")),
  unverified: new vscode.ThemeIcon("warning", new vscode.ThemeColor("list.warningForeground")),
  failed: new vscode.ThemeIcon("error", new vscode.ThemeColor("testing.iconFailed")),
  cancelled: new vscode.ThemeIcon("circle-slash"),
};

const VERDICT_ICONS = {
  pass: new vscode.ThemeIcon("check", new vscode.ThemeColor("testing.iconPassed")),
  fail: new vscode.ThemeIcon("close", new vscode.ThemeColor("testing.iconFailed")),
  error: new vscode.ThemeIcon("warning", new vscode.ThemeColor("list.warningForeground")),
};

export class HistoryTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly model: HistoryModel) {
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return (await this.model.list()).map((entry) => ({ kind: "request", entry }));
    if (node.kind === "request")
      return node.entry.attempts.map((attempt, index) => ({ kind: "attempt", attempt, index, parent: node.entry }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === "request") {
      const text = requestRow(node.entry, new Date());
      const item = new vscode.TreeItem(
        text.label,
        node.entry.attempts.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
      );
      item.id = `request:${node.entry.requestId}`;
      item.description = text.description;
      item.tooltip = new vscode.MarkdownString(text.tooltip);
      item.iconPath = OUTCOME_ICONS[outcomeOf(node.entry)];
      item.contextValue = "request";
      item.accessibilityInformation = { label: `${text.label}, ${text.description}` };
      item.command = { command: OPEN_REQUEST, title: "Show Why, Tests and Diff", arguments: [node.entry.requestId] };
      return item;
    }
    const text = attemptRow(node.attempt, node.index);
    const item = new vscode.TreeItem(text.label, vscode.TreeItemCollapsibleState.None);
    item.id = `attempt:${node.parent.requestId}:${node.index}`;
    item.description = text.description;
    item.tooltip = new vscode.MarkdownString(text.tooltip);
    item.iconPath = VERDICT_ICONS[node.attempt.verdict];
    item.contextValue = "attempt";
    item.command = { command: OPEN_REQUEST, title: "Show Why, Tests and Diff", arguments: [node.parent.requestId] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
