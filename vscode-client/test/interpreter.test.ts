import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type EnvironmentsApi,
  onActiveEnvironmentChange,
  pythonExtensionInterpreter,
  type PythonExtensionLike,
} from "../src/interpreter";

/** A fake ms-python.python whose active environment for each resource is given. */
function fakeExtension(
  active: Record<string, string | undefined>,
  options: { isActive?: boolean; activate?: () => Promise<unknown>; exports?: unknown } = {},
): PythonExtensionLike & { activated: number; resolved: unknown[] } {
  const ext = {
    isActive: options.isActive ?? true,
    activated: 0,
    resolved: [] as unknown[],
    activate: () => {
      ext.activated++;
      ext.isActive = true;
      return options.activate ? options.activate() : Promise.resolve(undefined);
    },
    exports: undefined as unknown,
  };
  const environments: EnvironmentsApi = {
    getActiveEnvironmentPath: (resource) => {
      const p = active[String(resource)];
      return p === undefined ? undefined : { path: p };
    },
    resolveEnvironment: async (env) => {
      ext.resolved.push(env);
      const p = typeof env === "string" ? env : env.path;
      return p ? { executable: { uri: { fsPath: `${p}/bin/python` } } } : undefined;
    },
  };
  ext.exports = "exports" in options ? options.exports : { environments };
  return ext;
}

describe("pythonExtensionInterpreter", () => {
  it("is undefined without the Python extension", async () => {
    assert.equal(
      await pythonExtensionInterpreter(undefined, "/w", () => assert.fail("no problem expected")),
      undefined,
    );
  });
  it("asks the environments API for the workspace's active environment, activating the extension first", async () => {
    const ext = fakeExtension({ "/w": "/w/.venv" }, { isActive: false });
    const problems: string[] = [];
    assert.equal(await pythonExtensionInterpreter(ext, "/w", (m) => problems.push(m)), "/w/.venv/bin/python");
    assert.equal(ext.activated, 1);
    assert.deepEqual(ext.resolved, [{ path: "/w/.venv" }]);
    assert.deepEqual(problems, []);
  });
  it("for a request (activate false): asks an active extension, never starts an inactive one", async () => {
    const inactive = fakeExtension({ "/w": "/envs/ds" }, { isActive: false });
    assert.equal(await pythonExtensionInterpreter(inactive, "/w", () => undefined, 3_000, false), undefined);
    assert.equal(inactive.activated, 0);
    assert.deepEqual(inactive.resolved, []);
    const active = fakeExtension({ "/w": "/envs/ds" });
    assert.equal(await pythonExtensionInterpreter(active, "/w", () => undefined, 3_000, false), "/envs/ds/bin/python");
  });
  it("is undefined when no environment is selected", async () => {
    assert.equal(await pythonExtensionInterpreter(fakeExtension({}), "/w", () => undefined), undefined);
    assert.equal(await pythonExtensionInterpreter(fakeExtension({ "/w": "" }), "/w", () => undefined), undefined);
  });
  it("tolerates an old extension without the API, a failing one and a slow one, and says so", async () => {
    const problems: string[] = [];
    const onProblem = (m: string) => problems.push(m);
    assert.equal(await pythonExtensionInterpreter(fakeExtension({}, { exports: {} }), "/w", onProblem), undefined);
    assert.match(problems[0], /has no environments API/);
    const failing = fakeExtension({}, { isActive: false, activate: () => Promise.reject(new Error("boom")) });
    assert.equal(await pythonExtensionInterpreter(failing, "/w", onProblem), undefined);
    assert.match(problems[1], /failed: Error: boom/);
    const slow = fakeExtension({ "/w": "/w/.venv" }, { isActive: false, activate: () => new Promise(() => undefined) });
    assert.equal(await pythonExtensionInterpreter(slow, "/w", onProblem, 20), undefined);
    assert.match(problems[2], /did not activate within 0.02 s/);
    const throwing = fakeExtension({});
    (throwing.exports as { environments: EnvironmentsApi }).environments.getActiveEnvironmentPath = () => {
      throw new Error("no workspace");
    };
    assert.equal(await pythonExtensionInterpreter(throwing, "/w", onProblem), undefined);
    assert.match(problems[3], /no workspace/);
  });
});

describe("onActiveEnvironmentChange", () => {
  it("subscribes to the active environment's changes of an active Python extension", () => {
    const listeners: (() => void)[] = [];
    let disposed = 0;
    const ext = fakeExtension({});
    (ext.exports as { environments: Record<string, unknown> }).environments.onDidChangeActiveEnvironmentPath = (
      l: () => void,
    ) => {
      listeners.push(l);
      return { dispose: () => disposed++ };
    };
    let changes = 0;
    const sub = onActiveEnvironmentChange(ext, () => changes++);
    assert.ok(sub);
    listeners.forEach((l) => l());
    assert.equal(changes, 1);
    sub.dispose();
    assert.equal(disposed, 1);
  });
  it("does nothing without the extension, before it is active, or without the event", () => {
    assert.equal(
      onActiveEnvironmentChange(undefined, () => undefined),
      undefined,
    );
    assert.equal(
      onActiveEnvironmentChange(fakeExtension({}, { isActive: false }), () => undefined),
      undefined,
    );
    assert.equal(
      onActiveEnvironmentChange(fakeExtension({}), () => undefined),
      undefined,
    );
    const throwing = fakeExtension({});
    (throwing.exports as { environments: Record<string, unknown> }).environments.onDidChangeActiveEnvironmentPath =
      () => {
        throw new Error("no");
      };
    assert.equal(
      onActiveEnvironmentChange(throwing, () => undefined),
      undefined,
    );
  });
});
