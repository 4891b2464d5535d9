// Interpreter discovery, as microsoft/vscode-python-tools-extension-template does
// it: `acrouter.pythonPath` first, then the Python extension's environments API
// (when ms-python.python is installed), then `python3`. This module reads the
// Python extension's exports; it never requires that extension. Pure module
// (no `vscode`): client.ts passes the extension object in.

/** The part of ms-python.python's `exports.environments` API used here (@vscode/python-extension). */
export interface EnvironmentsApi {
  getActiveEnvironmentPath(resource?: unknown): { path: string } | undefined;
  resolveEnvironment(
    env: { path: string } | string,
  ): Promise<{ executable?: { uri?: { fsPath?: string } | undefined } } | undefined>;
}

/** What `vscode.extensions.getExtension("ms-python.python")` returns, as far as used here. */
export interface PythonExtensionLike {
  isActive: boolean;
  activate(): PromiseLike<unknown>;
  exports: unknown;
}

export const PYTHON_EXTENSION_ID = "ms-python.python";

function environmentsOf(exports: unknown): EnvironmentsApi | undefined {
  const envs = (exports as { environments?: unknown } | undefined)?.environments as
    Partial<EnvironmentsApi> | undefined;
  return typeof envs?.getActiveEnvironmentPath === "function" && typeof envs.resolveEnvironment === "function"
    ? (envs as EnvironmentsApi)
    : undefined;
}

function withTimeout<T>(promise: PromiseLike<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    Promise.resolve(promise).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * The interpreter of the Python extension's active environment for `resource`,
 * or undefined when that extension is absent, fails, is slow, or has none
 * selected (or, with `activate` false, is not active yet). Never throws: its
 * problems go to `onProblem`.
 */
export async function pythonExtensionInterpreter(
  extension: PythonExtensionLike | undefined,
  resource: unknown,
  onProblem: (message: string) => void,
  timeoutMs = 10_000,
  activate = true,
): Promise<string | undefined> {
  if (!extension) return undefined;
  if (!extension.isActive && !activate) return undefined;
  try {
    if (!extension.isActive) {
      const activated = await withTimeout(
        Promise.resolve(extension.activate()).then(() => true),
        timeoutMs,
      );
      if (!activated) {
        onProblem(
          `the Python extension did not activate within ${timeoutMs / 1000} s; not asking it for an interpreter`,
        );
        return undefined;
      }
    }
    const api = environmentsOf(extension.exports);
    if (!api) {
      onProblem("the Python extension has no environments API (an old version?); not asking it for an interpreter");
      return undefined;
    }
    const active = api.getActiveEnvironmentPath(resource);
    if (!active?.path) return undefined;
    const env = await withTimeout(api.resolveEnvironment(active), timeoutMs);
    return env?.executable?.uri?.fsPath || undefined;
  } catch (error) {
    onProblem(`asking the Python extension for its interpreter failed: ${String(error)}`);
    return undefined;
  }
}

/**
 * Call `listener` when the Python extension's active environment changes (its
 * `environments.onDidChangeActiveEnvironmentPath`), if that extension is active and
 * has the event; returns the subscription, or undefined.
 */
export function onActiveEnvironmentChange(
  extension: PythonExtensionLike | undefined,
  listener: () => void,
): { dispose(): void } | undefined {
  if (!extension?.isActive) return undefined;
  const envs = (extension.exports as { environments?: { onDidChangeActiveEnvironmentPath?: unknown } } | undefined)
    ?.environments;
  const event = envs?.onDidChangeActiveEnvironmentPath;
  if (typeof event !== "function") return undefined;
  try {
    return (event as (l: () => void) => { dispose(): void }).call(envs, () => listener());
  } catch {
    return undefined; // an extension whose event throws is no reason to fail the start
  }
}
