// Read-only virtual documents on the "acrouter" scheme: the proposed text of an
// edit (right side of the diff preview) and the details of a request (markdown).

import * as vscode from "vscode";

export const SCHEME = "acrouter";

export class VirtualDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? "";
  }

  /** Register `text` under `path` (e.g. "/preview/<id>/main.py") and return its URI. */
  set(path: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: SCHEME, path });
    this.contents.set(uri.toString(), text);
    this.changed.fire(uri);
    return uri;
  }

  delete(uri: vscode.Uri): void {
    this.contents.delete(uri.toString());
  }

  dispose(): void {
    this.contents.clear();
    this.changed.dispose();
  }
}

/** Show markdown as a rendered preview beside the editor (falls back to the read-only source). */
export async function showMarkdown(docs: VirtualDocuments, path: string, markdown: string): Promise<void> {
  const uri = docs.set(path, markdown);
  const doc = await vscode.workspace.openTextDocument(uri);
  try {
    await vscode.commands.executeCommand("markdown.showPreviewToSide", uri);
  } catch {
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }
}

/** Close every diff tab whose right side is `modified`. */
export async function closeDiffTabs(modified: vscode.Uri): Promise<void> {
  const target = modified.toString();
  const tabs = vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === target);
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}
