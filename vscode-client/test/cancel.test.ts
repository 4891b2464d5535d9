import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Cancelled, raceCancellation, type CancellationLike } from "../src/cancel";

class Source implements CancellationLike {
  isCancellationRequested = false;
  private listeners: (() => unknown)[] = [];
  onCancellationRequested(listener: () => unknown): { dispose(): void } {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  }
  cancel(): void {
    this.isCancellationRequested = true;
    for (const l of [...this.listeners]) l();
  }
  get listening(): number {
    return this.listeners.length;
  }
}

describe("raceCancellation", () => {
  it("passes the result through and stops listening", async () => {
    const token = new Source();
    assert.equal(await raceCancellation(Promise.resolve(42), token), 42);
    assert.equal(token.listening, 0);
  });
  it("rejects at once on cancel, without waiting for the server", async () => {
    const token = new Source();
    const never = new Promise<number>(() => undefined);
    const raced = raceCancellation(never, token);
    token.cancel();
    await assert.rejects(raced, Cancelled);
    assert.equal(token.listening, 0);
  });
  it("rejects immediately when already cancelled", async () => {
    const token = new Source();
    token.cancel();
    await assert.rejects(raceCancellation(Promise.resolve(1), token), Cancelled);
  });
  it("reports the server's cancellation error as Cancelled, other errors as they are", async () => {
    const token = new Source();
    token.isCancellationRequested = false;
    await assert.rejects(raceCancellation(Promise.reject(new Error("boom")), token), /boom/);
    const late = new Source();
    const p = raceCancellation(
      new Promise((_, reject) => {
        late.isCancellationRequested = true; // cancelled while the request failed
        reject(new Error("RequestCancelled"));
      }),
      late,
    );
    await assert.rejects(p, Cancelled);
  });
});
