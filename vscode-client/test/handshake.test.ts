import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { handshake } from "../src/handshake";

describe("handshake", () => {
  it("accepts a server of the extension's version", () => {
    assert.deepEqual(handshake("0.1.0", "python3", { name: "acrouter", version: "0.1.0" }), {
      ok: true,
      version: "0.1.0",
    });
  });
  it("names a server of another version and offers the reinstall", () => {
    const r = handshake("0.1.0", "/home/me/.venv/bin/python", { name: "acrouter", version: "0.0.9" });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.serverVersion, "0.0.9");
    assert.match(
      r.message,
      /^ACRouter: the language server \(\/home\/me\/\.venv\/bin\/python\) is version 0\.0\.9, but this extension is 0\.1\.0\. /,
    );
    assert.match(r.message, /Reinstall Server puts the matching server \(0\.1\.0\)/);
    assert.match(r.message, /Route and Complete waits until then/);
  });
  it("treats a server without a version as a mismatch", () => {
    for (const info of [undefined, { name: "acrouter" }, { name: "acrouter", version: " " }]) {
      const r = handshake("0.1.0", "python3", info);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.serverVersion, undefined);
        assert.match(r.message, /does not report its version/);
      }
    }
  });
});
