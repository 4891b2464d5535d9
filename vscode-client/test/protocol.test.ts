import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  parseCount,
  parseExport,
  parseHistory,
  parseRouteResult,
  parseVerifyAgain,
  parseWhy,
  ProtocolError,
  ServerCommand,
} from "../src/protocol";

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
    baseDigests: { "file:///w/a.py": "sha256:00ff", "file:///w/new.py": "absent" },
  };
  it("keeps every field of a well-formed reply", () => {
    const r = parseRouteResult(wire);
    assert.equal(r.requestId, "abc");
    assert.equal(r.finalModel, "strong");
    assert.equal(r.verified, true);
    assert.equal(r.attempts[0].testsPassed, 3);
    assert.deepEqual(r.edit, wire.edit);
    assert.deepEqual(r.baseDigests, wire.baseDigests);
    assert.equal(r.attempts[0].unrun, undefined);
  });
  it("keeps a pass's unrun lines (only a non-empty string)", () => {
    const unrun = "no test ran 1 of the 1 statements the edit changes: a.py line 3";
    const attempt = { ...wire.attempts[0], unrun };
    assert.equal(parseRouteResult({ ...wire, attempts: [attempt] }).attempts[0].unrun, unrun);
    for (const bad of ["", 3, null])
      assert.equal("unrun" in parseRouteResult({ ...wire, attempts: [{ ...attempt, unrun: bad }] }).attempts[0], false);
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
      counted: false, // an older server's rule: an error without a model-side kind is not counted
    });
    assert.equal(r.edit, null);
    assert.deepEqual(r.baseDigests, {}); // no digest: the edit's other files are not applied
    assert.deepEqual(parseRouteResult({ baseDigests: { "file:///a": 3, "file:///b": "absent" } }).baseDigests, {
      "file:///b": "absent",
    });
  });
  it("reads counted, and derives it for servers that do not send it", () => {
    const r = parseRouteResult({
      requestId: "x",
      verified: false,
      edit: null,
      attempts: [
        { model: "a", verdict: "fail", detail: "tests fail without the edit", counted: false },
        { model: "b", verdict: "error", detail: "timeout: no reply within 120 s" },
        { model: "c", verdict: "error", detail: "auth: environment variable K is not set" },
        { model: "d", verdict: "fail", detail: "1 failed" },
      ],
    });
    assert.deepEqual(
      r.attempts.map((a) => a.counted),
      [false, true, false, true],
    );
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
  it("marks a cancelled request, as the server's history or an exported record says it", () => {
    const base = { kind: "bug_fixing", finalModel: null, verified: false, attempts: [] };
    const [sent, exported, plain] = parseHistory({
      entries: [
        { ...base, requestId: "3", time: 3, cancelled: true },
        { ...base, requestId: "2", time: 2, meta: { cancelled: true } },
        { ...base, requestId: "1", time: 1, cancelled: "yes" },
      ],
    });
    assert.equal(sent.cancelled, true);
    assert.equal(exported.cancelled, true);
    assert.equal(plain.cancelled, undefined);
  });
  it("parses counts and explanations", () => {
    assert.equal(parseCount({ records: 12 }, "records"), 12);
    assert.equal(parseCount({ removed: 0 }, "removed"), 0);
    assert.throws(() => parseCount({ removed: "all" }, "removed"), /no number "removed"/);
    assert.equal(parseWhy({ why: "**because**" }), "**because**");
    assert.equal(parseWhy({}), "");
  });
});

describe("parseVerifyAgain", () => {
  it("reads a verdict, and never takes an unknown one for a pass", () => {
    assert.deepEqual(
      parseVerifyAgain({ known: true, verdict: "fail", detail: "1 failed", testsPassed: 1, testsFailed: 1 }),
      { known: true, verdict: "fail", detail: "1 failed", testsPassed: 1, testsFailed: 1 },
    );
    assert.deepEqual(parseVerifyAgain({ known: false }), {
      known: false,
      verdict: "error",
      detail: "",
      testsPassed: null,
      testsFailed: null,
    });
    assert.equal(parseVerifyAgain({ known: true, verdict: "PASS" }).verdict, "error");
    assert.throws(() => parseVerifyAgain("pass"), ProtocolError);
  });
});

describe("parseExport", () => {
  // One record exactly as the server's memory.outcome_to_dict writes it.
  const record = {
    requestId: "r1",
    time: 1700000000.0,
    kind: "bug_fixing",
    attempts: [
      {
        model: "cheap",
        verdict: "fail",
        costUsd: 0.0001,
        latencyMs: 900.0,
        detail: "1 failed, 1 passed",
        testsPassed: 1,
        testsFailed: 1,
        score: null,
      },
      {
        model: "strong",
        verdict: "pass",
        costUsd: 0.0003,
        latencyMs: 1200.0,
        detail: "2 passed",
        testsPassed: 2,
        testsFailed: 0,
        score: null,
      },
    ],
    finalModel: "strong",
    verified: true,
    why: "cheap failed",
    workspaceId: null,
    instruction: "Fix add",
    features: [],
    meta: {},
  };

  it("reads records like history entries, deriving total cost and latency from the attempts", () => {
    const exp = parseExport({
      version: 1,
      records: [record],
      aggregates: [{ model: "cheap", kind: "bug_fixing", n: 4, scoreSum: 1, passes: 1, costUsdSum: 0.002 }],
    });
    assert.equal(exp.version, 1);
    const [r] = exp.records;
    assert.equal(r.requestId, "r1");
    assert.equal(r.instruction, "Fix add");
    assert.equal(r.latencyMs, 2100);
    assert.ok(Math.abs((r.costUsd ?? 0) - 0.0004) < 1e-12);
    assert.deepEqual(exp.aggregates, [{ model: "cheap", kind: "bug_fixing", n: 4, passes: 1, costUsdSum: 0.002 }]);
  });

  it("keeps the cost unknown when an attempt's price is, and prefers meta.latency_ms", () => {
    const unpriced = { ...record, attempts: [{ ...record.attempts[0], costUsd: null }], meta: { latency_ms: 5000 } };
    const [r] = parseExport({ version: 1, records: [unpriced], aggregates: [] }).records;
    assert.equal(r.costUsd, null);
    assert.equal(r.latencyMs, 5000);
  });

  it("rejects replies that are not an export", () => {
    assert.throws(() => parseExport({ version: 1 }), ProtocolError);
    assert.throws(() => parseExport([]), ProtocolError);
    assert.deepEqual(parseExport({ records: [] }).aggregates, []);
  });

  it("is a server command", () => {
    assert.equal(ServerCommand.exportMemory, "acrouter.server.exportMemory");
  });
});
