// The `acrouter.*` settings: read, validate (bad values -> defaults plus one
// clear problem each), and the exact shape sent to the server. Pure module (no
// `vscode` import): the extension passes `workspace.getConfiguration("acrouter")`
// as the ConfigSource.

/** The 8 CodeRouterBench models whose statistics can serve as a model's prior. */
export const BENCHMARK_MODELS = [
  "claude-opus-4-6",
  "claude-sonnet-4-6",
  "gpt-5.4",
  "glm-5",
  "kimi-k2.5",
  "MiniMax-M2.7",
  "Qwen3-Max",
  "qwen3.5-plus",
] as const;

export type BenchmarkModel = (typeof BENCHMARK_MODELS)[number];

/** An environment variable name (what `apiKeyEnv` must hold: never the key). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ModelSetting {
  name: string;
  model: string;
  apiBase?: string;
  apiKeyEnv?: string;
  inputCostPer1M?: number;
  outputCostPer1M?: number;
  benchmarkModel?: BenchmarkModel;
}

/** How tests on model-written code are isolated (the server's SANDBOX_MODES). */
export const SANDBOX_MODES = ["bwrap", "none"] as const;

export type Sandbox = (typeof SANDBOX_MODES)[number];

/** The price range of `inputCostPer1M` / `outputCostPer1M` (USD per million tokens). */
export const MAX_PRICE_PER_1M = 1_000_000;

export interface AcrouterSettings {
  models: ModelSetting[];
  testCommand: string;
  maxAttempts: number;
  costWeight: number;
  requestTimeoutSeconds: number;
  testTimeoutSeconds: number;
  sandbox: Sandbox;
  pythonPath: string;
  storeInstructions: boolean;
  /** Team priors files (`acrouter memory export --team`): absolute paths or starting with `~`. */
  teamPriors: string[];
  /** Tell the next model why the previous attempt failed (verdict, failing tests; never its code). */
  shareFailures: boolean;
  /** Record which changed lines the tests ran, so a pass names the changed lines no test ran. */
  traceChangedLines: boolean;
  /** Prompt budget in tokens when litellm does not know the model's context window. */
  contextTokens: number;
  /** Files larger than this are refused before any model is called. */
  maxFileKilobytes: number;
  /** What "Install Server" installs: empty = the bundled server; or a checkout, wheel, wheelhouse folder or requirement. */
  serverInstallSource: string;
}

export const DEFAULTS: Readonly<AcrouterSettings> = Object.freeze({
  models: [],
  testCommand: "",
  maxAttempts: 3,
  costWeight: 0.1,
  requestTimeoutSeconds: 120,
  testTimeoutSeconds: 300,
  sandbox: "bwrap",
  pythonPath: "",
  storeInstructions: true,
  teamPriors: [],
  shareFailures: true,
  traceChangedLines: true,
  contextTokens: 32000,
  maxFileKilobytes: 1024,
  serverInstallSource: "",
});

/** Settings only the extension uses: never sent to the server. */
export const CLIENT_ONLY = ["pythonPath", "serverInstallSource"] as const;

/** The settings sent to the server: everything but the client-only ones. */
export type ServerSettings = Omit<AcrouterSettings, (typeof CLIENT_ONLY)[number]>;

export interface Validated {
  settings: AcrouterSettings;
  problems: string[];
}

/** Anything with `get(key)`, e.g. vscode's WorkspaceConfiguration for "acrouter". */
export interface ConfigSource {
  get<T>(key: string): T | undefined;
}

const KEYS = Object.keys(DEFAULTS) as (keyof AcrouterSettings)[];
const MODEL_FIELDS = new Set([
  "name",
  "model",
  "apiBase",
  "apiKeyEnv",
  "inputCostPer1M",
  "outputCostPer1M",
  "benchmarkModel",
]);
/** Field names that suggest someone pasted a secret into settings. */
const SECRETISH = /key|secret|token|password|credential/i;

export function readSettings(source: ConfigSource): Validated {
  const raw: Record<string, unknown> = {};
  for (const key of KEYS) raw[key] = source.get(key);
  return validateSettings(raw);
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return Array.isArray(value) ? "a list" : typeof value;
}

/** Validate raw setting values; `undefined` means "not set" and takes the default silently. */
export function validateSettings(raw: Record<string, unknown>): Validated {
  const problems: string[] = [];
  const s: AcrouterSettings = { ...DEFAULTS, models: [] };

  const bad = (key: string, value: unknown, expected: string, fallback: unknown): void => {
    problems.push(`acrouter.${key}: expected ${expected}, got ${describe(value)}; using ${JSON.stringify(fallback)}.`);
  };

  const str = (key: "testCommand" | "pythonPath" | "serverInstallSource"): void => {
    const v = raw[key];
    if (v === undefined) return;
    if (typeof v === "string") s[key] = v.trim();
    else bad(key, v, "a string", DEFAULTS[key]);
  };
  str("testCommand");
  str("pythonPath");
  str("serverInstallSource");

  const num = (
    key:
      | "maxAttempts"
      | "costWeight"
      | "requestTimeoutSeconds"
      | "testTimeoutSeconds"
      | "contextTokens"
      | "maxFileKilobytes",
    ok: (n: number) => boolean,
    expected: string,
  ): void => {
    const v = raw[key];
    if (v === undefined) return;
    if (typeof v === "number" && Number.isFinite(v) && ok(v)) s[key] = v;
    else bad(key, v, expected, DEFAULTS[key]);
  };
  // The same ranges as the server's config.py, so it never sees a value it would reject.
  num("maxAttempts", (n) => Number.isInteger(n) && n >= 1 && n <= 8, "a whole number from 1 to 8");
  num("costWeight", (n) => n >= 0 && n <= 1000, "a number from 0 to 1000");
  num("requestTimeoutSeconds", (n) => n >= 1 && n <= 3600, "a number of seconds from 1 to 3600");
  num("testTimeoutSeconds", (n) => n >= 1 && n <= 7200, "a number of seconds from 1 to 7200");
  num(
    "contextTokens",
    (n) => Number.isInteger(n) && n >= 2000 && n <= 10000000,
    "a whole number of tokens from 2000 to 10000000",
  );
  num(
    "maxFileKilobytes",
    (n) => Number.isInteger(n) && n >= 1 && n <= 1000000,
    "a whole number of kilobytes from 1 to 1000000",
  );

  if (raw.sandbox !== undefined) {
    if ((SANDBOX_MODES as readonly unknown[]).includes(raw.sandbox)) s.sandbox = raw.sandbox as Sandbox;
    else bad("sandbox", raw.sandbox, SANDBOX_MODES.map((m) => JSON.stringify(m)).join(" or "), DEFAULTS.sandbox);
  }
  if (raw.storeInstructions !== undefined) {
    if (typeof raw.storeInstructions === "boolean") s.storeInstructions = raw.storeInstructions;
    else bad("storeInstructions", raw.storeInstructions, "true or false", DEFAULTS.storeInstructions);
  }
  if (raw.shareFailures !== undefined) {
    if (typeof raw.shareFailures === "boolean") s.shareFailures = raw.shareFailures;
    else bad("shareFailures", raw.shareFailures, "true or false", DEFAULTS.shareFailures);
  }
  if (raw.traceChangedLines !== undefined) {
    if (typeof raw.traceChangedLines === "boolean") s.traceChangedLines = raw.traceChangedLines;
    else bad("traceChangedLines", raw.traceChangedLines, "true or false", DEFAULTS.traceChangedLines);
  }

  if (raw.teamPriors !== undefined && raw.teamPriors !== null) {
    const tp = raw.teamPriors;
    // the same rule as the server's config.py: a list of absolute paths (or starting with ~)
    const ok = (p: unknown): p is string =>
      typeof p === "string" && p.trim() !== "" && (p.trim().startsWith("~") || isAbsolutePath(p.trim()));
    if (Array.isArray(tp) && tp.every(ok)) s.teamPriors = tp.map((p) => p.trim());
    else bad("teamPriors", tp, "a list of absolute file paths (or paths starting with ~)", []);
  }

  if (raw.models !== undefined && raw.models !== null) {
    if (!Array.isArray(raw.models)) bad("models", raw.models, "a list of models", []);
    else s.models = validateModels(raw.models, problems);
  }
  return { settings: s, problems };
}

/** The models list: each entry as validateModel says; of two entries with the same name, the first. */
function validateModels(items: readonly unknown[], problems: string[]): ModelSetting[] {
  const models: ModelSetting[] = [];
  const names = new Set<string>();
  items.forEach((item, i) => {
    const model = validateModel(item, `acrouter.models[${i}]`, problems);
    if (!model) return;
    if (names.has(model.name)) {
      problems.push(`acrouter.models[${i}]: the name "${model.name}" is used twice; this entry was ignored.`);
      return;
    }
    names.add(model.name);
    models.push(model);
  });
  return models;
}

/** What happens to a model entry that may not say where its requests go. */
const NOT_USED = "this model is not used until that is fixed.";

function validateModel(item: unknown, where: string, problems: string[]): ModelSetting | undefined {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    problems.push(`${where}: expected an object with "name" and "model"; ignored.`);
    return undefined;
  }
  const o = item as Record<string, unknown>;
  const name = typeof o.name === "string" ? o.name.trim() : "";
  const model = typeof o.model === "string" ? o.model.trim() : "";
  if (!name || !model) {
    const missing = [!name && '"name"', !model && '"model"'].filter(Boolean).join(" and ");
    problems.push(`${where}: needs a non-empty ${missing}; ignored.`);
    return undefined;
  }
  const out: ModelSetting = { name, model };
  const at = `${where} ("${name}")`;

  let unknown = false;
  for (const key of Object.keys(o)) {
    if (MODEL_FIELDS.has(key)) continue;
    // Never echo the value: it may be a pasted API key.
    if (SECRETISH.test(key)) {
      problems.push(
        `${at}: "${key}" looks like a secret. API keys never go in settings: it was ignored and not sent to the server. Use "ACRouter: Set API Key".`,
      );
    } else {
      // a misspelt apiBase would send the requests to the provider's own host
      problems.push(`${at}: unknown field "${key}"; ${NOT_USED}`);
      unknown = true;
    }
  }
  if (unknown) return undefined;

  if (o.apiBase !== undefined) {
    if (typeof o.apiBase === "string" && isHttpUrl(o.apiBase.trim())) out.apiBase = o.apiBase.trim();
    else {
      // without it the requests would go to the provider's own host: not what was meant
      problems.push(`${at}.apiBase: expected an http(s) URL; ${NOT_USED}`);
      return undefined;
    }
  }
  if (o.apiKeyEnv !== undefined) {
    if (typeof o.apiKeyEnv === "string" && ENV_NAME.test(o.apiKeyEnv.trim())) out.apiKeyEnv = o.apiKeyEnv.trim();
    else
      problems.push(
        `${at}.apiKeyEnv: must be the NAME of an environment variable (like OPENAI_API_KEY), not the key itself; ` +
          "the value was ignored and not sent to the server.",
      );
  }
  for (const key of ["inputCostPer1M", "outputCostPer1M"] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= MAX_PRICE_PER_1M) out[key] = v;
    else
      problems.push(
        `${at}.${key}: expected a price in USD from 0 to ${MAX_PRICE_PER_1M}, got ${describe(v)}; ignored.`,
      );
  }
  if (o.benchmarkModel !== undefined) {
    if ((BENCHMARK_MODELS as readonly unknown[]).includes(o.benchmarkModel)) {
      out.benchmarkModel = o.benchmarkModel as BenchmarkModel;
    } else {
      problems.push(`${at}.benchmarkModel: expected one of ${BENCHMARK_MODELS.join(", ")}; ignored.`);
    }
  }
  return out;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** A fresh, whitelisted copy of what the server may see (no client-only settings, no unknown fields). */
export function toServerSettings(s: AcrouterSettings): ServerSettings {
  return {
    models: s.models.map((m) => {
      const copy: ModelSetting = { name: m.name, model: m.model };
      if (m.apiBase !== undefined) copy.apiBase = m.apiBase;
      if (m.apiKeyEnv !== undefined) copy.apiKeyEnv = m.apiKeyEnv;
      if (m.inputCostPer1M !== undefined) copy.inputCostPer1M = m.inputCostPer1M;
      if (m.outputCostPer1M !== undefined) copy.outputCostPer1M = m.outputCostPer1M;
      if (m.benchmarkModel !== undefined) copy.benchmarkModel = m.benchmarkModel;
      return copy;
    }),
    testCommand: s.testCommand,
    maxAttempts: s.maxAttempts,
    costWeight: s.costWeight,
    requestTimeoutSeconds: s.requestTimeoutSeconds,
    testTimeoutSeconds: s.testTimeoutSeconds,
    sandbox: s.sandbox,
    storeInstructions: s.storeInstructions,
    teamPriors: [...s.teamPriors],
    shareFailures: s.shareFailures,
    traceChangedLines: s.traceChangedLines,
    contextTokens: s.contextTokens,
    maxFileKilobytes: s.maxFileKilobytes,
  };
}

/** An absolute path on POSIX (`/x`) or Windows (`C:\\x`, `\\\\server\\share`). */
function isAbsolutePath(p: string): boolean {
  return p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\");
}

/** `initializationOptions` of the initialize request. */
export function initializationOptions(s: AcrouterSettings): { acrouter: ServerSettings } {
  return { acrouter: toServerSettings(s) };
}

/** Params of `workspace/didChangeConfiguration`. */
export function configurationChange(s: AcrouterSettings): { settings: { acrouter: ServerSettings } } {
  return { settings: { acrouter: toServerSettings(s) } };
}

export interface PathContext {
  platform: string; // process.platform
  home: string;
  workspaceFolder?: string;
}

/** The interpreter to run: pythonPath with ~ and ${workspaceFolder} expanded, or the platform default. */
export function resolvePythonPath(pythonPath: string, ctx: PathContext): string {
  const raw = pythonPath.trim();
  if (!raw) return ctx.platform === "win32" ? "python" : "python3";
  let out = raw.replace(/\$\{userHome\}/g, ctx.home);
  if (ctx.workspaceFolder !== undefined) out = out.replace(/\$\{workspaceFolder\}/g, ctx.workspaceFolder);
  if (out === "~" || out.startsWith("~/") || out.startsWith("~\\")) out = ctx.home + out.slice(1);
  return out;
}
