import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BENCHMARK_MODELS,
  configurationChange,
  DEFAULTS,
  initializationOptions,
  readSettings,
  resolvePythonPath,
  toServerSettings,
  validateSettings,
} from "../src/settings";

describe("validateSettings", () => {
  it("returns the defaults, without problems, when nothing is set", () => {
    const { settings, problems } = validateSettings({});
    assert.deepEqual(settings, { ...DEFAULTS, models: [] });
    assert.deepEqual(problems, []);
  });

  it("keeps valid values", () => {
    const { settings, problems } = validateSettings({
      models: [
        {
          name: "cheap",
          model: "openai/gpt-4o-mini",
          apiKeyEnv: "OPENAI_API_KEY",
          inputCostPer1M: 0.15,
          outputCostPer1M: 0.6,
        },
        { name: "strong", model: "anthropic/claude-sonnet-4-5", benchmarkModel: "claude-sonnet-4-6" },
        { name: "local", model: "openai/qwen", apiBase: "http://localhost:11434/v1" },
      ],
      testCommand: " pytest -q ",
      maxAttempts: 5,
      costWeight: 0,
      requestTimeoutSeconds: 30,
      testTimeoutSeconds: 60.5,
      sandbox: "none",
      pythonPath: "/usr/bin/python3",
      storeInstructions: false,
      serverInstallSource: " ~/src/acrouter ",
    });
    assert.deepEqual(problems, []);
    assert.equal(settings.serverInstallSource, "~/src/acrouter");
    assert.equal(settings.models.length, 3);
    assert.equal(settings.models[0].apiKeyEnv, "OPENAI_API_KEY");
    assert.equal(settings.models[1].benchmarkModel, "claude-sonnet-4-6");
    assert.equal(settings.models[2].apiBase, "http://localhost:11434/v1");
    assert.equal(settings.testCommand, "pytest -q");
    assert.equal(settings.maxAttempts, 5);
    assert.equal(settings.costWeight, 0);
    assert.equal(settings.sandbox, "none");
    assert.equal(settings.storeInstructions, false);
  });

  it("replaces each bad scalar with its default and says so once", () => {
    const { settings, problems } = validateSettings({
      maxAttempts: 0,
      costWeight: -1,
      requestTimeoutSeconds: "soon",
      testTimeoutSeconds: Number.POSITIVE_INFINITY,
      sandbox: "docker",
      storeInstructions: "yes",
      testCommand: 42,
    });
    assert.equal(settings.maxAttempts, 3);
    assert.equal(settings.costWeight, 0.1);
    assert.equal(settings.requestTimeoutSeconds, 120);
    assert.equal(settings.testTimeoutSeconds, 300);
    assert.equal(settings.sandbox, "bwrap");
    assert.equal(settings.storeInstructions, true);
    assert.equal(settings.testCommand, "");
    assert.equal(problems.length, 7);
    assert.ok(problems.some((p) => p === 'acrouter.sandbox: expected "bwrap" or "none", got "docker"; using "bwrap".'));
    assert.ok(problems.some((p) => p.startsWith("acrouter.maxAttempts: expected a whole number from 1 to 8, got 0")));
  });

  it("rejects fractional attempt counts and values outside the server's ranges", () => {
    assert.equal(validateSettings({ maxAttempts: 2.5 }).settings.maxAttempts, 3);
    const { settings, problems } = validateSettings({
      maxAttempts: 9,
      costWeight: 1001,
      requestTimeoutSeconds: 0.5,
      testTimeoutSeconds: 7201,
    });
    assert.deepEqual(
      [settings.maxAttempts, settings.costWeight, settings.requestTimeoutSeconds, settings.testTimeoutSeconds],
      [3, 0.1, 120, 300],
    );
    assert.equal(problems.length, 4);
    const edges = validateSettings({
      maxAttempts: 8,
      costWeight: 1000,
      requestTimeoutSeconds: 1,
      testTimeoutSeconds: 7200,
    });
    assert.deepEqual(edges.problems, []);
  });

  it("drops models without name or model, and duplicate names", () => {
    const { settings, problems } = validateSettings({
      models: [
        { name: "a", model: "m1" },
        { name: "", model: "m2" },
        { model: "m3" },
        "gpt",
        { name: "a", model: "m4" },
      ],
    });
    assert.deepEqual(settings.models, [{ name: "a", model: "m1" }]);
    assert.deepEqual(problems, [
      'acrouter.models[1]: needs a non-empty "name"; ignored.',
      'acrouter.models[2]: needs a non-empty "name"; ignored.',
      'acrouter.models[3]: expected an object with "name" and "model"; ignored.',
      'acrouter.models[4]: the name "a" is used twice; this entry was ignored.',
    ]);
  });

  it("drops bad optional model fields but keeps the model", () => {
    const { settings, problems } = validateSettings({
      models: [{ name: "x", model: "m", inputCostPer1M: -2, benchmarkModel: "gpt-4" }],
    });
    assert.deepEqual(settings.models, [{ name: "x", model: "m" }]);
    assert.equal(problems.length, 2);
    assert.ok(problems.some((p) => p.includes("benchmarkModel: expected one of claude-opus-4-6")));
  });

  it("drops a model whose requests might go elsewhere than meant: a bad apiBase, an unknown field", () => {
    const { settings, problems } = validateSettings({
      models: [
        { name: "x", model: "m", apiBase: "ftp://nope" },
        { name: "y", model: "m", apibase: "http://127.0.0.1:4000" },
        { name: "z", model: "m", apiBase: "http://127.0.0.1:4000" },
      ],
    });
    assert.deepEqual(settings.models, [{ name: "z", model: "m", apiBase: "http://127.0.0.1:4000" }]);
    assert.ok(problems.some((p) => p.includes('("x").apiBase: expected an http(s) URL; this model is not used')));
    assert.ok(problems.some((p) => p.includes('("y"): unknown field "apibase"; this model is not used')));
  });

  it("never echoes or forwards a key pasted into settings", () => {
    const secret = "sk-proj-THISISASECRETKEY0123456789";
    const { settings, problems } = validateSettings({
      models: [{ name: "x", model: "m", apiKeyEnv: secret, apiKey: secret }],
    });
    assert.equal(problems.length, 2);
    for (const p of problems) assert.ok(!p.includes(secret), `problem leaks the key: ${p}`);
    assert.ok(problems.some((p) => p.includes('"apiKey" looks like a secret')));
    assert.ok(problems.some((p) => p.includes("apiKeyEnv: must be the NAME of an environment variable")));
    assert.deepEqual(settings.models, [{ name: "x", model: "m" }]);
    assert.ok(!JSON.stringify(initializationOptions(settings)).includes(secret));
  });

  it("reads through a ConfigSource such as vscode's WorkspaceConfiguration", () => {
    const values: Record<string, unknown> = { maxAttempts: 2, sandbox: "none" };
    const asked: string[] = [];
    const { settings } = readSettings({
      get<T>(key: string): T | undefined {
        asked.push(key);
        return values[key] as T | undefined;
      },
    });
    assert.equal(settings.maxAttempts, 2);
    assert.equal(settings.sandbox, "none");
    assert.deepEqual(asked.sort(), Object.keys(DEFAULTS).sort());
  });
});

describe("issue 10 settings", () => {
  it("validates shareFailures, contextTokens and maxFileKilobytes like the server", () => {
    const ok = validateSettings({ shareFailures: false, contextTokens: 128000, maxFileKilobytes: 64 });
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.settings.shareFailures, false);
    assert.equal(toServerSettings(ok.settings).contextTokens, 128000);
    assert.equal(toServerSettings(ok.settings).maxFileKilobytes, 64);
    const bad = validateSettings({ shareFailures: "no", contextTokens: 10, maxFileKilobytes: 1.5 });
    assert.equal(bad.problems.length, 3);
    assert.ok(bad.problems.some((p) => p.includes("acrouter.shareFailures")));
    assert.equal(bad.settings.shareFailures, true);
    assert.equal(bad.settings.contextTokens, 32000);
    assert.equal(bad.settings.maxFileKilobytes, 1024);
  });
});

describe("traceChangedLines", () => {
  it("is a flag sent to the server, validated like the server", () => {
    const off = validateSettings({ traceChangedLines: false });
    assert.deepEqual(off.problems, []);
    assert.equal(toServerSettings(off.settings).traceChangedLines, false);
    const bad = validateSettings({ traceChangedLines: "off" });
    assert.equal(bad.problems.length, 1);
    assert.ok(bad.problems[0].includes("acrouter.traceChangedLines"));
    assert.equal(bad.settings.traceChangedLines, true);
  });
});

describe("what the server receives", () => {
  const { settings } = validateSettings({
    models: [{ name: "cheap", model: "openai/gpt-4o-mini", apiKeyEnv: "OPENAI_API_KEY", benchmarkModel: "gpt-5.4" }],
    pythonPath: "/home/me/.venv/bin/python",
    serverInstallSource: "/home/me/src/acrouter",
  });

  it("initializationOptions nests camelCase settings under `acrouter`, without the client-only settings", () => {
    assert.deepEqual(initializationOptions(settings), {
      acrouter: {
        models: [
          { name: "cheap", model: "openai/gpt-4o-mini", apiKeyEnv: "OPENAI_API_KEY", benchmarkModel: "gpt-5.4" },
        ],
        testCommand: "",
        maxAttempts: 3,
        costWeight: 0.1,
        requestTimeoutSeconds: 120,
        testTimeoutSeconds: 300,
        sandbox: "bwrap",
        storeInstructions: true,
        teamPriors: [],
        shareFailures: true,
        traceChangedLines: true,
        contextTokens: 32000,
        maxFileKilobytes: 1024,
      },
    });
  });

  it("didChangeConfiguration carries the same object under settings.acrouter", () => {
    assert.deepEqual(configurationChange(settings).settings.acrouter, initializationOptions(settings).acrouter);
  });

  it("copies: later mutation of settings does not change what was sent", () => {
    const sent = toServerSettings(settings);
    settings.models[0].name = "changed";
    assert.equal(sent.models[0].name, "cheap");
    settings.models[0].name = "cheap";
  });

  it("lists exactly the eight benchmark models", () => {
    assert.equal(BENCHMARK_MODELS.length, 8);
    assert.ok(BENCHMARK_MODELS.includes("MiniMax-M2.7"));
  });
});

describe("resolvePythonPath", () => {
  const ctx = { platform: "linux", home: "/home/me", workspaceFolder: "/w" };
  it("defaults to python3, or python on Windows", () => {
    assert.equal(resolvePythonPath("", ctx), "python3");
    assert.equal(resolvePythonPath("  ", { ...ctx, platform: "win32" }), "python");
  });
  it("expands ~, ${userHome} and ${workspaceFolder}", () => {
    assert.equal(resolvePythonPath("~/.venv/bin/python", ctx), "/home/me/.venv/bin/python");
    assert.equal(resolvePythonPath("${userHome}/py", ctx), "/home/me/py");
    assert.equal(resolvePythonPath("${workspaceFolder}/.venv/bin/python", ctx), "/w/.venv/bin/python");
    assert.equal(resolvePythonPath("/opt/python3.11", ctx), "/opt/python3.11");
  });
});
