// API keys in VS Code's SecretStorage, one entry per environment variable name.
// SecretStorage cannot list its keys, so the variable NAMES (not secret) are
// kept in globalState. Key values are never logged.

import type * as vscode from "vscode";
import { isEnvName, secretKeyFor } from "./env";

const NAMES_KEY = "acrouter.apiKeyEnvNames";

export class ApiKeyStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {}

  /** Names of the variables that have a stored key. */
  storedNames(): string[] {
    const names = this.state.get<unknown>(NAMES_KEY, []);
    return Array.isArray(names) ? names.filter((n): n is string => typeof n === "string" && isEnvName(n)) : [];
  }

  /** name -> key, for the server process environment only. */
  async load(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of this.storedNames()) {
      const value = await this.secrets.get(secretKeyFor(name));
      if (value) out[name] = value;
    }
    return out;
  }

  async store(name: string, key: string): Promise<void> {
    await this.secrets.store(secretKeyFor(name), key);
    const names = this.storedNames();
    if (!names.includes(name)) await this.state.update(NAMES_KEY, [...names, name]);
  }

  async remove(name: string): Promise<void> {
    await this.secrets.delete(secretKeyFor(name));
    await this.state.update(
      NAMES_KEY,
      this.storedNames().filter((n) => n !== name),
    );
  }
}
