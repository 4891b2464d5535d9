import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diffStats, unifiedDiff } from "../src/diff";

describe("unifiedDiff", () => {
  it("is empty for equal texts", () => {
    assert.equal(unifiedDiff("a\nb\n", "a\nb\n", "x.py"), "");
  });

  it("shows a one-line change with three lines of context and line numbers", () => {
    const before = "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\n";
    const after = "l1\nl2\nl3\nl4\nL5\nl6\nl7\nl8\n";
    assert.equal(
      unifiedDiff(before, after, "src/x.py"),
      [
        "--- a/src/x.py",
        "+++ b/src/x.py",
        "@@ -2,7 +2,7 @@",
        " l2",
        " l3",
        " l4",
        "-l5",
        "+L5",
        " l6",
        " l7",
        " l8",
        "",
      ].join("\n"),
    );
  });

  it("fixes the sample bug the way the UI test expects", () => {
    const d = unifiedDiff("def add(a, b):\n    return a - b\n", "def add(a, b):\n    return a + b\n", "calc.py");
    assert.equal(
      d,
      "--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n",
    );
  });

  it("splits far-apart changes into separate hunks and merges close ones", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const changed = [...lines];
    changed[2] = "CHANGED 3";
    changed[25] = "CHANGED 26";
    const d = unifiedDiff(lines.join("\n") + "\n", changed.join("\n") + "\n", "f");
    assert.deepEqual(
      d.split("\n").filter((l) => l.startsWith("@@")),
      ["@@ -1,6 +1,6 @@", "@@ -23,7 +23,7 @@"],
    );
    const near = [...lines];
    near[2] = "A";
    near[8] = "B";
    const merged = unifiedDiff(lines.join("\n") + "\n", near.join("\n") + "\n", "f");
    assert.equal(merged.split("\n").filter((l) => l.startsWith("@@")).length, 1);
  });

  it("handles insertions at the top, deletions at the end, and new or emptied files", () => {
    assert.match(unifiedDiff("b\n", "a\nb\n", "f"), /@@ -1 \+1,2 @@\n\+a\n b\n$/);
    assert.match(unifiedDiff("b\n", "a\nb\n", "f", { context: 0 }), /@@ -0,0 \+1 @@\n\+a\n$/);
    assert.match(unifiedDiff("a\nb\n", "a\n", "f"), /@@ -1,2 \+1 @@\n a\n-b\n$/);
    assert.match(unifiedDiff("", "x\ny\n", "f"), /@@ -0,0 \+1,2 @@\n\+x\n\+y\n$/);
    assert.match(unifiedDiff("x\n", "", "f"), /@@ -1 \+0,0 @@\n-x\n$/);
  });

  it("marks a missing newline at the end of file", () => {
    const d = unifiedDiff("a\nb", "a\nb\n", "f");
    assert.match(d, /-b\n\\ No newline at end of file\n\+b\n$/);
    const e = unifiedDiff("a\n", "a\nc", "f");
    assert.match(e, /\+c\n\\ No newline at end of file\n$/);
  });

  it("puts deletions before insertions and stays minimal for interleaved edits", () => {
    const d = unifiedDiff("a\nb\nc\nd\n", "a\nB\nc\nD\n", "f");
    assert.equal(d.split("\n").slice(3).join("\n"), " a\n-b\n+B\n c\n-d\n+D\n");
    assert.deepEqual(diffStats(d), { added: 2, removed: 2 });
  });

  it("falls back to one replace block when the changed middle is too large to compare", () => {
    const before = Array.from({ length: 50 }, (_, i) => `o${i}`).join("\n") + "\n";
    const after = Array.from({ length: 50 }, (_, i) => (i % 2 ? `o${i}` : `n${i}`)).join("\n") + "\n";
    const d = unifiedDiff(before, after, "f", { maxCells: 100 });
    const stats = diffStats(d);
    assert.equal(stats.removed, 49); // o0..o48: the last line is common
    assert.equal(stats.added, 49);
    const minimal = diffStats(unifiedDiff(before, after, "f"));
    assert.deepEqual(minimal, { added: 25, removed: 25 });
  });

  it("treats CRLF like LF (no hunk for line endings alone)", () => {
    assert.equal(unifiedDiff("a\r\nb\r\n", "a\nb\n", "f"), "");
  });
});
