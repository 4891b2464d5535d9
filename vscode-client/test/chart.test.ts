import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  chartHtml,
  colourIndex,
  contentSecurityPolicy,
  escapeXml,
  modelStats,
  niceMax,
  passRateBars,
  passRateSeries,
  spendSeries,
  timeChart,
  timeMs,
} from "../src/chart";
import { attempt, historyEntry } from "./fixtures";

const T0 = 1_700_000_000; // unix seconds
const records = [
  // newest first, as the server sends them
  historyEntry({
    requestId: "r3",
    time: T0 + 7200,
    attempts: [attempt({ model: "strong", verdict: "pass", costUsd: 0.002 })],
  }),
  historyEntry({
    requestId: "r2",
    time: T0 + 3600,
    attempts: [attempt({ model: "cheap", verdict: "pass", costUsd: 0.0001 })],
  }),
  historyEntry({
    requestId: "r1",
    time: T0,
    attempts: [
      attempt({ model: "cheap", verdict: "fail", costUsd: 0.0001 }),
      attempt({ model: "strong", verdict: "pass", costUsd: null }),
    ],
  }),
];

describe("modelStats", () => {
  it("leaves errors (missing key, timeout) out of the pass rate but counts them as calls", () => {
    const [s] = modelStats([
      historyEntry({
        attempts: [
          attempt({ model: "m", verdict: "error", costUsd: 0 }),
          attempt({ model: "m", verdict: "pass" }),
          attempt({ model: "m", verdict: "fail" }),
        ],
      }),
    ]);
    assert.deepEqual([s.attempts, s.tested, s.passes, s.errors], [3, 2, 1, 1]);
    assert.equal(s.notCounted, 0);
    const html = passRateBars([s], colourIndex(["m"]));
    assert.match(html, /<span class="pct">50%<\/span>/);
    assert.match(html, /1\/2 passed · 1 error · /);
    const rate = passRateSeries([historyEntry({ attempts: [attempt({ model: "m", verdict: "error" })] })]);
    assert.deepEqual(rate, []);
  });
  it("leaves a pass the tests never reached (counted: false) out of the passes and the rate", () => {
    const entry = historyEntry({
      attempts: [
        attempt({ model: "m", verdict: "pass", counted: false, unrun: "no test ran 1 of the 1 statements" }),
        attempt({ model: "m", verdict: "fail" }),
      ],
    });
    const [s] = modelStats([entry]);
    assert.deepEqual([s.attempts, s.tested, s.passes, s.notCounted], [2, 1, 0, 1]);
    const [series] = passRateSeries([entry]);
    assert.deepEqual(
      series.points.map((p) => p.v),
      [0],
    );
  });
  it("leaves set-up failures (counted: false) out of the pass rate, also a fail", () => {
    const entry = historyEntry({
      attempts: [
        attempt({ model: "m", verdict: "fail", counted: false, detail: "the tests fail without the edit" }),
        attempt({ model: "m", verdict: "error", counted: false, costUsd: 0 }),
        attempt({ model: "m", verdict: "pass" }),
      ],
    });
    const [s] = modelStats([entry]);
    assert.deepEqual([s.attempts, s.tested, s.passes, s.errors, s.notCounted], [3, 1, 1, 1, 2]);
    assert.match(
      passRateBars([s], colourIndex(["m"])),
      /2 not counted \(set-up failures, passing provider trouble, passes the tests never reached\)/,
    );
    const [series] = passRateSeries([entry]);
    assert.deepEqual(
      series.points.map((p) => p.v),
      [1],
    );
  });
  it("counts attempts, verified passes and spend per model, most used first", () => {
    const stats = modelStats(records);
    assert.deepEqual(
      stats.map((s) => [s.model, s.attempts, s.passes, s.unpriced]),
      [
        ["cheap", 2, 1, 0],
        ["strong", 2, 2, 1],
      ],
    );
    assert.ok(Math.abs(stats[0].spendUsd - 0.0002) < 1e-12);
    assert.ok(Math.abs(stats[1].spendUsd - 0.002) < 1e-12);
  });
  it("adds compacted aggregates", () => {
    const [cheap] = modelStats(records, [{ model: "cheap", kind: "bug_fixing", n: 8, passes: 2, costUsdSum: 0.01 }]);
    assert.deepEqual([cheap.attempts, cheap.passes, cheap.compacted], [10, 3, 8]);
    assert.ok(Math.abs(cheap.spendUsd - 0.0102) < 1e-12);
  });
});

describe("series over time", () => {
  it("cumulative spend per model, oldest first", () => {
    const spend = spendSeries(records);
    const cheap = spend.find((s) => s.model === "cheap")!;
    assert.deepEqual(
      cheap.points.map((p) => p.t),
      [T0 * 1000, (T0 + 3600) * 1000],
    );
    assert.ok(Math.abs(cheap.points[1].v - 0.0002) < 1e-12);
    const strong = spend.find((s) => s.model === "strong")!;
    assert.deepEqual(
      strong.points.map((p) => p.v),
      [0, 0.002],
    );
  });
  it("cumulative pass rate per model", () => {
    const rate = passRateSeries(records);
    assert.deepEqual(
      rate.find((s) => s.model === "cheap")!.points.map((p) => p.v),
      [0, 0.5],
    );
    assert.deepEqual(
      rate.find((s) => s.model === "strong")!.points.map((p) => p.v),
      [1, 1],
    );
  });
  it("drops records without a usable time", () => {
    assert.deepEqual(spendSeries([historyEntry({ time: 0 }), historyEntry({ time: "garbage" })]), []);
    assert.equal(timeMs("2024-01-01T00:00:00Z"), Date.UTC(2024, 0, 1));
    assert.equal(timeMs(1_700_000_000_000), 1_700_000_000_000);
  });
});

describe("drawing", () => {
  it("escapes user text (model names) for XML", () => {
    assert.equal(escapeXml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
  it("picks nice axis maxima", () => {
    assert.equal(niceMax(0.0023), 0.005);
    assert.equal(niceMax(0.01), 0.01);
    assert.equal(niceMax(7), 10);
    assert.equal(niceMax(0), 1);
  });
  it("draws one line per series and one dot per point, inside the plot box", () => {
    const series = spendSeries(records);
    const html = timeChart(series, colourIndex(["cheap", "strong"]), { y: (v) => `$${v}`, tick: () => "t" }, "spend");
    assert.equal((html.match(/<path class="line /g) ?? []).length, 2);
    assert.equal((html.match(/<path class="dot /g) ?? []).length, 4);
    for (const m of html.matchAll(/class="dot s\d" d="M(-?[\d.]+) (-?[\d.]+)h0"/g)) {
      const [x, y] = [Number(m[1]), Number(m[2])];
      assert.ok(x >= 0 && x <= 1000 && y >= 0 && y <= 100, `dot (${x}, ${y}) inside the view box`);
    }
    // y axis from 0 to a nice maximum (0.002 spent by strong), labelled in HTML
    assert.match(
      html,
      /<span class="y0">\$0\.002<\/span><span class="y1">\$0\.001<\/span><span class="y2">\$0<\/span>/,
    );
    assert.equal(
      (html.match(/<div class="xaxis"><span>t<\/span><span>t<\/span><span>t<\/span><\/div>/g) ?? []).length,
      1,
    );
    assert.equal(timeChart([], new Map(), { y: String }, "empty"), "");
  });
  it("draws a bar per model, its length the pass rate", () => {
    const html = passRateBars(modelStats(records), colourIndex(["cheap", "strong"]));
    assert.match(html, /<span class="model">cheap<\/span><span class="pct">50%<\/span>/);
    assert.match(html, /<rect class="fill f0" x="0" y="0" width="500"/);
    assert.match(html, /<rect class="fill f1" x="0" y="0" width="1000"/);
    assert.match(html, /2\/2 passed · \$0\.0020 \+ 1 unpriced/);
  });
});

describe("chartHtml", () => {
  const nonce = "bm9uY2Vub25jZQ==";
  it("is a static page: strict CSP, no script, no remote resources, styles by nonce only", () => {
    const html = chartHtml(records, [], { nonce });
    assert.ok(html.includes(`content="${contentSecurityPolicy(nonce)}"`));
    assert.match(contentSecurityPolicy(nonce), /default-src 'none'/);
    assert.match(contentSecurityPolicy(nonce), /script-src 'none'/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    assert.doesNotMatch(html, / style="/, "no inline style attributes (the CSP would block them)");
    assert.equal((html.match(/<style nonce="bm9uY2Vub25jZQ==">/g) ?? []).length, 1);
  });
  it("summarises the data and draws the pass-rate bars and both time charts", () => {
    const html = chartHtml(records, [], { nonce });
    assert.match(html, /<b>3<\/b> requests · <b>3<\/b> verified · <b>4<\/b> model calls/);
    assert.match(html, /Verified pass rate by model/);
    assert.match(html, />50%</);
    assert.match(html, />100%</);
    assert.match(html, /Pass rate over time/);
    assert.match(html, /Spend over time/);
    assert.equal((html.match(/<svg class="bar"/g) ?? []).length, 2);
    assert.equal((html.match(/<svg class="lines"/g) ?? []).length, 2);
  });
  it("explains the empty chart", () => {
    const html = chartHtml([], [], { nonce });
    assert.match(html, /No routed requests yet/);
    assert.doesNotMatch(html, /<svg /);
  });
  it("does not let a model name inject markup", () => {
    const evil = historyEntry({ attempts: [attempt({ model: "<img src=x onerror=alert(1)>" })] });
    const html = chartHtml([evil], [], { nonce });
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /&lt;img/);
  });
});
