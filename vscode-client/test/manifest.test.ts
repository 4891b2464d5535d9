// The package.json manifest and the code must agree: commands, settings
// defaults and enums are declared in package.json and relied on in src/.

import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { BENCHMARK_MODELS, DEFAULTS, validateSettings } from "../src/settings";

const root = path.resolve(__dirname, "..", "..");
const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const properties: Record<
  string,
  {
    default?: unknown;
    enum?: unknown[];
    items?: { properties: Record<string, { enum?: unknown[] }>; required: string[] };
  }
> = manifest.contributes.configuration.properties;

describe("package.json", () => {
  it("contributes the commands, all in the ACRouter category", () => {
    const commands = manifest.contributes.commands as { command: string; title: string; category: string }[];
    assert.deepEqual(
      commands.map((c) => `${c.category}: ${c.title}`),
      [
        "ACRouter: Route and Complete",
        "ACRouter: Show History",
        "ACRouter: Explain Last Decision",
        "ACRouter: Show Model Chart",
        "ACRouter: Export Routing Memory",
        "ACRouter: Reset Routing Memory",
        "ACRouter: Restart Server",
        "ACRouter: Install Server",
        "ACRouter: Set API Key",
        "ACRouter: Refresh History",
        "ACRouter: Show Why, Tests and Diff",
      ],
    );
    for (const id of [
      "acrouter.explainLast",
      "acrouter.exportMemory",
      "acrouter.restartServer",
      "acrouter.setApiKey",
    ]) {
      assert.ok(
        commands.some((c) => c.command === id),
        id,
      );
    }
    assert.ok(
      manifest.contributes.menus["editor/context"].some(
        (m: { command: string }) => m.command === "acrouter.routeAndComplete",
      ),
    );
    const hidden = manifest.contributes.menus.commandPalette
      .filter((m: { when: string }) => m.when === "false")
      .map((m: { command: string }) => m.command);
    assert.deepEqual(hidden, ["acrouter.openRequest", "acrouter.refreshHistory"]);
  });

  it("puts the Routing History and the Models chart in their own activity-bar container", () => {
    const [container] = manifest.contributes.viewsContainers.activitybar;
    assert.equal(container.id, "acrouter");
    assert.ok(existsSync(path.join(root, container.icon)), container.icon);
    const views = manifest.contributes.views.acrouter as { id: string; name: string; type?: string }[];
    assert.deepEqual(
      views.map((v) => [v.id, v.name, v.type ?? "tree"]),
      [
        ["acrouter.history", "Routing History", "tree"],
        ["acrouter.models", "Models", "webview"],
      ],
    );
    const welcome = manifest.contributes.viewsWelcome as { view: string; when: string; contents: string }[];
    assert.ok(
      welcome.some((w) => w.when === "acrouter.serverState == missing" && /acrouter\.installServer/.test(w.contents)),
    );
    assert.ok(
      welcome.some((w) => /No routed requests yet/.test(w.contents) && /acrouter\.routeAndComplete/.test(w.contents)),
    );
    const ignore = readFileSync(path.join(root, ".vscodeignore"), "utf8");
    assert.match(ignore, /^!media\/acrouter\.svg$/m, "the icon ships in the .vsix");
  });

  it("registers the views and every command the menus use", () => {
    const src = ["extension.ts", "historyView.ts", "chartView.ts", "commands.ts"]
      .map((f) => readFileSync(path.join(root, "src", f), "utf8"))
      .join("\n");
    assert.match(src, /HISTORY_VIEW = "acrouter\.history"/);
    assert.match(src, /CHART_VIEW = "acrouter\.models"/);
    const ids = new Set(manifest.contributes.commands.map((c: { command: string }) => c.command));
    for (const menu of Object.values(manifest.contributes.menus) as { command: string }[][]) {
      for (const item of menu) assert.ok(ids.has(item.command), `menu uses undeclared ${item.command}`);
    }
  });

  it("describes every setting", () => {
    for (const [key, prop] of Object.entries(properties)) {
      const p = prop as { description?: string; markdownDescription?: string };
      assert.ok((p.description ?? p.markdownDescription ?? "").length > 20, key);
    }
  });

  it("registers every contributed command in the code", () => {
    const src = ["commands.ts", "historyView.ts"]
      .map((f) => readFileSync(path.join(root, "src", f), "utf8"))
      .join("\n");
    for (const c of manifest.contributes.commands) assert.ok(src.includes(`"${c.command}"`), c.command);
  });

  it("declares every setting with the default the code uses", () => {
    for (const [key, value] of Object.entries(DEFAULTS)) {
      const prop = properties[`acrouter.${key}`];
      assert.ok(prop, `acrouter.${key} missing from package.json`);
      assert.deepEqual(prop.default, value, `default of acrouter.${key}`);
    }
  });

  it("declares the same numeric ranges as the validation (and the server)", () => {
    const range = (key: string): [unknown, unknown] => {
      const prop = properties[`acrouter.${key}`] as { minimum?: number; maximum?: number };
      return [prop.minimum, prop.maximum];
    };
    assert.deepEqual(range("maxAttempts"), [1, 8]);
    assert.deepEqual(range("costWeight"), [0, 1000]);
    assert.deepEqual(range("requestTimeoutSeconds"), [1, 3600]);
    assert.deepEqual(range("testTimeoutSeconds"), [1, 7200]);
    assert.deepEqual(range("contextTokens"), [2000, 10000000]);
    assert.deepEqual(range("maxFileKilobytes"), [1, 1000000]);
    for (const [key, [lo, hi]] of Object.entries({
      maxAttempts: [1, 8],
      costWeight: [0, 1000],
      requestTimeoutSeconds: [1, 3600],
      testTimeoutSeconds: [1, 7200],
      contextTokens: [2000, 10000000],
      maxFileKilobytes: [1, 1000000],
    })) {
      assert.deepEqual(validateSettings({ [key]: lo }).problems, [], `${key}=${lo}`);
      assert.deepEqual(validateSettings({ [key]: hi }).problems, [], `${key}=${hi}`);
      assert.equal(validateSettings({ [key]: hi + 1 }).problems.length, 1, `${key}=${hi + 1}`);
    }
  });

  it("offers the same sandbox and benchmark model choices as the code", () => {
    assert.deepEqual(properties["acrouter.sandbox"].enum, ["bwrap", "none"]);
    const model = properties["acrouter.models"].items!;
    assert.deepEqual(model.properties.benchmarkModel.enum, [...BENCHMARK_MODELS]);
    assert.deepEqual(model.required, ["name", "model"]);
  });

  it("pins engines.vscode to the @types/vscode version and stays within code-server 4.139 (VS Code 1.139)", () => {
    assert.equal(manifest.engines.vscode, `^${manifest.devDependencies["@types/vscode"]}`);
    const minor = Number(/^\^1\.(\d+)\./.exec(manifest.engines.vscode)?.[1]);
    assert.ok(minor <= 139);
  });

  it("pins every dependency to an exact version", () => {
    for (const deps of [manifest.dependencies, manifest.devDependencies]) {
      for (const [name, version] of Object.entries(deps)) assert.match(String(version), /^\d+\.\d+\.\d+$/, name);
    }
  });
});

describe("pure modules", () => {
  const pure = [
    "protocol.ts",
    "handshake.ts",
    "interpreter.ts",
    "edits.ts",
    "present.ts",
    "settings.ts",
    "env.ts",
    "cancel.ts",
    "diff.ts",
    "diffStore.ts",
    "chart.ts",
    "serverInstall.ts",
    "workspaceChanges.ts",
  ];
  it("never import vscode, so these tests can load them", () => {
    for (const file of pure) {
      const text = readFileSync(path.join(root, "src", file), "utf8");
      assert.doesNotMatch(text, /from\s+["']vscode["']|require\(["']vscode["']\)/, file);
    }
  });
  it("cover every src file that does not need vscode", () => {
    const all = readdirSync(path.join(root, "src")).filter((f) => f.endsWith(".ts"));
    for (const file of all.filter((f) => !pure.includes(f))) {
      const text = readFileSync(path.join(root, "src", file), "utf8");
      assert.match(text, /from\s+"vscode"/, `${file} does not use vscode: add it to the pure list and test it`);
    }
  });
});
