// "Set API Key": pick the environment variable a model's key goes in (the models'
// apiKeyEnv, or another name), then store, replace or remove the key in VS Code's
// secret storage and restart a running server so it sees the change.

import * as vscode from "vscode";
import { currentSettings } from "./client";
import type { Deps } from "./commandDeps";
import { apiKeyChoices, isEnvName } from "./env";

interface KeyItem extends vscode.QuickPickItem {
  envName?: string;
  stored?: boolean;
}

async function pickKeyName(deps: Deps): Promise<{ envName: string; stored: boolean } | undefined> {
  const { settings } = currentSettings();
  const items: KeyItem[] = apiKeyChoices(settings.models, deps.keys.storedNames()).map((c) => ({
    label: c.envName,
    description: [c.usedBy.length ? `used by ${c.usedBy.join(", ")}` : "", c.stored ? "key stored" : ""]
      .filter(Boolean)
      .join(" · "),
    envName: c.envName,
    stored: c.stored,
  }));
  items.push({ label: "$(edit) Another environment variable…" });
  const picked = await vscode.window.showQuickPick(items, {
    title: "ACRouter: Set API Key (1/2)",
    placeHolder: "Which environment variable should hold the key? (the apiKeyEnv of your models)",
  });
  if (!picked) return undefined;
  if (picked.envName) return { envName: picked.envName, stored: picked.stored ?? false };
  const typed = await vscode.window.showInputBox({
    title: "ACRouter: Set API Key (1/2)",
    prompt: "Name of the environment variable, e.g. OPENAI_API_KEY (the name only, not the key)",
    ignoreFocusOut: true,
    validateInput: (v) =>
      isEnvName(v.trim()) ? undefined : "Letters, digits and _ only, not starting with a digit (e.g. OPENAI_API_KEY).",
  });
  if (!typed) return undefined;
  const envName = typed.trim();
  return { envName, stored: deps.keys.storedNames().includes(envName) };
}

export async function setApiKey(deps: Deps, preset?: string): Promise<void> {
  const chosen =
    typeof preset === "string" && isEnvName(preset)
      ? { envName: preset, stored: deps.keys.storedNames().includes(preset) }
      : await pickKeyName(deps);
  if (!chosen) return;
  const { envName, stored } = chosen;

  const key = await vscode.window.showInputBox({
    title: `ACRouter: Set API Key (2/2): ${envName}`,
    prompt: stored
      ? "Paste the new key, or leave empty and press Enter to remove the stored key."
      : "Paste the key. It is kept in VS Code's secret storage and reaches the ACRouter server only through its environment.",
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (!stored && !v.trim() ? "Paste the key, or press Escape to cancel." : undefined),
  });
  if (key === undefined) return;

  if (!key.trim()) {
    await deps.keys.remove(envName);
    deps.log.info(`API key for ${envName} removed`);
  } else {
    await deps.keys.store(envName, key.trim());
    deps.log.info(`API key for ${envName} stored in secret storage (value not logged)`);
  }
  const wasRunning = deps.servers.running;
  await deps.servers.restartIfRunning();
  const done = key.trim() ? `stored the key for ${envName}` : `removed the key for ${envName}`;
  void vscode.window.showInformationMessage(`ACRouter: ${done}${wasRunning ? " and restarted the server" : ""}.`);
}
