// The status bar item: last request's verdict, model and cost; click -> history.

import * as vscode from "vscode";
import type { RequestSummary } from "./protocol";
import { IDLE_STATUS_TEXT, statusBarText, statusBarTooltip } from "./present";

const IDLE_TOOLTIP = "ACRouter: no request yet. Click for the routing history.";

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("acrouter.status", vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = "ACRouter";
    this.item.command = "acrouter.showHistory";
    this.reset();
    this.item.show();
  }

  update(summary: RequestSummary): void {
    this.item.text = statusBarText(summary);
    const tooltip = new vscode.MarkdownString(statusBarTooltip(summary), true);
    tooltip.isTrusted = false;
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = {
      label: `ACRouter last request: ${statusBarText(summary).replace(/\$\([a-z-]+\) /, "")}`,
    };
  }

  /** Back to the idle text (after the routing memory was reset). */
  reset(): void {
    this.item.text = IDLE_STATUS_TEXT;
    this.item.tooltip = IDLE_TOOLTIP;
    this.item.accessibilityInformation = { label: "ACRouter: no request yet" };
  }

  dispose(): void {
    this.item.dispose();
  }
}
