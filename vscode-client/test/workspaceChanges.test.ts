import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyPrompt } from "../src/present";
import { parseChangedSince, parseVerifyAgain, type WorkspaceChange } from "../src/protocol";
import {
  alreadyTold,
  type Drift,
  driftDetail,
  driftMessage,
  driftOf,
  listChanges,
  recheckMessage,
} from "../src/workspaceChanges";

const ws = "file:///home/u/proj";
const change = (path: string, how = "changed on disk"): WorkspaceChange => ({ path, uri: `${ws}/${path}`, how });
const same = (a: string, b: string): boolean => decodeURIComponent(a) === decodeURIComponent(b);

describe("changedSince replies", () => {
  it("are parsed, a change without a path dropped", () => {
    const reply = parseChangedSince({
      known: true,
      changes: [
        { path: "tests/test_calc.py", uri: `${ws}/tests/test_calc.py`, how: "edited, not saved" },
        { uri: `${ws}/x.py`, how: "added" },
        "junk",
      ],
    });
    assert.deepEqual(reply, { known: true, changes: [change("tests/test_calc.py", "edited, not saved")] });
    assert.deepEqual(parseChangedSince({}), { known: false, changes: [] });
  });
});

describe("what the user hears at Apply", () => {
  it("a test file edited since the tests ran, not saved", () => {
    const drift = driftOf({ known: true, changes: [change("tests/test_calc.py", "edited, not saved")] }, [], same);
    assert.equal(
      `ACRouter: ${driftMessage(drift)}.`,
      "ACRouter: the tests ran before tests/test_calc.py (edited, not saved) changed; " +
        "the verdict may not hold for the workspace as it is now.",
    );
  });

  it("the files the edit changes are left to their own, stricter check", () => {
    const reply = { known: true, changes: [change("calc.py"), change("conftest.py")] };
    const drift = driftOf(reply, ["file:///home/u/proj/calc.py"], same);
    assert.deepEqual(drift, { kind: "changed", changes: [change("conftest.py")] });
    assert.deepEqual(driftOf({ known: true, changes: [change("calc.py")] }, [`${ws}/calc.py`], same), {
      kind: "same",
    });
    assert.equal(driftMessage({ kind: "same" }), null);
  });

  it("names up to three files, then how many more", () => {
    assert.equal(listChanges([change("a.py"), change("b.py", "added")]), "a.py (changed on disk) and b.py (added)");
    const five = ["a", "b", "c", "d", "e"].map((n) => change(`${n}.py`));
    assert.equal(
      listChanges(five),
      "a.py (changed on disk), b.py (changed on disk), c.py (changed on disk) and 2 more",
    );
    const detail = driftDetail({ kind: "changed", changes: five }) ?? "";
    assert.equal(detail.split("\n").length, 6, "the modal's detail lists every file");
    assert.match(detail, /• e\.py \(changed on disk\)$/);
  });

  it("a server that no longer knows the request cannot vouch for the workspace", () => {
    const drift = driftOf({ known: false, changes: [] }, [], same);
    assert.equal(drift.kind, "unknown");
    assert.match(
      driftMessage(drift) ?? "",
      /^the workspace may have changed since the tests ran \(.*restarted\?\); the verdict/,
    );
  });

  it("is asked again only for what the prompt beside the preview did not say", () => {
    const told: Drift = { kind: "changed", changes: [change("conftest.py")] };
    assert.equal(alreadyTold({ kind: "same" }, { kind: "same" }), true);
    assert.equal(alreadyTold({ kind: "changed", changes: [change("conftest.py")] }, told), true);
    assert.equal(alreadyTold({ kind: "changed", changes: [change("conftest.py")] }, { kind: "same" }), false);
    assert.equal(alreadyTold({ kind: "changed", changes: [change("conftest.py"), change("b.py")] }, told), false);
    assert.equal(alreadyTold({ kind: "changed", changes: [change("conftest.py", "removed")] }, told), false);
    assert.equal(alreadyTold({ kind: "unknown", reason: "x" }, told), false);
    assert.equal(alreadyTold({ kind: "unknown", reason: "x" }, { kind: "unknown", reason: "y" }), true);
  });

  it("the apply prompt says it before the question", () => {
    const summary = {
      requestId: "r",
      kind: "bug_fixing",
      finalModel: "strong",
      verified: true,
      costUsd: 0.001,
      latencyMs: 10,
      attempts: [],
      why: "",
    };
    const caution = driftMessage({ kind: "changed", changes: [change("conftest.py")] });
    const prompt = applyPrompt(summary, [], caution);
    assert.match(
      prompt,
      /\. But the tests ran before conftest\.py \(changed on disk\) changed; .* as it is now\. Apply the edit\?$/,
    );
    assert.doesNotMatch(applyPrompt(summary, []), /But/);
  });
});

describe("the tests run again on the edit (Verify Again)", () => {
  const reply = (verdict: string, detail: string) =>
    parseVerifyAgain({ known: true, verdict, detail, testsPassed: 2, testsFailed: 0 });
  it("say what the tests said on the workspace as it is now", () => {
    assert.equal(
      recheckMessage(reply("pass", "pass with your tests: 2 passed, 0 failed")),
      "verified again on the workspace as it is now: pass with your tests: 2 passed, 0 failed",
    );
    assert.equal(
      recheckMessage(reply("fail", "1 failed: test_add")),
      "with the workspace as it is now, the edit fails your tests: 1 failed: test_add",
    );
    assert.equal(recheckMessage(reply("error", "")), "the tests could not run on the edit again");
  });
  it("never read a forgotten request as a pass", () => {
    const gone = parseVerifyAgain({ known: false });
    assert.match(recheckMessage(gone), /no longer knows .* could not run again$/);
  });
});
