// The routing history as this window knows it: the server's newest requests
// (reloaded after each request, reset and server start) plus the last result
// of this window. The history view, the chart and the status bar listen to it.

import * as vscode from "vscode";
import { executeServerCommand, type ServerManager } from "./client";
import type { Log } from "./log";
import {
  type HistoryEntry,
  type MemoryExport,
  parseExport,
  parseHistory,
  type RequestSummary,
  ServerCommand,
} from "./protocol";

export const HISTORY_LIMIT = 200;
const LAST_SUMMARY_KEY = "acrouter.lastSummary";

export class HistoryModel implements vscode.Disposable {
  private entries: HistoryEntry[] | undefined;
  private loading: Promise<HistoryEntry[]> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly servers: ServerManager,
    private readonly state: vscode.Memento,
    private readonly log: Log,
  ) {}

  /** Newest first; loads from the server (starting it) the first time. */
  async list(): Promise<HistoryEntry[]> {
    if (this.entries) return this.entries;
    return this.reload();
  }

  /** Ask the server again; [] when it cannot start (the user was told why). */
  reload(): Promise<HistoryEntry[]> {
    if (this.loading) return this.loading;
    this.loading = (async () => {
      const client = await this.servers.get();
      if (!client) {
        this.entries = [];
        return this.entries;
      }
      try {
        this.entries = parseHistory(
          await executeServerCommand(client, ServerCommand.history, { limit: HISTORY_LIMIT }),
        );
      } catch (error) {
        this.log.warn(`Reading the routing history failed: ${String(error)}`);
        this.entries = [];
      }
      return this.entries;
    })().finally(() => {
      this.loading = undefined;
      this.changed.fire();
    });
    return this.loading;
  }

  /** Reload and tell the listeners (after a request, a reset or a server start). */
  async refresh(): Promise<void> {
    await this.reload();
  }

  /** The newest entry loaded so far, if any. */
  get latest(): HistoryEntry | undefined {
    return this.entries?.[0];
  }

  find(requestId: string): HistoryEntry | undefined {
    return this.entries?.find((e) => e.requestId === requestId);
  }

  /** The whole memory for the chart and the export; falls back to the history for an older server. */
  async exportData(): Promise<MemoryExport | undefined> {
    const client = await this.servers.get();
    if (!client) return undefined;
    try {
      return parseExport(await executeServerCommand(client, ServerCommand.exportMemory, {}));
    } catch (error) {
      this.log.warn(`exportMemory failed (${String(error)}); charting the history instead`);
      return { version: 0, records: await this.list(), aggregates: [] };
    }
  }

  /** The last request's summary, kept across reloads for the status bar. */
  get lastSummary(): RequestSummary | undefined {
    return this.state.get<RequestSummary>(LAST_SUMMARY_KEY);
  }

  async setLastSummary(summary: RequestSummary | undefined): Promise<void> {
    const keep = summary && {
      requestId: summary.requestId,
      kind: summary.kind,
      finalModel: summary.finalModel,
      verified: summary.verified,
      costUsd: summary.costUsd,
      latencyMs: summary.latencyMs,
      attempts: summary.attempts.map((a) => ({ ...a, detail: a.detail.slice(0, 300) })),
      why: "",
    };
    await this.state.update(LAST_SUMMARY_KEY, keep);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
