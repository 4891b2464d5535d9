// "ACRouter: Install Server": a private virtual environment in the extension's
// global storage with the server the .vsix carries (bundled/: the acrouter wheel
// of the extension's version and its hashed runtime lock), or what
// `acrouter.serverInstallSource` names instead. Runs with progress (and Cancel);
// the plan and the meaning of failures are in serverInstall.ts.

import { spawn } from "node:child_process";
import { existsSync, promises as fs, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { Cancelled } from "./cancel";
import type { Log } from "./log";
import {
  baseCandidates,
  BUNDLED_DIR,
  type Bundle,
  classifyPipFailure,
  describeSource,
  failureMessage,
  findBundle,
  INSTALLED_MARKER,
  installSource,
  installSteps,
  LOCK_FILE,
  type Plan,
  tail,
  VENV_DIR,
  VERSION_CHECK,
  type VenvState,
  venvPython,
} from "./serverInstall";
import { resolvePythonPath } from "./settings";

export function privateVenvDir(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, VENV_DIR);
}

/** The private environment's interpreter, if the server was installed there. */
export function privatePython(context: vscode.ExtensionContext): string | undefined {
  const dir = privateVenvDir(context);
  const py = venvPython(dir, process.platform);
  return existsSync(py) && existsSync(path.join(dir, INSTALLED_MARKER)) ? py : undefined;
}

/** The server this .vsix carries, or why there is none. */
export async function bundledServer(
  context: vscode.ExtensionContext,
): Promise<{ bundle: Bundle } | { problem: string }> {
  const dir = path.join(context.extensionPath, BUNDLED_DIR);
  const files = await fs.readdir(dir).catch(() => [] as string[]);
  return findBundle(dir, files, String(context.extension.packageJSON.version));
}

const probe = {
  isDirectory: (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false,
  isFile: (p: string) => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false,
};

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

/** A failure the user can act on: the message, and the setting that fixes it. */
class InstallError extends Error {
  constructor(
    message: string,
    readonly setting: "acrouter.pythonPath" | "acrouter.serverInstallSource",
  ) {
    super(message);
  }
}

export interface InstallSettings {
  pythonPath: string;
  serverInstallSource: string;
}

/**
 * Install the server into the private environment; returns its interpreter, or
 * undefined if it failed or was cancelled (the user was told).
 * `pythonExtension`: the Python extension's active interpreter, if any.
 */
export async function installServer(
  context: vscode.ExtensionContext,
  log: Log,
  settings: InstallSettings,
  pythonExtension: string | undefined,
): Promise<string | undefined> {
  const version = String(context.extension.packageJSON.version);
  const home = os.homedir();
  const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const source = installSource(settings.serverInstallSource, { home, workspaceFolder }, probe);
  const found = await bundledServer(context);
  const plan: Plan = { source, bundle: "bundle" in found ? found.bundle : undefined };
  if (source.kind === "checkout" && existsSync(path.join(source.path, LOCK_FILE))) {
    plan.checkoutLock = path.join(source.path, LOCK_FILE);
  }
  const candidates = baseCandidates(
    settings.pythonPath
      ? resolvePythonPath(settings.pythonPath, { platform: process.platform, home, workspaceFolder })
      : undefined,
    pythonExtension,
    process.platform,
  );
  const venvDir = privateVenvDir(context);
  const what = describeSource(source, version);
  log.info(`Installing the ACRouter server (${what}) into ${venvDir}`);

  try {
    if (!plan.bundle && (source.kind === "bundled" || source.kind === "wheelhouse" || source.kind === "wheel")) {
      throw new InstallError("problem" in found ? found.problem : "no bundled server", "acrouter.serverInstallSource");
    }
    await fs.mkdir(context.globalStorageUri.fsPath, { recursive: true });
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "ACRouter: installing the server", cancellable: true },
      async (progress, token) => {
        let step = "";
        const show = (line: string): void =>
          progress.report({ message: line ? `${step}: ${line.slice(0, 90)}` : step });
        const check = (python: string): Promise<RunResult> =>
          run(python, VERSION_CHECK, log, token, () => undefined).catch((error: unknown) => {
            if (error instanceof Cancelled) throw error;
            return { code: -1, output: "not found" };
          });

        step = "looking for Python 3.10+";
        show("");
        const py = venvPython(venvDir, process.platform);
        const { basePython, venv } = await findPython(candidates, py, check);
        if (basePython) log.info(`Base interpreter for the private environment: ${basePython}`);
        if (venv === "broken") log.warn(`The private environment at ${venvDir} does not run; creating it anew`);

        let installed = "";
        for (const s of installSteps(basePython ?? py, venvDir, plan, process.platform, venv)) {
          step = s.title;
          show("");
          log.info(`$ ${s.command} ${s.args.join(" ")}`);
          const result = await run(s.command, s.args, log, token, (line) => {
            if (/^(Collecting|Downloading|Installing|Building|Successfully|Processing)/.test(line)) show(line);
          });
          if (result.code !== 0) {
            const offline = source.kind === "wheelhouse";
            const failure = classifyPipFailure(result.output, offline);
            const wheelhouse = offline ? source.path : undefined;
            throw new InstallError(
              `${failureMessage(failure.kind, s.title, failure.missing, wheelhouse)}\n${tail(result.output)}`,
              failure.kind === "no-venv" ? "acrouter.pythonPath" : "acrouter.serverInstallSource",
            );
          }
          installed = tail(result.output, 1);
        }
        await fs.writeFile(path.join(venvDir, INSTALLED_MARKER), `${installed}\n${what}\n`);
        log.info(`Installed acrouter ${installed} into ${venvDir}`);
        if (installed !== version) {
          log.warn(`The installed server is ${installed}, this extension is ${version}`);
        }
        return py;
      },
    );
  } catch (error) {
    reportInstallFailure(log, error);
    return undefined;
  }
}

/**
 * The "looking for Python 3.10+" step: the first candidate that runs Python 3.10+ (to
 * create the private environment from), and the state of that environment (`py`, its
 * interpreter). Throws when neither can serve.
 */
async function findPython(
  candidates: readonly string[],
  py: string,
  check: (python: string) => Promise<RunResult>,
): Promise<{ basePython: string | undefined; venv: VenvState }> {
  let basePython: string | undefined;
  const tried: string[] = [];
  for (const candidate of candidates) {
    const result = await check(candidate);
    if (result.code === 0) {
      basePython = candidate;
      break;
    }
    const said = tail(result.output, 1);
    tried.push(`${candidate}: ${result.code === 1 && /^\d+\.\d+$/.test(said) ? `Python ${said}` : said || "failed"}`);
  }
  let venv: VenvState = "missing";
  if (existsSync(py)) venv = (await check(py)).code === 0 ? "ok" : "broken";
  if (!basePython && venv !== "ok") {
    throw new InstallError(
      `no Python 3.10 or newer was found (${tried.join("; ")}). Install Python 3.10+ ` +
        `(python.org, or your system's package manager), or set "acrouter.pythonPath" to one, and run Install Server again.`,
      "acrouter.pythonPath",
    );
  }
  return { basePython, venv };
}

/** Say why Install Server stopped: cancelled, or failed (with the log and the setting that fixes it). */
function reportInstallFailure(log: Log, error: unknown): void {
  if (error instanceof Cancelled) {
    log.info("Installing the server was cancelled");
    void vscode.window.showInformationMessage("ACRouter: installing the server was cancelled.");
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  const setting = error instanceof InstallError ? error.setting : "acrouter.serverInstallSource";
  log.error(`Installing the ACRouter server failed: ${message}`);
  void vscode.window
    .showErrorMessage(`ACRouter: installing the server failed: ${message.split("\n")[0]}`, "Show Log", "Open Settings")
    .then((choice) => {
      if (choice === "Show Log") log.show(true);
      if (choice === "Open Settings") void vscode.commands.executeCommand("workbench.action.openSettings", setting);
    });
}
