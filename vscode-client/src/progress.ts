// Server work-done progress ("choosing model", "calling <model>", "running
// tests", "escalating to <model>") shown in the Route and Complete notification.
// The server may report on the workDoneToken the request carries, or create its
// own token (window/workDoneProgress/create); both end up in the notification of
// the request in flight, instead of a second notification.

import * as vscode from "vscode";
import {
  type ClientCapabilities,
  type FeatureState,
  type LanguageClient,
  type StaticFeature,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
} from "vscode-languageclient/node";
import { progressMessage, type ProgressValue } from "./present";

export type ProgressSink = (message: string) => void;

export class ProgressRelay {
  private readonly sinks: ProgressSink[] = [];

  /** While `run` is pending, progress the server creates goes to `sink`. */
  async during<T>(sink: ProgressSink, run: () => Promise<T>): Promise<T> {
    this.sinks.push(sink);
    try {
      return await run();
    } finally {
      this.sinks.splice(this.sinks.indexOf(sink), 1);
    }
  }

  /** Forward progress on `token` to `sink` until it ends; returns the subscription. */
  static follow(client: LanguageClient, token: string | number, sink: ProgressSink): vscode.Disposable {
    const sub = client.onProgress(WorkDoneProgress.type, token, (value: ProgressValue) => {
      if (value.kind === "end") sub.dispose();
      const message = progressMessage(value);
      if (message) sink(message);
    });
    return sub;
  }

  /** A client feature that takes over window/workDoneProgress/create (registered after the built-in one, so it wins). */
  feature(client: LanguageClient): StaticFeature {
    return {
      fillClientCapabilities: (capabilities: ClientCapabilities) => {
        capabilities.window = { ...capabilities.window, workDoneProgress: true };
      },
      initialize: () => {
        client.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => this.onCreate(client, token));
      },
      getState: (): FeatureState => ({ kind: "static" }),
      clear: () => undefined,
    };
  }

  private onCreate(client: LanguageClient, token: string | number): void {
    const sink = this.sinks[this.sinks.length - 1];
    if (sink) {
      ProgressRelay.follow(client, token, sink);
      return;
    }
    // No request of ours in flight: show it in the status bar area until it ends.
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: "ACRouter" },
      (progress) =>
        new Promise<void>((resolve) => {
          const sub = client.onProgress(WorkDoneProgress.type, token, (value: ProgressValue) => {
            const message = progressMessage(value);
            if (message) progress.report({ message });
            if (value.kind === "end") {
              sub.dispose();
              resolve();
            }
          });
        }),
    );
  }
}
