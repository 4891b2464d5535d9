import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  apiKeyChoices,
  buildServerEnv,
  COMMON_KEY_VARS,
  isEnvName,
  missingKeysOf,
  missingKeyVars,
  secretKeyFor,
} from "../src/env";
import { attempt } from "./fixtures";
import { configurationChange, initializationOptions, validateSettings } from "../src/settings";

const KEY = "sk-test-0123456789abcdef";

describe("buildServerEnv", () => {
  it("adds stored keys to the inherited environment, overriding it", () => {
    const env = buildServerEnv({ PATH: "/usr/bin", OPENAI_API_KEY: "old", UNSET: undefined }, { OPENAI_API_KEY: KEY });
    assert.deepEqual(env, { PATH: "/usr/bin", OPENAI_API_KEY: KEY });
  });
  it("skips invalid names and empty keys", () => {
    const env = buildServerEnv({}, { "BAD NAME": KEY, "1X": KEY, EMPTY: "", GOOD_1: KEY });
    assert.deepEqual(env, { GOOD_1: KEY });
  });
  it("does not modify the environment it was given", () => {
    const base = { PATH: "/bin" };
    buildServerEnv(base, { OPENAI_API_KEY: KEY });
    assert.deepEqual(base, { PATH: "/bin" });
  });
});

describe("keys never reach settings sent to the server", () => {
  it("initializationOptions and didChangeConfiguration hold variable names only", () => {
    const { settings } = validateSettings({
      models: [{ name: "cheap", model: "openai/gpt-4o-mini", apiKeyEnv: "OPENAI_API_KEY" }],
    });
    const env = buildServerEnv({}, { OPENAI_API_KEY: KEY });
    assert.equal(env.OPENAI_API_KEY, KEY);
    const wire = JSON.stringify([initializationOptions(settings), configurationChange(settings)]);
    assert.ok(wire.includes("OPENAI_API_KEY"));
    assert.ok(!wire.includes(KEY));
  });
});

describe("secret storage keys", () => {
  it("are namespaced by variable name and refuse anything else", () => {
    assert.equal(secretKeyFor("OPENAI_API_KEY"), "acrouter.env.OPENAI_API_KEY");
    assert.throws(() => secretKeyFor(KEY));
    assert.ok(isEnvName("_X1"));
    assert.ok(!isEnvName("X-1"));
  });
});

describe("apiKeyChoices", () => {
  const models = [
    { name: "cheap", model: "openai/gpt-4o-mini", apiKeyEnv: "OPENAI_API_KEY" },
    { name: "strong", model: "anthropic/claude", apiKeyEnv: "ANTHROPIC_API_KEY" },
    { name: "mini", model: "openai/o4-mini", apiKeyEnv: "OPENAI_API_KEY" },
    { name: "local", model: "ollama/qwen" },
  ];
  it("offers the configured variables with the models using them, then other stored ones", () => {
    assert.deepEqual(apiKeyChoices(models, ["ANTHROPIC_API_KEY", "GROQ_API_KEY"]), [
      { envName: "OPENAI_API_KEY", usedBy: ["cheap", "mini"], stored: false },
      { envName: "ANTHROPIC_API_KEY", usedBy: ["strong"], stored: true },
      { envName: "GROQ_API_KEY", usedBy: [], stored: true },
    ]);
  });
  it("suggests common variables when nothing is configured", () => {
    assert.deepEqual(
      apiKeyChoices([], []).map((c) => c.envName),
      COMMON_KEY_VARS,
    );
  });
});

describe("missingKeyVars", () => {
  it("lists variables neither stored nor in the environment, once each", () => {
    const models = [
      { name: "a", model: "m", apiKeyEnv: "A_KEY" },
      { name: "b", model: "m", apiKeyEnv: "B_KEY" },
      { name: "c", model: "m", apiKeyEnv: "C_KEY" },
      { name: "c2", model: "m", apiKeyEnv: "C_KEY" },
      { name: "d", model: "m" },
    ];
    assert.deepEqual(missingKeyVars(models, ["A_KEY"], { B_KEY: "x", C_KEY: "" }), ["C_KEY"]);
  });
});

describe("missingKeysOf (which stop gets the missing-key message)", () => {
  const models = [
    { name: "cheap", model: "openai/c", apiKeyEnv: "CHEAP_KEY" },
    { name: "strong", model: "anthropic/s", apiKeyEnv: "STRONG_KEY" },
  ];
  it("says nothing of keys for a set-up stop that is not about one, whatever models lack keys", () => {
    // the orchestrator's stop when the tests still cannot run after the edit (explain.setup_stop)
    const stop = attempt({
      model: "strong",
      verdict: "error",
      counted: false,
      detail: "the tests cannot run even without the edit (exit code 2, interrupted): No module named 'yaml'",
    });
    assert.deepEqual(missingKeysOf([stop], models, [], {}), []);
    const unreachable = attempt({ verdict: "error", counted: false, detail: "unreachable: http://127.0.0.1:4000" });
    assert.deepEqual(missingKeysOf([unreachable], models, [], {}), []);
  });
  it("names the variable the server named", () => {
    const named = attempt({
      model: "cheap",
      verdict: "error",
      counted: false,
      detail: "auth: no API key: environment variable CHEAP_KEY is not set",
    });
    assert.deepEqual(missingKeysOf([named], models, [], {}), ["CHEAP_KEY"]);
  });
  it("for a missing key the server could not name, names the failed model's variable if it is not set", () => {
    const unnamed = attempt({
      model: "strong",
      verdict: "error",
      counted: false,
      detail: "auth: no API key: name the environment variable that holds the key for 'anthropic/s' in apiKeyEnv",
    });
    assert.deepEqual(missingKeysOf([unnamed], models, [], {}), ["STRONG_KEY"]); // not CHEAP_KEY
    assert.deepEqual(missingKeysOf([unnamed], models, ["STRONG_KEY"], {}), []);
    assert.deepEqual(missingKeysOf([unnamed], models, [], { STRONG_KEY: "x" }), []);
  });
});
