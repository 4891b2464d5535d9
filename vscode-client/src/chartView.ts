// The "Models" webview (a view under the history, and a larger editor panel):
// per-model verified pass rate and spend over time from the routing memory.
// The page is static SVG built in chart.ts: no scripts, strict CSP, offline.

import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { chartHtml } from "./chart";
import type { HistoryModel } from "./historyModel";

export const CHART_VIEW = "acrouter.models";

const WEBVIEW_OPTIONS: vscode.WebviewOptions = {
  enableScripts: false,
  enableCommandUris: false,
  localResourceRoots: [],
};

async function render(model: HistoryModel): Promise<string> {
  const data = await model.exportData();
  return chartHtml(data?.records ?? [], data?.aggregates ?? [], { nonce: randomBytes(16).toString("base64") });
}

export class ChartView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private panel: vscode.WebviewPanel | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly model: HistoryModel,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.subscription = model.onDidChange(() => void this.update());
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = WEBVIEW_OPTIONS;
    view.onDidDispose(() => {
      if (this.view === view) this.view = undefined;
    });
    view.onDidChangeVisibility(() => {
      if (view.visible) void this.update();
    });
    void this.update();
  }

  /** "ACRouter: Show Model Chart": the same page in an editor tab. */
  async showPanel(): Promise<void> {
    if (this.panel) {
      this.panel.reveal();
    } else {
      this.panel = vscode.window.createWebviewPanel(
        "acrouter.chart",
        "ACRouter: Models",
        vscode.ViewColumn.Active,
        WEBVIEW_OPTIONS,
      );
      this.panel.iconPath = vscode.Uri.joinPath(this.extensionUri, "media", "acrouter.svg");
      this.panel.onDidDispose(() => (this.panel = undefined));
    }
    await this.update();
  }

  private async update(): Promise<void> {
    if (!this.panel && !this.view?.visible) return;
    const html = await render(this.model);
    if (this.view) this.view.webview.html = html;
    if (this.panel) this.panel.webview.html = html;
  }

  dispose(): void {
    this.subscription.dispose();
    this.panel?.dispose();
  }
}
