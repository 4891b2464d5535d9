// The status bar item: last request's model, cost and verdict; click -> history.

import * as vscode from "vscode";
import type { RequestSummary } from "./protocol";
import { IDLE_STATUS_TEXT, statusBarText, statusBarTooltip } from "./present";

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("acrouter.status", vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = "ACRouter";
    this.item.command = "acrouter.showHistory";
    this.item.text = IDLE_STATUS_TEXT;
    this.item.tooltip = "ACRouter: no request yet. Click for the history.";
    this.item.show();
  }

  update(summary: RequestSummary): void {
    this.item.text = statusBarText(summary);
    const tooltip = new vscode.MarkdownString(statusBarTooltip(summary), true);
    tooltip.isTrusted = false;
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    this.item.dispose();
  }
}
