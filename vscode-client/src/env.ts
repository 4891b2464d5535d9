// API keys: which environment variables the configured models need, and the
// server process environment built from the keys kept in SecretStorage. Keys
// reach the server ONLY through this environment: never settings,
// initializationOptions, logs or protocol messages. Pure module (no `vscode`).

import { missingKeysFromAttempts } from "./present";
import type { AttemptInfo } from "./protocol";
import { ENV_NAME, type ModelSetting } from "./settings";

/** SecretStorage key prefix; the rest is the environment variable name. */
export const SECRET_PREFIX = "acrouter.env.";

/** Suggested when no configured model names a key variable yet. */
export const COMMON_KEY_VARS = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"];

export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

export function secretKeyFor(envName: string): string {
  if (!isEnvName(envName)) throw new Error("not an environment variable name");
  return SECRET_PREFIX + envName;
}

export type Env = Record<string, string>;

/**
 * The server's environment: the extension host's environment plus each stored
 * key under its variable name (stored keys win over inherited ones). Entries
 * with an invalid name or an empty value are left out.
 */
export function buildServerEnv(base: Record<string, string | undefined>, secrets: Record<string, string>): Env {
  const env: Env = {};
  for (const [name, value] of Object.entries(base)) if (value !== undefined) env[name] = value;
  for (const [name, value] of Object.entries(secrets)) {
    if (isEnvName(name) && value !== "") env[name] = value;
  }
  return env;
}

export interface KeyChoice {
  envName: string;
  usedBy: string[]; // configured model names
  stored: boolean; // a key is in SecretStorage
}

/**
 * Variables to offer in "Set API Key": those the configured models name (in
 * settings order), then other stored ones; common defaults only when the list
 * would otherwise be empty.
 */
export function apiKeyChoices(models: readonly ModelSetting[], storedNames: readonly string[]): KeyChoice[] {
  const stored = new Set(storedNames);
  const byName = new Map<string, KeyChoice>();
  for (const m of models) {
    if (!m.apiKeyEnv) continue;
    const choice = byName.get(m.apiKeyEnv) ?? { envName: m.apiKeyEnv, usedBy: [], stored: stored.has(m.apiKeyEnv) };
    choice.usedBy.push(m.name);
    byName.set(m.apiKeyEnv, choice);
  }
  for (const name of storedNames) {
    if (!byName.has(name)) byName.set(name, { envName: name, usedBy: [], stored: true });
  }
  if (byName.size === 0) {
    for (const name of COMMON_KEY_VARS) byName.set(name, { envName: name, usedBy: [], stored: false });
  }
  return [...byName.values()];
}

/** Key variables that configured models name but that neither SecretStorage nor the environment provide. */
export function missingKeyVars(
  models: readonly ModelSetting[],
  storedNames: readonly string[],
  env: Record<string, string | undefined>,
): string[] {
  const missing: string[] = [];
  for (const m of models) {
    const name = m.apiKeyEnv;
    if (!name || storedNames.includes(name) || (env[name] ?? "") !== "" || missing.includes(name)) continue;
    missing.push(name);
  }
  return missing;
}

/** The server's detail for an attempt that could not call its model for want of a key
 * ("auth: no API key: set X, …", "auth: no API key: environment variable X is not set"). */
const NO_KEY = /^auth: no API key\b/;

/**
 * The key variables a request's attempts failed for: those the server named, and, for an
 * attempt that failed for a missing key without naming a variable, the one its model's
 * settings name if neither SecretStorage nor the environment provide it. Empty when no
 * attempt failed for a missing key: any other stop (an unreachable gateway, tests that
 * cannot run) keeps the server's own reason, whatever other models lack keys.
 */
export function missingKeysOf(
  attempts: readonly AttemptInfo[],
  models: readonly ModelSetting[],
  storedNames: readonly string[],
  env: Record<string, string | undefined>,
): string[] {
  const missing = missingKeysFromAttempts(attempts);
  const unnamed = attempts.filter((a) => NO_KEY.test(a.detail) && missingKeysFromAttempts([a]).length === 0);
  const theirs = models.filter((m) => unnamed.some((a) => a.model === m.name));
  for (const name of missingKeyVars(theirs, storedNames, env)) if (!missing.includes(name)) missing.push(name);
  return missing;
}
