// A verdict describes the workspace its tests ran on. When the user applies a verified
// edit (maybe minutes later), the server says which files changed since (`changedSince`:
// its own fingerprint of what the verifier ran on, so caches and tool output never
// count and changes made on disk by other tools do); this module decides what the user
// is told about them. The files the edit itself changes are not among them: those are
// refused outright when they changed (edits.ts). Pure module (no `vscode`).

import type { SameUri } from "./edits";
import type { ChangedSinceResult, VerifyAgainResult, WorkspaceChange } from "./protocol";

/** How many files a message names before "and N more". */
export const NAMED = 3;

/** What the user is told about the workspace since the tests ran. */
export type Drift =
  { kind: "same" } | { kind: "changed"; changes: WorkspaceChange[] } | { kind: "unknown"; reason: string };

/**
 * What changed since the tests ran that the user must hear about before applying:
 * the server's changes but those of the files the edit changes (`touched`: their URIs;
 * their own, stricter check refuses the edit when one changed).
 */
export function driftOf(reply: ChangedSinceResult, touched: readonly string[], same: SameUri): Drift {
  if (!reply.known)
    return { kind: "unknown", reason: "the server does not know any more what the tests ran on; was it restarted?" };
  const changes = reply.changes.filter((c) => !touched.some((u) => c.uri !== "" && same(c.uri, u)));
  return changes.length ? { kind: "changed", changes } : { kind: "same" };
}

function named(c: WorkspaceChange): string {
  return `${c.path} (${c.how})`;
}

/** "a (how), b (how) and c (how)", or the first NAMED "and N more". */
export function listChanges(changes: readonly WorkspaceChange[]): string {
  const shown = changes.slice(0, NAMED).map(named);
  const more = changes.length - shown.length;
  if (more > 0) return `${shown.join(", ")} and ${more} more`;
  if (shown.length <= 1) return shown.join("");
  return `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}

/** What to say about the workspace since the tests ran, as a clause (null: nothing):
 * the modal warning at Apply is "ACRouter: <clause>.", the apply prompt adds it too. */
export function driftMessage(drift: Drift): string | null {
  if (drift.kind === "same") return null;
  const doubt = "the verdict may not hold for the workspace as it is now";
  if (drift.kind === "unknown") return `the workspace may have changed since the tests ran (${drift.reason}); ${doubt}`;
  return `the tests ran before ${listChanges(drift.changes)} changed; ${doubt}`;
}

/** Every changed file, one a line (the modal warning's detail). */
export function driftDetail(drift: Drift): string | undefined {
  if (drift.kind !== "changed") return undefined;
  return ["Changed since the tests ran:", ...drift.changes.map((c) => `• ${named(c)}`)].join("\n");
}

/** Whether `now` says nothing the user was not already told (`told`, with the preview):
 * then Apply in that prompt was the user's informed choice, and is not asked again. */
export function alreadyTold(now: Drift, told: Drift): boolean {
  if (now.kind === "same") return true;
  if (now.kind === "unknown") return told.kind === "unknown";
  if (told.kind !== "changed") return false;
  return now.changes.every((c) => told.changes.some((t) => t.path === c.path && t.how === c.how));
}

/** What the tests said when they ran again on the edit, in the workspace as it is now
 * (`verifyAgain`), as a clause: "ACRouter: <clause>." */
export function recheckMessage(again: VerifyAgainResult): string {
  if (!again.known)
    return "the server no longer knows what this request's tests ran on (was it restarted?), so they could not run again";
  const detail = again.detail ? `: ${again.detail}` : "";
  if (again.verdict === "pass") return `verified again on the workspace as it is now${detail}`;
  if (again.verdict === "fail") return `with the workspace as it is now, the edit fails your tests${detail}`;
  return `the tests could not run on the edit again${detail}`;
}
