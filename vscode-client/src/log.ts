// The "ACRouter" log channel (server stderr and the protocol trace go there too)
// and the one way commands report failures to the user.

import * as vscode from "vscode";

export type Log = vscode.LogOutputChannel;

export function createLog(): Log {
  return vscode.window.createOutputChannel("ACRouter", { log: true });
}

const SHOW_LOG = "Show Log";

/** Log an error and show it with a "Show Log" button (not awaited: never blocks the caller). */
export function showError(log: Log, message: string, detail?: unknown): void {
  log.error(message);
  if (detail !== undefined) log.error(detail instanceof Error ? (detail.stack ?? detail.message) : String(detail));
  void vscode.window.showErrorMessage(message, SHOW_LOG).then((choice) => {
    if (choice === SHOW_LOG) log.show(true);
  });
}

/** Log settings problems; show a warning when asked (on activation and on each change). */
export function reportSettingsProblems(log: Log, problems: readonly string[], notify: boolean): void {
  for (const problem of problems) log.warn(problem);
  if (!notify || problems.length === 0) return;
  const head =
    problems.length === 1 ? problems[0] : `${problems.length} problems in ACRouter settings, e.g. ${problems[0]}`;
  void vscode.window.showWarningMessage(head, SHOW_LOG, "Open Settings").then((choice) => {
    if (choice === SHOW_LOG) log.show(true);
    if (choice === "Open Settings") void vscode.commands.executeCommand("workbench.action.openSettings", "acrouter");
  });
}

/** Wrap a command so an unexpected error becomes one clear message plus a logged stack. */
export function guarded<A extends unknown[]>(
  log: Log,
  title: string,
  run: (...args: A) => Promise<unknown>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      showError(log, `ACRouter: ${title} failed: ${message}`, error);
    }
  };
}
