// A server that cannot start because it is not installed for its interpreter (or
// that interpreter is missing): the import check before the start, and the error
// that says so with the ways out: Install Server, the settings, or a command that
// installs it by hand (from a repo checkout, or the wheel this .vsix carries).

import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import type { Env } from "./env";
import { bundledServer } from "./installer";
import type { Log } from "./log";
import { installCommand, missingServerMessage, type ServerProblem } from "./serverInstall";
import { resolvePythonPath } from "./settings";

export type ImportCheck = { ok: true } | { ok: false; problem: ServerProblem; output: string };

/** Can `python` import acrouter? Run with the server's own environment and folder. */
export function checkImport(python: string, env: Env, cwd: string | undefined): Promise<ImportCheck> {
  return new Promise((resolve) => {
    execFile(
      python,
      ["-c", "import acrouter"],
      { env, cwd, timeout: 30_000, windowsHide: true },
      (error, _stdout, stderr) => {
        if (!error) resolve({ ok: true });
        else if ((error as NodeJS.ErrnoException).code === "ENOENT")
          resolve({ ok: false, problem: "python-not-found", output: "" });
        else resolve({ ok: false, problem: "not-installed", output: String(stderr || error.message) });
      },
    );
  });
}

/** A folder holding an ACRouter repo checkout (for a `pip install -e` hint), if any. */
async function findCheckout(candidates: readonly string[]): Promise<string | undefined> {
  for (const dir of candidates) {
    try {
      const pyproject = await fs.readFile(path.join(dir, "pyproject.toml"), "utf8");
      if (!/^name\s*=\s*"acrouter"/m.test(pyproject)) continue;
      await fs.access(path.join(dir, "server", "acrouter", "__init__.py"));
      return dir;
    } catch {
      // not a checkout
    }
  }
  return undefined;
}

/** Say that the server is missing and how to install it; `onInstall` runs Install Server. */
export async function reportMissingServer(
  context: vscode.ExtensionContext,
  log: Log,
  { problem, output }: Extract<ImportCheck, { ok: false }>,
  python: string,
  onInstall: () => Promise<unknown>,
): Promise<void> {
  const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const checkout = await findCheckout([...roots, path.dirname(context.extensionPath)]);
  // When the interpreter itself is missing, suggest the platform default rather than the broken path.
  const installPython =
    problem === "python-not-found" ? resolvePythonPath("", { platform: process.platform, home: os.homedir() }) : python;
  const found = await bundledServer(context);
  const install = installCommand(installPython, process.platform, {
    checkout,
    bundle: "bundle" in found ? found.bundle : undefined,
  });
  // The bundled server's two pip commands are too long for a notification: the log and "Copy Install Command" have them.
  const message = missingServerMessage(problem, python, checkout ? install : undefined);
  log.error(message);
  if (install && !checkout) log.info(`To install it yourself: ${install}`);
  if (output.trim()) log.error(output.trim());
  const INSTALL = "Install Server";
  void vscode.window
    .showErrorMessage(message, INSTALL, "Open Settings", ...(install ? ["Copy Install Command"] : []))
    .then(async (choice) => {
      if (choice === INSTALL) {
        await onInstall();
      } else if (choice === "Open Settings") {
        await vscode.commands.executeCommand("workbench.action.openSettings", "acrouter.pythonPath");
      } else if (choice === "Copy Install Command" && install) {
        await vscode.env.clipboard.writeText(install);
        void vscode.window.showInformationMessage(
          `Copied: ${install}. Run it in a terminal, then run the ACRouter command again.`,
        );
      }
    });
}
