// The diffs of requests made in this window, kept by the client only (the
// server's routing memory never stores code). Bounded in count and size; kept in
// workspaceState so they survive a reload. Pure module (no `vscode`): the
// extension passes `context.workspaceState` as the Memento.

export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

export interface StoredDiff {
  requestId: string;
  /** Workspace-relative (or base) name of the file the diff is about. */
  file: string;
  /** Unified diff of the proposed edit, possibly cut at `maxChars`. */
  diff: string;
  truncated: boolean;
  /** Other files the edit touched (their diffs are not kept). */
  otherFiles: string[];
  /** true: applied, false: discarded or not applicable, null: not decided (yet). */
  applied: boolean | null;
  /** Unix milliseconds when it was stored. */
  storedAt: number;
}

export interface DiffStoreLimits {
  maxEntries: number;
  maxCharsPerDiff: number;
}

export const DIFF_STORE_KEY = "acrouter.requestDiffs";
export const DEFAULT_LIMITS: DiffStoreLimits = { maxEntries: 50, maxCharsPerDiff: 20_000 };

function isStoredDiff(value: unknown): value is StoredDiff {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.requestId === "string" && typeof v.file === "string" && typeof v.diff === "string";
}

/** Cut a diff at a line boundary within `max` characters. */
export function boundDiff(diff: string, max: number): { diff: string; truncated: boolean } {
  if (diff.length <= max) return { diff, truncated: false };
  const cut = diff.lastIndexOf("\n", max);
  return { diff: diff.slice(0, cut > 0 ? cut + 1 : max), truncated: true };
}

export class DiffStore {
  constructor(
    private readonly memento: MementoLike,
    private readonly limits: DiffStoreLimits = DEFAULT_LIMITS,
  ) {}

  /** Newest first. */
  all(): StoredDiff[] {
    const raw = this.memento.get<unknown>(DIFF_STORE_KEY);
    return Array.isArray(raw) ? raw.filter(isStoredDiff) : [];
  }

  get(requestId: string): StoredDiff | undefined {
    return this.all().find((d) => d.requestId === requestId);
  }

  async put(entry: Omit<StoredDiff, "truncated" | "storedAt"> & { storedAt?: number }): Promise<StoredDiff> {
    const bounded = boundDiff(entry.diff, this.limits.maxCharsPerDiff);
    const stored: StoredDiff = {
      requestId: entry.requestId,
      file: entry.file,
      diff: bounded.diff,
      truncated: bounded.truncated,
      otherFiles: [...entry.otherFiles],
      applied: entry.applied,
      storedAt: entry.storedAt ?? Date.now(),
    };
    const rest = this.all().filter((d) => d.requestId !== entry.requestId);
    await this.memento.update(DIFF_STORE_KEY, [stored, ...rest].slice(0, this.limits.maxEntries));
    return stored;
  }

  async markApplied(requestId: string, applied: boolean): Promise<void> {
    const all = this.all();
    const i = all.findIndex((d) => d.requestId === requestId);
    if (i < 0) return;
    all[i] = { ...all[i], applied };
    await this.memento.update(DIFF_STORE_KEY, all);
  }

  async clear(): Promise<void> {
    await this.memento.update(DIFF_STORE_KEY, undefined);
  }
}
