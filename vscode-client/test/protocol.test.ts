import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCount, parseHistory, parseRouteResult, parseWhy, ProtocolError, ServerCommand } from "../src/protocol";

describe("server command ids", () => {
  it("live under acrouter.server.*", () => {
    for (const id of Object.values(ServerCommand)) assert.match(id, /^acrouter\.server\.[a-zA-Z]+$/);
    assert.equal(ServerCommand.routeAndComplete, "acrouter.server.routeAndComplete");
  });
});

describe("parseRouteResult", () => {
  const wire = {
    requestId: "abc",
    kind: "code_generation",
    finalModel: "strong",
    verified: true,
    costUsd: 0.003,
    latencyMs: 2000,
    attempts: [
      {
        model: "strong",
        verdict: "pass",
        costUsd: 0.003,
        latencyMs: 1900,
        testsPassed: 3,
        testsFailed: 0,
        detail: "ok",
      },
    ],
    why: "because",
    edit: {
      documentChanges: [
        {
          textDocument: { uri: "file:///w/a.py", version: 3 },
          edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: "x" }],
        },
      ],
    },
  };
  it("keeps every field of a well-formed reply", () => {
    const r = parseRouteResult(wire);
    assert.equal(r.requestId, "abc");
    assert.equal(r.finalModel, "strong");
    assert.equal(r.verified, true);
    assert.equal(r.attempts[0].testsPassed, 3);
    assert.deepEqual(r.edit, wire.edit);
  });
  it("fills gaps defensively: unknown verdicts are errors, missing costs are unknown", () => {
    const r = parseRouteResult({
      requestId: "x",
      attempts: [{ model: "m", verdict: "maybe", latencyMs: "fast" }],
      verified: "true",
      edit: null,
    });
    assert.equal(r.verified, false); // only the boolean true counts
    assert.equal(r.finalModel, null);
    assert.equal(r.costUsd, null);
    assert.deepEqual(r.attempts[0], {
      model: "m",
      verdict: "error",
      costUsd: null,
      latencyMs: 0,
      testsPassed: null,
      testsFailed: null,
      detail: "",
    });
    assert.equal(r.edit, null);
  });
  it("rejects replies that are not objects with a clear message", () => {
    assert.throws(() => parseRouteResult(null), ProtocolError);
    assert.throws(() => parseRouteResult([1]), /same version/);
    assert.throws(() => parseRouteResult({ edit: "diff" }), ProtocolError);
  });
});

describe("other replies", () => {
  it("parses history entries newest first as sent", () => {
    const entries = parseHistory({
      entries: [
        { requestId: "2", time: 1700000100, kind: "algorithm", finalModel: null, verified: false, attempts: [] },
        {
          requestId: "1",
          time: "2024-01-01T00:00:00Z",
          instruction: "do it",
          kind: "bug_fixing",
          verified: true,
          finalModel: "a",
        },
      ],
    });
    assert.deepEqual(
      entries.map((e) => [e.requestId, e.time, e.instruction]),
      [
        ["2", 1700000100, null],
        ["1", "2024-01-01T00:00:00Z", "do it"],
      ],
    );
    assert.throws(() => parseHistory({}), /without entries/);
  });
  it("parses counts and explanations", () => {
    assert.equal(parseCount({ records: 12 }, "records"), 12);
    assert.equal(parseCount({ removed: 0 }, "removed"), 0);
    assert.throws(() => parseCount({ removed: "all" }, "removed"), /no number "removed"/);
    assert.equal(parseWhy({ why: "**because**" }), "**because**");
    assert.equal(parseWhy({}), "");
  });
});
