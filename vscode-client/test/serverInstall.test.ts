import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  chooseInterpreter,
  installRequirement,
  installSteps,
  isLocalSource,
  tail,
  venvPython,
} from "../src/serverInstall";

const ctx = { home: "/home/me", workspaceFolder: "/work/proj" };

describe("installRequirement", () => {
  it("defaults to the extension's own version from PyPI", () => {
    assert.equal(installRequirement("", "0.1.0", ctx), "acrouter==0.1.0");
    assert.equal(installRequirement("  ", "1.2.3", ctx), "acrouter==1.2.3");
  });
  it("passes requirements through and expands local paths", () => {
    assert.equal(installRequirement("acrouter>=0.1", "0.1.0", ctx), "acrouter>=0.1");
    assert.equal(installRequirement("~/src/acrouter", "0.1.0", ctx), "/home/me/src/acrouter");
    assert.equal(
      installRequirement("${workspaceFolder}/dist/acrouter-0.1.0-py3-none-any.whl", "0.1.0", ctx),
      "/work/proj/dist/acrouter-0.1.0-py3-none-any.whl",
    );
    assert.equal(installRequirement("/opt/acrouter", "0.1.0", ctx), "/opt/acrouter");
  });
  it("tells paths from requirements", () => {
    for (const p of ["/x", "./x", "../x", "~", "~/x", "C:\\src\\acrouter", "dist/a.whl", "a.tar.gz"])
      assert.ok(isLocalSource(p), p);
    for (const r of ["acrouter", "acrouter==0.1.0", "acrouter[bench]>=0.1"]) assert.ok(!isLocalSource(r), r);
  });
});

describe("installSteps", () => {
  it("creates the environment, updates pip, installs and checks the import", () => {
    const steps = installSteps("python3", "/g/server-venv", "acrouter==0.1.0", "linux", false);
    assert.deepEqual(
      steps.map((s) => [s.command, s.args.join(" ")]),
      [
        ["python3", "-m venv /g/server-venv"],
        ["/g/server-venv/bin/python", "-m pip install --disable-pip-version-check --quiet --upgrade pip"],
        ["/g/server-venv/bin/python", "-m pip install --disable-pip-version-check --upgrade acrouter==0.1.0"],
        ["/g/server-venv/bin/python", "-c import acrouter, sys; print(acrouter.__version__)"],
      ],
    );
    assert.match(steps[2].title, /installing acrouter==0.1.0/);
  });
  it("reuses an existing environment, and knows where Windows keeps python", () => {
    const steps = installSteps("python", "C:\\g\\server-venv", "acrouter==0.1.0", "win32", true);
    assert.equal(steps.length, 3);
    assert.equal(steps[0].command, "C:\\g\\server-venv\\Scripts\\python.exe");
    assert.equal(venvPython("/g/v", "darwin"), "/g/v/bin/python");
  });
});

describe("chooseInterpreter", () => {
  it("prefers pythonPath, then the private install, then the platform default", () => {
    assert.equal(chooseInterpreter("/usr/bin/python3.12", "/g/v/bin/python", "linux"), "/usr/bin/python3.12");
    assert.equal(chooseInterpreter(undefined, "/g/v/bin/python", "linux"), "/g/v/bin/python");
    assert.equal(chooseInterpreter(undefined, undefined, "linux"), "python3");
    assert.equal(chooseInterpreter(undefined, undefined, "win32"), "python");
  });
  it("tail keeps the last lines of output", () => {
    assert.equal(tail("a\nb\nc\n\n", 2), "b\nc");
  });
});
