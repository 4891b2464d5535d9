// Shared sample data for the unit tests (shapes exactly as the server sends them).

import type { AttemptInfo, HistoryEntry, RouteAndCompleteResult } from "../src/protocol";

export function attempt(over: Partial<AttemptInfo> = {}): AttemptInfo {
  return {
    model: "cheap",
    verdict: "pass",
    costUsd: 0.0004,
    latencyMs: 850,
    testsPassed: 12,
    testsFailed: 0,
    detail: "",
    counted: true,
    ...over,
  };
}

export function routeResult(over: Partial<RouteAndCompleteResult> = {}): RouteAndCompleteResult {
  return {
    requestId: "r-1",
    kind: "bug_fixing",
    finalModel: "strong",
    verified: true,
    costUsd: 0.0021,
    latencyMs: 12_345,
    attempts: [
      attempt({
        model: "cheap",
        verdict: "fail",
        costUsd: 0.0004,
        testsPassed: 10,
        testsFailed: 2,
        detail: "2 tests failed",
      }),
      attempt({ model: "strong", verdict: "pass", costUsd: 0.0017, testsPassed: 12, testsFailed: 0 }),
    ],
    why: "cheap failed 2 tests, so ACRouter escalated to **strong**.",
    edit: null,
    baseDigests: {},
    ...over,
  };
}

export function historyEntry(over: Partial<HistoryEntry> = {}): HistoryEntry {
  const { edit: _edit, baseDigests: _bases, ...summary } = routeResult();
  return { ...summary, time: 1_700_000_000, instruction: "fix the off-by-one in parse_range", ...over };
}
