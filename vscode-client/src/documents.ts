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

  /** Close the rendered previews of the documents under `prefix` (e.g. "/request/") and forget them. */
  async closePreviews(prefix: string): Promise<void> {
    const uris = [...this.contents.keys()].map((k) => vscode.Uri.parse(k)).filter((u) => u.path.startsWith(prefix));
    const labels = new Set(uris.map((u) => `Preview ${u.path.slice(u.path.lastIndexOf("/") + 1)}`));
    const tabs = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .filter((tab) => tab.input instanceof vscode.TabInputWebview && labels.has(tab.label));
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
    for (const u of uris) this.contents.delete(u.toString());
  }

  dispose(): void {
    this.contents.clear();
    this.changed.dispose();
  }
}

/**
 * Show markdown as a rendered preview beside the first editor group (falls back to the
 * read-only source). From the first group, "beside" is always the second one, so the
 * markdown extension reuses the preview there instead of opening one more to the side.
 */
export async function showMarkdown(docs: VirtualDocuments, path: string, markdown: string): Promise<void> {
  const uri = docs.set(path, markdown);
  const doc = await vscode.workspace.openTextDocument(uri);
  try {
    if (vscode.window.tabGroups.all.length > 1)
      await vscode.commands.executeCommand("workbench.action.focusFirstEditorGroup");
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
