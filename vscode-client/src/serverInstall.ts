// "Install Server": where the private virtual environment lives, what is
// installed into it, and which interpreter runs the server. Pure module (no
// `vscode`); installer.ts runs the plan.

import * as path from "node:path";

/** Folder name of the private environment inside the extension's global storage. */
export const VENV_DIR = "server-venv";

/** The interpreter inside a virtual environment. */
export function venvPython(venvDir: string, platform: string): string {
  return platform === "win32"
    ? path.win32.join(venvDir, "Scripts", "python.exe")
    : path.posix.join(venvDir, "bin", "python");
}

/** Does the install source name a local path (a checkout, a wheel or an sdist) rather than a PyPI requirement? */
export function isLocalSource(source: string): boolean {
  return (
    /^(~|\.{1,2})([\\/]|$)/.test(source) ||
    path.posix.isAbsolute(source) ||
    path.win32.isAbsolute(source) ||
    /\$\{(workspaceFolder|userHome)\}/.test(source) ||
    /\.(whl|tar\.gz|zip)$/i.test(source)
  );
}

export interface SourceContext {
  home: string;
  workspaceFolder?: string;
}

/**
 * What pip installs: `acrouter==<extension version>` by default, else the
 * setting (a requirement such as `acrouter>=0.1`, or a local path with `~` and
 * `${workspaceFolder}` expanded).
 */
export function installRequirement(setting: string, extensionVersion: string, ctx: SourceContext): string {
  const raw = setting.trim();
  if (!raw) return `acrouter==${extensionVersion}`;
  if (!isLocalSource(raw)) return raw;
  let out = raw.replace(/\$\{userHome\}/g, ctx.home);
  if (ctx.workspaceFolder !== undefined) out = out.replace(/\$\{workspaceFolder\}/g, ctx.workspaceFolder);
  if (out === "~" || out.startsWith("~/") || out.startsWith("~\\")) out = ctx.home + out.slice(1);
  return out;
}

export interface Step {
  /** Shown in the progress notification. */
  title: string;
  command: string;
  args: string[];
}

/** Create the environment (if needed), upgrade pip, install the server, check it imports. */
export function installSteps(
  basePython: string,
  venvDir: string,
  requirement: string,
  platform: string,
  venvExists: boolean,
): Step[] {
  const py = venvPython(venvDir, platform);
  const steps: Step[] = [];
  if (!venvExists) {
    steps.push({ title: "creating a private Python environment", command: basePython, args: ["-m", "venv", venvDir] });
  }
  steps.push(
    {
      title: "updating pip",
      command: py,
      args: ["-m", "pip", "install", "--disable-pip-version-check", "--quiet", "--upgrade", "pip"],
    },
    {
      title: `installing ${requirement} (this can take a few minutes)`,
      command: py,
      args: ["-m", "pip", "install", "--disable-pip-version-check", "--upgrade", requirement],
    },
    {
      title: "checking the installed server",
      command: py,
      args: ["-c", "import acrouter, sys; print(acrouter.__version__)"],
    },
  );
  return steps;
}

/** Python >= 3.10 check, run with the base interpreter before creating the environment. */
export const VERSION_CHECK = [
  "-c",
  "import sys; print('%d.%d' % sys.version_info[:2]); sys.exit(0 if sys.version_info >= (3, 10) else 1)",
];

/**
 * The interpreter that runs the server: `acrouter.pythonPath` when set, else
 * the private environment when it was installed, else the platform default.
 */
export function chooseInterpreter(
  resolvedSetting: string | undefined,
  privatePython: string | undefined,
  platform: string,
): string {
  if (resolvedSetting) return resolvedSetting;
  if (privatePython) return privatePython;
  return platform === "win32" ? "python" : "python3";
}

/** The last lines of a command's output, for an error message. */
export function tail(output: string, lines = 6): string {
  return output.trimEnd().split(/\r?\n/).slice(-lines).join("\n");
}
