import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { boundDiff, DIFF_STORE_KEY, DiffStore, type MementoLike } from "../src/diffStore";

class Memento implements MementoLike {
  data = new Map<string, unknown>();
  writes = 0;
  get<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.writes++;
    // like VS Code: values go through JSON
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.parse(JSON.stringify(value)));
  }
}

const entry = (requestId: string, diff = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n") => ({
  requestId,
  file: "x",
  diff,
  otherFiles: [],
  applied: null,
});

describe("DiffStore", () => {
  it("keeps diffs by request id, newest first, and records whether they were applied", async () => {
    const m = new Memento();
    const store = new DiffStore(m);
    await store.put(entry("r1"));
    await store.put(entry("r2"));
    assert.deepEqual(
      store.all().map((d) => d.requestId),
      ["r2", "r1"],
    );
    assert.equal(store.get("r1")?.applied, null);
    await store.markApplied("r1", true);
    assert.equal(store.get("r1")?.applied, true);
    await store.markApplied("missing", true); // no-op
    assert.equal(store.all().length, 2);
    assert.equal(store.get("nope"), undefined);
  });

  it("is bounded in count and in size per diff", async () => {
    const m = new Memento();
    const store = new DiffStore(m, { maxEntries: 3, maxCharsPerDiff: 40 });
    for (let i = 0; i < 5; i++) await store.put(entry(`r${i}`));
    assert.deepEqual(
      store.all().map((d) => d.requestId),
      ["r4", "r3", "r2"],
    );
    const big = "--- a/x\n+++ b/x\n" + "+line of code\n".repeat(20);
    const stored = await store.put(entry("big", big));
    assert.ok(stored.truncated);
    assert.ok(stored.diff.length <= 40);
    assert.ok(stored.diff.endsWith("\n"), "cut at a line boundary");
  });

  it("replaces an entry stored again under the same id, and clears", async () => {
    const m = new Memento();
    const store = new DiffStore(m);
    await store.put(entry("r1", "old"));
    await store.put(entry("r1", "new"));
    assert.equal(store.all().length, 1);
    assert.equal(store.get("r1")?.diff, "new");
    await store.clear();
    assert.deepEqual(store.all(), []);
    assert.equal(m.data.has(DIFF_STORE_KEY), false);
  });

  it("ignores junk in the memento", () => {
    const m = new Memento();
    m.data.set(DIFF_STORE_KEY, [{ requestId: 1 }, null, "x", { requestId: "ok", file: "f", diff: "" }]);
    assert.deepEqual(
      new DiffStore(m).all().map((d) => d.requestId),
      ["ok"],
    );
    m.data.set(DIFF_STORE_KEY, "not a list");
    assert.deepEqual(new DiffStore(m).all(), []);
  });

  it("boundDiff leaves short diffs alone", () => {
    assert.deepEqual(boundDiff("abc\n", 10), { diff: "abc\n", truncated: false });
    assert.deepEqual(boundDiff("a\nb\nc\n", 4), { diff: "a\nb\n", truncated: true });
  });
});
