import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  baseCandidates,
  bundledWheelName,
  chooseInterpreter,
  classifyPipFailure,
  failureMessage,
  findBundle,
  installCommand,
  installSource,
  installSteps,
  isLocalSource,
  missingServerMessage,
  type Plan,
  shellQuote,
  tail,
  venvPython,
} from "../src/serverInstall";

const ctx = { home: "/home/me", workspaceFolder: "/work/proj" };
const bundle = { wheel: "/ext/bundled/acrouter-0.1.0-py3-none-any.whl", lock: "/ext/bundled/requirements.lock" };

/** A file system with these folders and files. */
function fsWith(dirs: string[], files: string[]) {
  return { isDirectory: (p: string) => dirs.includes(p), isFile: (p: string) => files.includes(p) };
}

const commands = (plan: Plan, venv: "missing" | "ok" | "broken" = "missing") =>
  installSteps("python3", "/g/server-venv", plan, "linux", venv).map((s) => `${s.command} ${s.args.join(" ")}`);

describe("findBundle", () => {
  it("finds the wheel of the extension's version and the lock in bundled/", () => {
    assert.equal(bundledWheelName("0.1.0"), "acrouter-0.1.0-py3-none-any.whl");
    assert.deepEqual(findBundle("/ext/bundled", ["requirements.lock", "acrouter-0.1.0-py3-none-any.whl"], "0.1.0"), {
      bundle,
    });
  });
  it("refuses a wheel of another version and says what is missing", () => {
    const r = findBundle("/ext/bundled", ["requirements.lock", "acrouter-0.0.9-py3-none-any.whl"], "0.1.0");
    assert.ok("problem" in r);
    assert.match(r.problem, /carries no server: acrouter-0\.1\.0-py3-none-any\.whl missing in \/ext\/bundled/);
    assert.match(r.problem, /it holds acrouter-0\.0\.9-py3-none-any\.whl/);
    const none = findBundle("/ext/bundled", [], "0.1.0");
    assert.ok("problem" in none);
    assert.match(none.problem, /\.whl and requirements\.lock missing/);
    assert.match(none.problem, /acrouter\.serverInstallSource/);
  });
});

describe("installSource", () => {
  const probe = fsWith(["/src/acrouter", "/home/me/wheels"], ["/src/acrouter/pyproject.toml"]);
  it("defaults to the bundled server", () => {
    assert.deepEqual(installSource("", ctx, probe), { kind: "bundled" });
    assert.deepEqual(installSource("  ", ctx, probe), { kind: "bundled" });
  });
  it("tells a checkout from a wheelhouse folder and a wheel file, expanding ~ and ${workspaceFolder}", () => {
    assert.deepEqual(installSource("/src/acrouter", ctx, probe), { kind: "checkout", path: "/src/acrouter" });
    assert.deepEqual(installSource("~/wheels", ctx, probe), { kind: "wheelhouse", path: "/home/me/wheels" });
    assert.deepEqual(installSource("${workspaceFolder}/dist/acrouter-0.1.0-py3-none-any.whl", ctx, probe), {
      kind: "wheel",
      path: "/work/proj/dist/acrouter-0.1.0-py3-none-any.whl",
    });
  });
  it("passes pip requirements through", () => {
    assert.deepEqual(installSource("acrouter==0.1.0", ctx, probe), { kind: "requirement", spec: "acrouter==0.1.0" });
  });
  it("tells paths from requirements", () => {
    for (const p of ["/x", "./x", "../x", "~", "~/x", "C:\\src\\acrouter", "dist/a.whl", "a.tar.gz"])
      assert.ok(isLocalSource(p), p);
    for (const r of ["acrouter", "acrouter==0.1.0", "acrouter[bench]>=0.1"]) assert.ok(!isLocalSource(r), r);
  });
});

describe("installSteps", () => {
  const PIP = "/g/server-venv/bin/python -m pip install --disable-pip-version-check";
  const CHECK = "/g/server-venv/bin/python -c import acrouter; print(acrouter.__version__)";
  it("bundled: creates the environment, installs the hashed pins, then the wheel without dependencies", () => {
    assert.deepEqual(commands({ source: { kind: "bundled" }, bundle }), [
      "python3 -m venv /g/server-venv",
      `${PIP} --no-deps --require-hashes -r /ext/bundled/requirements.lock`,
      `${PIP} --no-deps --force-reinstall /ext/bundled/acrouter-0.1.0-py3-none-any.whl`,
      CHECK,
    ]);
    const steps = installSteps("python3", "/g/server-venv", { source: { kind: "bundled" }, bundle }, "linux", "ok");
    assert.match(steps[0].title, /pinned dependencies/);
    assert.match(steps[1].title, /installing the server \(acrouter-0\.1\.0-py3-none-any\.whl\)/);
  });
  it("wheelhouse: the same pins and wheel, from the folder only (offline)", () => {
    assert.deepEqual(commands({ source: { kind: "wheelhouse", path: "/w" }, bundle }, "ok"), [
      `${PIP} --no-index --find-links /w --no-deps --require-hashes -r /ext/bundled/requirements.lock`,
      `${PIP} --no-index --find-links /w --no-deps --force-reinstall /ext/bundled/acrouter-0.1.0-py3-none-any.whl`,
      CHECK,
    ]);
  });
  it("wheel and checkout: the pins of the bundled or the checkout's lock, then the override", () => {
    assert.deepEqual(
      commands({ source: { kind: "wheel", path: "/d/acrouter-0.2.0-py3-none-any.whl" }, bundle }, "ok"),
      [
        `${PIP} --no-deps --require-hashes -r /ext/bundled/requirements.lock`,
        `${PIP} --no-deps --force-reinstall /d/acrouter-0.2.0-py3-none-any.whl`,
        CHECK,
      ],
    );
    assert.deepEqual(
      commands({ source: { kind: "checkout", path: "/src/a" }, checkoutLock: "/src/a/requirements.lock" }, "ok"),
      [
        `${PIP} --no-deps --require-hashes -r /src/a/requirements.lock`,
        `${PIP} --no-deps --force-reinstall /src/a`,
        CHECK,
      ],
    );
    assert.deepEqual(commands({ source: { kind: "checkout", path: "/src/a" } }, "ok"), [
      `${PIP} --upgrade /src/a`,
      CHECK,
    ]);
    assert.deepEqual(commands({ source: { kind: "requirement", spec: "acrouter==0.1.0" } }, "ok"), [
      `${PIP} --upgrade acrouter==0.1.0`,
      CHECK,
    ]);
  });
  it("recreates a broken environment, and refuses a bundled install without a bundle", () => {
    assert.equal(
      commands({ source: { kind: "bundled" }, bundle }, "broken")[0],
      "python3 -m venv --clear /g/server-venv",
    );
    assert.throws(() => commands({ source: { kind: "bundled" } }), /carries no server/);
    assert.throws(() => commands({ source: { kind: "wheelhouse", path: "/w" } }), /carries no server/);
  });
  it("knows where Windows keeps python", () => {
    const steps = installSteps("python", "C:\\g\\server-venv", { source: { kind: "bundled" }, bundle }, "win32", "ok");
    assert.equal(steps[0].command, "C:\\g\\server-venv\\Scripts\\python.exe");
    assert.equal(venvPython("/g/v", "darwin"), "/g/v/bin/python");
  });
});

// pip 25's output for an index it cannot reach (captured with --index-url http://127.0.0.1:9/simple)
const REFUSED = `Looking in indexes: http://127.0.0.1:9/simple
WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPConnection object at 0x7f61fcff2590>: Failed to establish a new connection: [Errno 111] Connection refused')': /simple/idna/
ERROR: Could not find a version that satisfies the requirement idna==3.10 (from versions: none)
ERROR: No matching distribution found for idna==3.10`;
// ... and with --retries 0, where pip does not print the connection error at all
const SILENT = `ERROR: Could not find a version that satisfies the requirement idna==3.10 (from versions: none)
ERROR: No matching distribution found for idna==3.10`;

describe("classifyPipFailure", () => {
  it("recognises an unreachable package index", () => {
    assert.deepEqual(classifyPipFailure(REFUSED, false), { kind: "index-unreachable", missing: "idna==3.10" });
    assert.deepEqual(classifyPipFailure(SILENT, false), { kind: "index-unreachable", missing: "idna==3.10" });
    assert.equal(
      classifyPipFailure(
        "Could not fetch URL https://pypi.org/simple/pip/: There was a problem confirming the ssl certificate",
        false,
      ).kind,
      "index-unreachable",
    );
    const message = failureMessage("index-unreachable", "installing", "idna==3.10");
    assert.match(message, /^the package index cannot be reached .* \(no idna==3\.10\)\./);
    assert.match(message, /wheelhouse folder for an offline machine/);
  });
  it("names what an offline wheelhouse lacks", () => {
    const r = classifyPipFailure(SILENT, true);
    assert.deepEqual(r, { kind: "wheelhouse-incomplete", missing: "idna==3.10" });
    assert.match(failureMessage(r.kind, "x", r.missing, "/w"), /^the wheelhouse \/w has no idna==3\.10 /);
  });
  it("recognises tampered downloads and a Python without venv", () => {
    const hashes = "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.\n    idna==3.10 from ...";
    assert.equal(classifyPipFailure(hashes, false).kind, "hash-mismatch");
    const noVenv =
      "The virtual environment was not created successfully because ensurepip is not\navailable.  On Debian/Ubuntu systems, you need to install the python3-venv package";
    assert.equal(classifyPipFailure(noVenv, false).kind, "no-venv");
    assert.match(failureMessage("no-venv", "x"), /apt install python3-venv/);
  });
  it("leaves other failures to the step's title and pip's output", () => {
    assert.deepEqual(classifyPipFailure("ERROR: some build error", false), { kind: "other", missing: undefined });
    assert.equal(failureMessage("other", "installing the server"), "installing the server failed.");
  });
});

describe("interpreters", () => {
  it("looks for a base Python in pythonPath, the Python extension, then the usual names", () => {
    assert.deepEqual(baseCandidates("/opt/py/bin/python", "/proj/.venv/bin/python", "linux").slice(0, 4), [
      "/opt/py/bin/python",
      "/proj/.venv/bin/python",
      "python3",
      "python3.15",
    ]);
    assert.deepEqual(baseCandidates(undefined, undefined, "linux"), [
      "python3",
      "python3.15",
      "python3.14",
      "python3.13",
      "python3.12",
      "python3.11",
      "python3.10",
      "python",
    ]);
    assert.deepEqual(baseCandidates(undefined, "python3", "win32"), ["python3", "python"]);
  });
  it("runs the server with pythonPath, then the private install, then the Python extension's, then python3", () => {
    assert.equal(
      chooseInterpreter("/usr/bin/python3.12", "/g/v/bin/python", "/p/bin/python", "linux"),
      "/usr/bin/python3.12",
    );
    assert.equal(chooseInterpreter(undefined, "/g/v/bin/python", "/p/bin/python", "linux"), "/g/v/bin/python");
    assert.equal(chooseInterpreter(undefined, undefined, "/p/bin/python", "linux"), "/p/bin/python");
    assert.equal(chooseInterpreter(undefined, undefined, undefined, "linux"), "python3");
    assert.equal(chooseInterpreter(undefined, undefined, undefined, "win32"), "python");
  });
  it("tail keeps the last lines of output", () => {
    assert.equal(tail("a\nb\nc\n\n", 2), "b\nc");
  });
});

describe("install hints", () => {
  it("installs the bundled wheel with its hashed lock", () => {
    assert.equal(
      installCommand("python3", "linux", { bundle }),
      "python3 -m pip install --no-deps --require-hashes -r /ext/bundled/requirements.lock && " +
        "python3 -m pip install --no-deps /ext/bundled/acrouter-0.1.0-py3-none-any.whl",
    );
    assert.equal(installCommand("python3", "linux", {}), undefined);
  });
  it("installs a repo checkout in editable mode, quoting paths with spaces", () => {
    assert.equal(
      installCommand("/opt/py 3/bin/python", "linux", { checkout: "/home/me/src/acrouter", bundle }),
      "'/opt/py 3/bin/python' -m pip install -e /home/me/src/acrouter",
    );
    assert.equal(
      installCommand("C:\\Program Files\\Python\\python.exe", "win32", { checkout: "C:\\src\\acrouter" }),
      '"C:\\Program Files\\Python\\python.exe" -m pip install -e C:\\src\\acrouter',
    );
  });
  it("quotes single quotes for POSIX shells", () => {
    assert.equal(shellQuote("it's", "linux"), `'it'\\''s'`);
  });
  it("tells what is missing and how to fix it", () => {
    const notFound = missingServerMessage("python-not-found", "/opt/py/bin/python3.12", "python3 -m pip install x");
    assert.match(notFound, /^ACRouter: the Python interpreter "\/opt\/py\/bin\/python3.12" was not found\./);
    assert.match(notFound, /Install Server puts the language server in a private environment/);
    assert.match(notFound, /\(python3 -m pip install x\)\.$/);
    const notInstalled = missingServerMessage("not-installed", "python3", "python3 -m pip install x");
    assert.match(notInstalled, /^ACRouter: the language server is not installed for "python3"\. Install Server/);
    assert.match(notInstalled, /install it yourself: python3 -m pip install x$/);
    assert.match(missingServerMessage("not-installed", "python3", undefined), /private environment for ACRouter\.$/);
  });
});
