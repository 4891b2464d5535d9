// "ACRouter: Install Server": a private virtual environment in the extension's
// global storage with the matching `acrouter` package, installed with progress
// (and Cancel). The plan is in serverInstall.ts.

import { spawn } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { Cancelled } from "./cancel";
import type { Log } from "./log";
import { installRequirement, installSteps, tail, VENV_DIR, VERSION_CHECK, venvPython } from "./serverInstall";
import { resolvePythonPath } from "./settings";

export function privateVenvDir(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, VENV_DIR);
}

/** The private environment's interpreter, if the server was installed there. */
export function privatePython(context: vscode.ExtensionContext): string | undefined {
  const dir = privateVenvDir(context);
  const py = venvPython(dir, process.platform);
  return existsSync(py) && existsSync(path.join(dir, ".acrouter-installed")) ? py : undefined;
}

interface RunResult {
  code: number | null;
  output: string;
}

function run(
  command: string,
  args: string[],
  log: Log,
  token: vscode.CancellationToken,
  onLine: (line: string) => void,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, PIP_NO_INPUT: "1", PYTHONUNBUFFERED: "1" },
      windowsHide: true,
    });
    let output = "";
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split(/\r?\n/)) {
        if (!line.trim()) continue;
        log.info(`[install] ${line}`);
        onLine(line.trim());
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const sub = token.onCancellationRequested(() => child.kill());
    child.on("error", (error) => {
      sub.dispose();
      reject(error);
    });
    child.on("close", (code) => {
      sub.dispose();
      if (token.isCancellationRequested) reject(new Cancelled());
      else resolve({ code, output });
    });
  });
}

/** Install the server into the private environment; returns its interpreter, or undefined if it failed or was cancelled (the user was told). */
export async function installServer(
  context: vscode.ExtensionContext,
  log: Log,
  settings: { pythonPath: string; serverInstallSource: string },
): Promise<string | undefined> {
  const version = String(context.extension.packageJSON.version);
  const home = os.homedir();
  const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const requirement = installRequirement(settings.serverInstallSource, version, { home, workspaceFolder });
  // The base interpreter: pythonPath's when it works, else the platform default.
  const candidates = [
    resolvePythonPath(settings.pythonPath, { platform: process.platform, home, workspaceFolder }),
    resolvePythonPath("", { platform: process.platform, home }),
  ].filter((p, i, all) => all.indexOf(p) === i);
  const venvDir = privateVenvDir(context);
  await fs.mkdir(context.globalStorageUri.fsPath, { recursive: true });
  log.info(`Installing the ACRouter server (${requirement}) into ${venvDir}`);

  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "ACRouter: installing the server", cancellable: true },
      async (progress, token) => {
        let step = "";
        const show = (line: string): void =>
          progress.report({ message: line ? `${step}: ${line.slice(0, 90)}` : step });
        step = "looking for Python 3.10+";
        show("");
        let basePython: string | undefined;
        const tried: string[] = [];
        for (const candidate of candidates) {
          const check = await run(candidate, VERSION_CHECK, log, token, () => undefined).catch((error: unknown) => {
            if (error instanceof Cancelled) throw error;
            return { code: -1, output: "not found" };
          });
          if (check.code === 0) {
            basePython = candidate;
            break;
          }
          tried.push(`${candidate}: ${tail(check.output, 1) || "failed"}`);
        }
        if (!basePython) {
          throw new Error(
            `no Python 3.10+ interpreter found (${tried.join("; ")}). ` +
              `Install Python 3.10 or newer, or point "acrouter.pythonPath" at one, and try again.`,
          );
        }
        log.info(`Creating the private environment with ${basePython}`);
        const venvExists = existsSync(venvPython(venvDir, process.platform));
        for (const s of installSteps(basePython, venvDir, requirement, process.platform, venvExists)) {
          step = s.title;
          show("");
          const result = await run(s.command, s.args, log, token, (line) => {
            if (/^(Collecting|Downloading|Installing|Building|Successfully|Processing)/.test(line)) show(line);
          });
          if (result.code !== 0) throw new Error(`${s.title} failed:\n${tail(result.output)}`);
        }
        await fs.writeFile(path.join(venvDir, ".acrouter-installed"), `${requirement}\n`);
        return venvPython(venvDir, process.platform);
      },
    );
  } catch (error) {
    if (error instanceof Cancelled) {
      log.info("Installing the server was cancelled");
      void vscode.window.showInformationMessage("ACRouter: installing the server was cancelled.");
      return undefined;
    }
    const message = error instanceof Error ? error.message : String(error);
    log.error(`Installing the ACRouter server failed: ${message}`);
    void vscode.window
      .showErrorMessage(
        `ACRouter: installing the server failed. ${message.split("\n")[0]}`,
        "Show Log",
        "Open Settings",
      )
      .then((choice) => {
        if (choice === "Show Log") log.show(true);
        if (choice === "Open Settings")
          void vscode.commands.executeCommand("workbench.action.openSettings", "acrouter.serverInstallSource");
      });
    return undefined;
  }
}
