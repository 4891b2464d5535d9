// The client side of tests/fixtures/shared-constants.json: the values the server
// (tests/unit/test_shared_constants.py asserts the same file), this extension and its
// package.json must share.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ABSENT, baseDigest, HOW } from "../src/edits";
import { formatCost } from "../src/present";
import { parseRouteResult } from "../src/protocol";
import {
  BENCHMARK_MODELS,
  DEFAULTS,
  ENV_NAME,
  MAX_PRICE_PER_1M,
  SANDBOX_MODES,
  validateSettings,
} from "../src/settings";

const client = path.resolve(__dirname, "..", "..");
const repo = path.resolve(client, "..");

interface Range {
  min: number;
  max: number;
  integer: boolean;
}
interface Shared {
  benchmarkModels: string[];
  sandboxModes: string[];
  settings: {
    defaults: Record<string, unknown>;
    ranges: Record<string, Range>;
    modelPrice: { min: number; max: number };
    envNamePattern: string;
    cases: { settings: Record<string, unknown>; valid: boolean; modelsKept?: number }[];
  };
  usd: [number | null, string][];
  baseDigest: { field: string; absent: string; cases: [string, string][] };
  fileChanges: Record<string, string>;
}

const shared: Shared = JSON.parse(readFileSync(path.join(repo, "tests", "fixtures", "shared-constants.json"), "utf8"));
const manifest = JSON.parse(readFileSync(path.join(client, "package.json"), "utf8"));
const properties = manifest.contributes.configuration.properties;
const modelProperties = properties["acrouter.models"].items.properties;

describe("shared constants", () => {
  it("names the same benchmark models and sandbox modes as the server and package.json", () => {
    assert.deepEqual([...BENCHMARK_MODELS], shared.benchmarkModels);
    assert.deepEqual(modelProperties.benchmarkModel.enum, shared.benchmarkModels);
    assert.deepEqual([...SANDBOX_MODES], shared.sandboxModes);
    assert.deepEqual(properties["acrouter.sandbox"].enum, shared.sandboxModes);
  });

  it("has the same defaults in the code and in package.json", () => {
    for (const [key, value] of Object.entries(shared.settings.defaults)) {
      assert.equal(DEFAULTS[key as keyof typeof DEFAULTS], value, key);
      assert.equal(properties[`acrouter.${key}`].default, value, key);
    }
  });

  it("declares the same ranges and patterns in package.json", () => {
    for (const [key, r] of Object.entries(shared.settings.ranges)) {
      const p = properties[`acrouter.${key}`];
      assert.equal(p.minimum, r.min, key);
      assert.equal(p.maximum, r.max, key);
      assert.equal(p.type, r.integer ? "integer" : "number", key);
    }
    for (const key of ["inputCostPer1M", "outputCostPer1M"]) {
      assert.equal(modelProperties[key].minimum, shared.settings.modelPrice.min, key);
      assert.equal(modelProperties[key].maximum, shared.settings.modelPrice.max, key);
    }
    assert.equal(MAX_PRICE_PER_1M, shared.settings.modelPrice.max);
    assert.equal(ENV_NAME.source, shared.settings.envNamePattern);
    assert.equal(modelProperties.apiKeyEnv.pattern, shared.settings.envNamePattern);
  });

  it("keeps the same model entries as the server (an entry that may not say where its requests go is dropped)", () => {
    const kept = shared.settings.cases.filter((c) => c.modelsKept !== undefined);
    assert.ok(kept.length > 0);
    for (const c of kept) {
      const { settings } = validateSettings(c.settings);
      assert.equal(settings.models.length, c.modelsKept, JSON.stringify(c.settings));
    }
  });

  it("accepts and rejects the same settings as the server", () => {
    const cases: [Record<string, unknown>, boolean][] = shared.settings.cases.map((c) => [c.settings, c.valid]);
    for (const [key, r] of Object.entries(shared.settings.ranges)) {
      cases.push([{ [key]: r.min }, true], [{ [key]: r.max }, true]);
      cases.push([{ [key]: r.min - 1 }, false], [{ [key]: r.max + 1 }, false]);
      if (r.integer) cases.push([{ [key]: r.min + 0.5 }, false]);
    }
    for (const mode of shared.sandboxModes) cases.push([{ sandbox: mode }, true]);
    for (const bm of shared.benchmarkModels) {
      cases.push([{ models: [{ name: "a", model: "m", benchmarkModel: bm }] }, true]);
    }
    const price = shared.settings.modelPrice;
    for (const [value, ok] of [
      [price.min, true],
      [price.max, true],
      [price.max * 1.5, false],
    ] as [number, boolean][]) {
      cases.push([{ models: [{ name: "a", model: "m", inputCostPer1M: value }] }, ok]);
    }
    for (const [raw, valid] of cases) {
      const { problems } = validateSettings(raw);
      assert.equal(problems.length === 0, valid, `${JSON.stringify(raw)}: ${problems.join(" | ")}`);
      for (const p of problems) assert.ok(!p.includes("sk-abc123"), p); // a pasted key is never echoed
    }
  });

  it("formats costs like the server", () => {
    for (const [value, shown] of shared.usd) assert.equal(formatCost(value), shown, String(value));
  });

  it("computes the digest of what a file held when the edit was made like the server, under the same name", () => {
    for (const [text, digest] of shared.baseDigest.cases) assert.equal(baseDigest(text), digest, JSON.stringify(text));
    assert.equal(baseDigest(null), shared.baseDigest.absent);
    assert.equal(ABSENT, shared.baseDigest.absent);
    const bases = { "file:///w/a.py": shared.baseDigest.cases[1][1], "file:///w/new.py": ABSENT };
    assert.deepEqual(parseRouteResult({ [shared.baseDigest.field]: bases }).baseDigests, bases);
  });

  it("names how a file changed in the server's words", () => {
    assert.equal(HOW.changed, shared.fileChanges.changed);
    assert.equal(HOW.created, shared.fileChanges.created);
    assert.equal(HOW.deleted, shared.fileChanges.deleted);
  });
});
