// "Install Server": where the private virtual environment lives, what is
// installed into it (the server the .vsix carries, or an override), the pip
// steps, and what a failed step means for the user; and, while the server is not
// installed, what to tell the user and the command that installs it by hand.
// Pure module (no `vscode`); installer.ts runs the plan, missingServer.ts shows the hint.

import * as path from "node:path";

/** Folder name of the private environment inside the extension's global storage. */
export const VENV_DIR = "server-venv";

/** Folder of the .vsix that carries the server: the acrouter wheel and its runtime lock. */
export const BUNDLED_DIR = "bundled";

/** The runtime lock (exact pins with hashes) next to the wheel, and in a checkout. */
export const LOCK_FILE = "requirements.lock";

/** Marker written into the environment after a complete install: what was installed. */
export const INSTALLED_MARKER = ".acrouter-installed";

/** The interpreter inside a virtual environment. */
export function venvPython(venvDir: string, platform: string): string {
  return platform === "win32"
    ? path.win32.join(venvDir, "Scripts", "python.exe")
    : path.posix.join(venvDir, "bin", "python");
}

// ----------------------------------------------------------------- the bundled server

/** The server the .vsix carries. */
export interface Bundle {
  wheel: string;
  lock: string;
}

/** The wheel `make vsix` puts in bundled/: acrouter-<version>-py3-none-any.whl. */
export function bundledWheelName(version: string): string {
  return `acrouter-${version}-py3-none-any.whl`;
}

/**
 * The bundled wheel and lock among the files of `bundled/`, or why there is none.
 * Only the wheel of the extension's own version counts: a server of another
 * version would fail the version handshake.
 */
export function findBundle(
  dir: string,
  files: readonly string[],
  version: string,
): { bundle: Bundle } | { problem: string } {
  const wheel = bundledWheelName(version);
  if (files.includes(wheel) && files.includes(LOCK_FILE)) {
    return { bundle: { wheel: path.join(dir, wheel), lock: path.join(dir, LOCK_FILE) } };
  }
  const others = files.filter((f) => /^acrouter-.*\.whl$/.test(f) && f !== wheel);
  const found = others.length ? ` (it holds ${others.join(", ")})` : "";
  const missing = [!files.includes(wheel) && wheel, !files.includes(LOCK_FILE) && LOCK_FILE].filter(Boolean);
  return {
    problem:
      `this build of the extension carries no server: ${missing.join(" and ")} missing in ${dir}${found}. ` +
      `Set "acrouter.serverInstallSource" to an ACRouter checkout, wheel or wheelhouse folder, or install a .vsix built with "make vsix".`,
  };
}

// ----------------------------------------------------------------- what to install

/** What Install Server installs. */
export type InstallSource =
  /** The .vsix's own wheel with the pinned dependencies of its lock (the default). */
  | { kind: "bundled" }
  /** A folder with ACRouter's pyproject.toml: its runtime lock if it has one, then the checkout. */
  | { kind: "checkout"; path: string }
  /** A wheel (or sdist) file: the bundled lock's pins, then the file without dependencies. */
  | { kind: "wheel"; path: string }
  /** A folder of wheels for offline machines: the bundled lock's pins from there (--no-index), then the bundled wheel. */
  | { kind: "wheelhouse"; path: string }
  /** Anything else is a pip requirement (e.g. `acrouter==0.1.0` from a private index). */
  | { kind: "requirement"; spec: string };

/** Does the install source name a local path rather than a pip requirement? */
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

/** `~`, `${userHome}` and `${workspaceFolder}` expanded. */
export function expandPath(raw: string, ctx: SourceContext): string {
  let out = raw.replace(/\$\{userHome\}/g, ctx.home);
  if (ctx.workspaceFolder !== undefined) out = out.replace(/\$\{workspaceFolder\}/g, ctx.workspaceFolder);
  if (out === "~" || out.startsWith("~/") || out.startsWith("~\\")) out = ctx.home + out.slice(1);
  return out;
}

/** What the file system says about a local source (installer.ts asks it). */
export interface PathProbe {
  isDirectory(p: string): boolean;
  isFile(p: string): boolean;
}

/**
 * What `acrouter.serverInstallSource` asks for: empty means the bundled server;
 * a folder with a pyproject.toml is a checkout, any other folder a wheelhouse;
 * a file is a wheel; anything else a pip requirement.
 */
export function installSource(setting: string, ctx: SourceContext, probe: PathProbe): InstallSource {
  const raw = setting.trim();
  if (!raw) return { kind: "bundled" };
  if (!isLocalSource(raw)) return { kind: "requirement", spec: raw };
  const p = expandPath(raw, ctx);
  if (probe.isDirectory(p)) {
    return probe.isFile(path.join(p, "pyproject.toml"))
      ? { kind: "checkout", path: p }
      : { kind: "wheelhouse", path: p };
  }
  return { kind: "wheel", path: p };
}

/** For the log and the marker file. */
export function describeSource(source: InstallSource, version: string): string {
  switch (source.kind) {
    case "bundled":
      return `the bundled acrouter ${version}`;
    case "checkout":
      return `the checkout ${source.path}`;
    case "wheel":
      return source.path;
    case "wheelhouse":
      return `the bundled acrouter ${version} with dependencies from the wheelhouse ${source.path}`;
    case "requirement":
      return source.spec;
  }
}

// ----------------------------------------------------------------- the steps

export interface Step {
  /** Shown in the progress notification. */
  title: string;
  command: string;
  args: string[];
}

/** The state of the private environment before the install. */
export type VenvState = "missing" | "ok" | "broken";

export interface Plan {
  source: InstallSource;
  /** The .vsix's server; needed by the bundled and wheelhouse sources, and its lock by a wheel. */
  bundle?: Bundle;
  /** The checkout's runtime lock, if it has one (checkout source). */
  checkoutLock?: string;
}

const PIP = ["-m", "pip", "install", "--disable-pip-version-check"];

/**
 * Create the environment (anew if it is broken), install the pinned dependencies
 * with their hashes, then the server itself without dependencies, and check it
 * imports. Throws when the plan lacks what its source needs.
 */
export function installSteps(
  basePython: string,
  venvDir: string,
  plan: Plan,
  platform: string,
  venv: VenvState,
): Step[] {
  const py = venvPython(venvDir, platform);
  const steps: Step[] = [];
  if (venv !== "ok") {
    steps.push({
      title: "creating a private Python environment",
      command: basePython,
      args: ["-m", "venv", ...(venv === "broken" ? ["--clear"] : []), venvDir],
    });
  }
  const deps = (lock: string, extra: string[] = []): Step => ({
    title: "installing the server's pinned dependencies (this can take a few minutes)",
    command: py,
    // --no-deps: the lock is the whole closure; pip 23 (Python 3.11's own) otherwise resolves
    // an extra a pin names (litellm's httpx[http2]) anew and refuses the newer httpx it finds
    args: [...PIP, ...extra, "--no-deps", "--require-hashes", "-r", lock],
  });
  // --force-reinstall: the same version number may be a newer build (a checkout, a rebuilt .vsix)
  const server = (what: string, target: string, extra: string[] = []): Step => ({
    title: `installing ${what}`,
    command: py,
    args: [...PIP, ...extra, "--no-deps", "--force-reinstall", target],
  });
  const needBundle = (): Bundle => {
    if (!plan.bundle) throw new Error("this build of the extension carries no server (bundled/ is missing)");
    return plan.bundle;
  };
  const { source } = plan;
  switch (source.kind) {
    case "bundled": {
      const b = needBundle();
      steps.push(deps(b.lock), server(`the server (${path.basename(b.wheel)})`, b.wheel));
      break;
    }
    case "wheelhouse": {
      const b = needBundle();
      const offline = ["--no-index", "--find-links", source.path];
      steps.push(deps(b.lock, offline), server(`the server (${path.basename(b.wheel)})`, b.wheel, offline));
      break;
    }
    case "wheel":
      steps.push(deps(needBundle().lock), server(path.basename(source.path), source.path));
      break;
    case "checkout":
      if (plan.checkoutLock) steps.push(deps(plan.checkoutLock), server(`the checkout ${source.path}`, source.path));
      else
        steps.push({
          title: `installing the checkout ${source.path} (this can take a few minutes)`,
          command: py,
          args: [...PIP, "--upgrade", source.path],
        });
      break;
    case "requirement":
      steps.push({
        title: `installing ${source.spec} (this can take a few minutes)`,
        command: py,
        args: [...PIP, "--upgrade", source.spec],
      });
      break;
  }
  steps.push({ title: "checking the installed server", command: py, args: ["-c", VERSION_PRINT] });
  return steps;
}

/** Prints the installed server's version (the last step of an install). */
export const VERSION_PRINT = "import acrouter; print(acrouter.__version__)";

/** Python >= 3.10 check: prints major.minor, exits 1 when too old. */
export const VERSION_CHECK = [
  "-c",
  "import sys; print('%d.%d' % sys.version_info[:2]); sys.exit(0 if sys.version_info >= (3, 10) else 1)",
];

// ----------------------------------------------------------------- failures

export type FailureKind = "index-unreachable" | "wheelhouse-incomplete" | "hash-mismatch" | "no-venv" | "other";

const NETWORK =
  /NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution|Name or service not known|nodename nor servname|getaddrinfo failed|Network is unreachable|ConnectTimeoutError|ReadTimeoutError|Connection refused|ProxyError|SSLError|CERTIFICATE_VERIFY_FAILED|Could not fetch URL|Max retries exceeded/;

/** What a failed pip step means: the index out of reach, a wheelhouse that lacks a pin, a tampered download. */
export function classifyPipFailure(output: string, offline: boolean): { kind: FailureKind; missing?: string } {
  const missing = /No matching distribution found for (\S+)/.exec(output)?.[1];
  if (/ensurepip is not\s+available|No module named venv|No module named ensurepip/.test(output))
    return { kind: "no-venv" };
  if (/THESE PACKAGES DO NOT MATCH THE HASHES/.test(output)) return { kind: "hash-mismatch" };
  if (offline) return missing ? { kind: "wheelhouse-incomplete", missing } : { kind: "other" };
  if (NETWORK.test(output)) return { kind: "index-unreachable", missing };
  // Every pin of the lock exists on PyPI: "from versions: none" means pip saw no index at all.
  if (missing && /\(from versions: none\)/.test(output)) return { kind: "index-unreachable", missing };
  return { kind: "other", missing };
}

/** The first line of the error message for a failed step. */
export function failureMessage(kind: FailureKind, stepTitle: string, missing?: string, wheelhouse?: string): string {
  switch (kind) {
    case "index-unreachable":
      return (
        `the package index cannot be reached to download the server's dependencies` +
        (missing ? ` (no ${missing})` : "") +
        `. Check the network or proxy (pip's own configuration applies), or set "acrouter.serverInstallSource" ` +
        `to a wheelhouse folder for an offline machine.`
      );
    case "wheelhouse-incomplete":
      return (
        `the wheelhouse ${wheelhouse ?? ""} has no ${missing ?? "wheel"} for this Python and platform. ` +
        `Fill it with: pip download --require-hashes -r requirements.lock -d <folder> (the runtime lock of this version).`
      );
    case "no-venv":
      return (
        `this Python cannot create virtual environments (no venv/ensurepip). On Debian or Ubuntu: ` +
        `sudo apt install python3-venv; or set "acrouter.pythonPath" to another Python 3.10+.`
      );
    case "hash-mismatch":
      return `a downloaded package does not match the hash in the lock file; nothing from it was installed.`;
    case "other":
      return `${stepTitle} failed.`;
  }
}

// ----------------------------------------------------------------- installing by hand

/** Quote one argument for the user's shell, only if it needs it. */
export function shellQuote(arg: string, platform: string): string {
  if (platform === "win32") return /^[A-Za-z0-9_./:\\@%+=,-]+$/.test(arg) ? arg : `"${arg.replace(/"/g, '\\"')}"`;
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that installs the server for `python` by hand: editable from a repo
 * checkout, else the wheel and hashed lock this .vsix carries; undefined when
 * there is neither (Install Server with "acrouter.serverInstallSource" is the way then).
 */
export function installCommand(
  python: string,
  platform: string,
  from: { checkout?: string; bundle?: { wheel: string; lock: string } },
): string | undefined {
  const py = shellQuote(python, platform);
  if (from.checkout) return `${py} -m pip install -e ${shellQuote(from.checkout, platform)}`;
  if (!from.bundle) return undefined;
  return (
    `${py} -m pip install --no-deps --require-hashes -r ${shellQuote(from.bundle.lock, platform)} && ` +
    `${py} -m pip install --no-deps ${shellQuote(from.bundle.wheel, platform)}`
  );
}

export type ServerProblem = "python-not-found" | "not-installed";

export function missingServerMessage(problem: ServerProblem, python: string, install: string | undefined): string {
  if (problem === "python-not-found") {
    return (
      `ACRouter: the Python interpreter "${python}" was not found. Install Server puts the language server in a ` +
      `private environment, or set "acrouter.pythonPath" to a Python 3.10+ interpreter that has it` +
      (install ? ` (${install}).` : ".")
    );
  }
  return (
    `ACRouter: the language server is not installed for "${python}". Install Server puts it in a private ` +
    `environment for ACRouter` +
    (install ? `, or install it yourself: ${install}` : ".")
  );
}

// ----------------------------------------------------------------- interpreters

/**
 * Base interpreters for the private environment, in order: `acrouter.pythonPath`,
 * the Python extension's active environment, then the platform's usual names.
 */
export function baseCandidates(
  resolvedSetting: string | undefined,
  pythonExtension: string | undefined,
  platform: string,
): string[] {
  const names =
    platform === "win32"
      ? ["python", "python3"]
      : ["python3", "python3.15", "python3.14", "python3.13", "python3.12", "python3.11", "python3.10", "python"];
  return [resolvedSetting, pythonExtension, ...names].filter((p, i, all): p is string => !!p && all.indexOf(p) === i);
}

/**
 * The interpreter that runs the server: `acrouter.pythonPath` when set, else
 * the private environment when it was installed, else the Python extension's
 * active environment, else the platform default.
 */
export function chooseInterpreter(
  resolvedSetting: string | undefined,
  privatePython: string | undefined,
  pythonExtension: string | undefined,
  platform: string,
): string {
  if (resolvedSetting) return resolvedSetting;
  if (privatePython) return privatePython;
  if (pythonExtension) return pythonExtension;
  return platform === "win32" ? "python" : "python3";
}

/** The last lines of a command's output, for an error message. */
export function tail(output: string, lines = 6): string {
  return output.trimEnd().split(/\r?\n/).slice(-lines).join("\n");
}
