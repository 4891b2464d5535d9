// The "Models" chart of the user's own routing memory: per-model verified pass
// rate, and pass rate and spend over time, drawn as inline SVG in a webview
// page with a strict Content-Security-Policy (no scripts, no remote anything,
// styles by nonce only). Pure module (no `vscode`): unit tested under node.

import { formatCost } from "./present";
import type { HistoryEntry, MemoryAggregate } from "./protocol";

export interface ModelStats {
  model: string;
  /** Every call of the model. */
  attempts: number;
  /** Calls whose answer was tested (pass or fail): the pass rate's denominator. */
  tested: number;
  passes: number;
  /** Calls that failed before any test (missing key, timeout, bad reply). */
  errors: number;
  /** Calls that failed on the set-up or the provider's passing trouble, and passes whose
   * tests never reached the edit (counted: false), left out of the pass rate. */
  notCounted: number;
  /** Sum of the known attempt costs (USD). */
  spendUsd: number;
  /** Attempts whose price was unknown (left out of spendUsd). */
  unpriced: number;
  /** Attempts counted from compacted aggregates (older than the kept records). */
  compacted: number;
}

export interface Point {
  /** Unix milliseconds. */
  t: number;
  v: number;
}

export interface Series {
  model: string;
  points: Point[];
}

/** Unix milliseconds of a record's time (seconds, milliseconds or ISO); NaN if unknown. */
export function timeMs(time: number | string): number {
  if (typeof time === "number") return time > 1e12 ? time : time * 1000;
  const t = Date.parse(time);
  return Number.isNaN(t) ? NaN : t;
}

/** Oldest first, records without a usable time dropped. */
function chronological(records: readonly HistoryEntry[]): HistoryEntry[] {
  return records
    .filter((r) => Number.isFinite(timeMs(r.time)) && timeMs(r.time) > 0)
    .sort((a, b) => timeMs(a.time) - timeMs(b.time));
}

/** Per model: attempts, verified passes and spend, most used first. */
export function modelStats(
  records: readonly HistoryEntry[],
  aggregates: readonly MemoryAggregate[] = [],
): ModelStats[] {
  const byModel = new Map<string, ModelStats>();
  const stats = (model: string): ModelStats => {
    let s = byModel.get(model);
    if (!s) {
      s = {
        model,
        attempts: 0,
        tested: 0,
        passes: 0,
        errors: 0,
        notCounted: 0,
        spendUsd: 0,
        unpriced: 0,
        compacted: 0,
      };
      byModel.set(model, s);
    }
    return s;
  };
  for (const r of records) {
    for (const a of r.attempts) {
      const s = stats(a.model);
      s.attempts++;
      if (!a.counted) s.notCounted++;
      if (a.verdict === "error") s.errors++;
      else if (a.counted) s.tested++;
      if (a.verdict === "pass" && a.counted) s.passes++; // (an idle pass is not learned)
      if (a.costUsd === null) s.unpriced++;
      else s.spendUsd += a.costUsd;
    }
  }
  for (const g of aggregates) {
    if (g.n <= 0) continue;
    const s = stats(g.model);
    s.attempts += g.n;
    s.tested += g.n;
    s.compacted += g.n;
    s.passes += g.passes;
    s.spendUsd += g.costUsdSum;
  }
  return [...byModel.values()].sort((a, b) => b.attempts - a.attempts || a.model.localeCompare(b.model));
}

/** Cumulative spend per model over time: one point per request that called the model. */
export function spendSeries(records: readonly HistoryEntry[]): Series[] {
  const out = new Map<string, Point[]>();
  const total = new Map<string, number>();
  for (const r of chronological(records)) {
    const t = timeMs(r.time);
    const spent = new Map<string, number>();
    for (const a of r.attempts) spent.set(a.model, (spent.get(a.model) ?? 0) + (a.costUsd ?? 0));
    for (const [model, usd] of spent) {
      const sum = (total.get(model) ?? 0) + usd;
      total.set(model, sum);
      const points = out.get(model) ?? [];
      points.push({ t, v: sum });
      out.set(model, points);
    }
  }
  return [...out.entries()].map(([model, points]) => ({ model, points }));
}

/** Cumulative verified pass rate (0..1) per model over time: one point per tested attempt (errors and
 * set-up failures left out). */
export function passRateSeries(records: readonly HistoryEntry[]): Series[] {
  const out = new Map<string, Point[]>();
  const counts = new Map<string, { n: number; pass: number }>();
  for (const r of chronological(records)) {
    const t = timeMs(r.time);
    for (const a of r.attempts) {
      if (a.verdict === "error" || !a.counted) continue;
      const c = counts.get(a.model) ?? { n: 0, pass: 0 };
      c.n++;
      if (a.verdict === "pass") c.pass++;
      counts.set(a.model, c);
      const points = out.get(a.model) ?? [];
      points.push({ t, v: c.pass / c.n });
      out.set(a.model, points);
    }
  }
  return [...out.entries()].map(([model, points]) => ({ model, points }));
}

// ----------------------------------------------------------------- drawing
//
// Text is HTML (it keeps its size in a narrow side bar); the geometry is SVG in a
// 0..1000 x 0..100 box stretched to the width (preserveAspectRatio="none", strokes
// with vector-effect="non-scaling-stroke", so lines stay 2 px and dots stay round).
// The CSP forbids style attributes: every style comes from classes in the nonce'd sheet.

/** Chart colours: VS Code's theme chart colours, one per model in a stable order. */
export const PALETTE = ["blue", "orange", "green", "purple", "yellow", "red"] as const;

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function fmt(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

/** Stable colour index per model: the order of the bar chart (most used first). */
export function colourIndex(models: readonly string[]): Map<string, number> {
  return new Map(models.map((m, i) => [m, i % PALETTE.length]));
}

const BOX_W = 1000;
const BOX_H = 100;

function stretchedSvg(cls: string, body: string, label: string): string {
  return (
    `<svg class="${cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${BOX_W} ${BOX_H}" ` +
    `preserveAspectRatio="none" role="img" aria-label="${escapeXml(label)}">${body}</svg>`
  );
}

/** Per model: name and pass rate, a bar, then "passes/attempts passed · spend". */
export function passRateBars(stats: readonly ModelStats[], colours: Map<string, number>): string {
  const rows = stats.map((s) => {
    const rate = s.tested ? s.passes / s.tested : 0;
    const c = colours.get(s.model) ?? 0;
    const errors = s.errors ? ` · ${s.errors} error${s.errors === 1 ? "" : "s"}` : "";
    const spend =
      formatCost(s.spendUsd) + (s.unpriced ? ` + ${s.unpriced} unpriced` : "") + (s.compacted ? " (incl. older)" : "");
    const width = Math.max(rate * BOX_W, rate > 0 ? 12 : 0);
    const tip =
      `${s.model}: ${s.passes} of ${s.tested} tested answers passed your tests` +
      (s.errors ? `; ${s.errors} calls failed before testing (key, timeout, reply)` : "") +
      (s.notCounted
        ? `; ${s.notCounted} not counted (set-up failures, passing provider trouble, passes the tests never reached)`
        : "") +
      `; spent ${spend}`;
    return [
      `<div class="bar-row" title="${escapeXml(tip)}">`,
      `<div class="bar-head"><span class="model">${escapeXml(s.model)}</span><span class="pct">${Math.round(rate * 100)}%</span></div>`,
      stretchedSvg(
        "bar",
        `<rect class="track" x="0" y="0" width="${BOX_W}" height="${BOX_H}" rx="4"/>` +
          `<rect class="fill f${c}" x="0" y="0" width="${fmt(width)}" height="${BOX_H}" rx="4"/>`,
        `${s.model}: ${Math.round(rate * 100)}% passed`,
      ),
      `<div class="sub">${s.passes}/${s.tested} passed${errors} · ${escapeXml(spend)}</div>`,
      `</div>`,
    ].join("");
  });
  return `<div class="bars">${rows.join("")}</div>`;
}

export interface AxisOptions {
  /** Formats a y value for the axis, e.g. "50%" or "$0.01". */
  y: (v: number) => string;
  /** Upper end of the y axis; computed from the data when absent. */
  yMax?: number;
  /** Formats a time tick; local HH:MM or MM-DD by default. */
  tick?: (t: number, spanMs: number) => string;
}

export function defaultTick(t: number, spanMs: number): string {
  const d = new Date(t);
  const p = (n: number): string => String(n).padStart(2, "0");
  return spanMs < 36 * 3600_000
    ? `${p(d.getHours())}:${p(d.getMinutes())}`
    : `${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** A "nice" axis maximum >= v: 1, 2 or 5 times a power of ten. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (m * p >= v * (1 - 1e-9)) return m * p;
  return 10 * p;
}

/** Step lines of several series over a shared time axis, with HTML axis labels. */
export function timeChart(
  series: readonly Series[],
  colours: Map<string, number>,
  axis: AxisOptions,
  title: string,
): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return "";
  let t0 = Math.min(...all.map((p) => p.t));
  let t1 = Math.max(...all.map((p) => p.t));
  if (t1 - t0 < 60_000) {
    t0 -= 30_000;
    t1 += 30_000;
  }
  const yMax = axis.yMax ?? niceMax(Math.max(...all.map((p) => p.v)));
  // 4 units of room at the top and bottom so that dots on the edges are whole
  const x = (t: number): number => ((t - t0) / (t1 - t0)) * BOX_W;
  const y = (v: number): number => 4 + (1 - Math.min(v, yMax) / yMax) * (BOX_H - 8);
  const tick = axis.tick ?? defaultTick;
  const parts: string[] = [];
  for (const f of [0, 0.5, 1])
    parts.push(`<line class="grid" x1="0" x2="${BOX_W}" y1="${fmt(y(yMax * f))}" y2="${fmt(y(yMax * f))}"/>`);
  for (const s of series) {
    const c = colours.get(s.model) ?? 0;
    let d = "";
    s.points.forEach((p, i) => {
      d += i === 0 ? `M${fmt(x(p.t))} ${fmt(y(p.v))}` : `H${fmt(x(p.t))}V${fmt(y(p.v))}`;
    });
    const last = s.points[s.points.length - 1];
    d += `H${BOX_W}`;
    parts.push(`<path class="line s${c}" d="${d}"><title>${escapeXml(`${s.model}: ${axis.y(last.v)}`)}</title></path>`);
    for (const p of s.points) parts.push(`<path class="dot s${c}" d="M${fmt(x(p.t))} ${fmt(y(p.v))}h0"/>`);
  }
  const ticks = [t0, (t0 + t1) / 2, t1].map((t) => `<span>${escapeXml(tick(t, t1 - t0))}</span>`).join("");
  const ylabels = [1, 0.5, 0].map((f, i) => `<span class="y${i}">${escapeXml(axis.y(yMax * f))}</span>`).join("");
  return [
    `<div class="chart">`,
    `<div class="yaxis">${ylabels}</div>`,
    `<div class="plot">${stretchedSvg("lines", parts.join(""), title)}<div class="xaxis">${ticks}</div></div>`,
    `</div>`,
  ].join("");
}

function legend(models: readonly string[], colours: Map<string, number>): string {
  const items = models.map(
    (m) =>
      `<span class="key">${stretchedSvg("swatch", `<rect class="f${colours.get(m) ?? 0}" width="${BOX_W}" height="${BOX_H}" rx="200"/>`, m)}${escapeXml(m)}</span>`,
  );
  return `<div class="legend">${items.join("")}</div>`;
}

export interface ChartPageOptions {
  /** A fresh random nonce per render: the only styles allowed are ours. */
  nonce: string;
}

export function contentSecurityPolicy(nonce: string): string {
  return `default-src 'none'; style-src 'nonce-${nonce}'; img-src data:; font-src 'none'; script-src 'none'; frame-src 'none'; form-action 'none'`;
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 2px 14px 16px 20px; max-width: 620px; }
h2 { font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; color: var(--vscode-descriptionForeground); margin: 18px 0 8px; }
.summary { color: var(--vscode-descriptionForeground); margin: 8px 0 4px; line-height: 1.6; }
.summary b { color: var(--vscode-foreground); font-weight: 600; }
.empty { color: var(--vscode-descriptionForeground); line-height: 1.5; }
svg { display: block; }
.bar-row { margin: 0 0 10px; }
.bar-head { display: flex; justify-content: space-between; align-items: baseline; margin-bottom: 3px; }
.model { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.pct { font-weight: 600; font-variant-numeric: tabular-nums; margin-left: 8px; }
svg.bar { width: 100%; height: 8px; }
.sub { color: var(--vscode-descriptionForeground); font-size: .9em; margin-top: 3px; }
.track { fill: var(--vscode-charts-lines, rgba(128,128,128,.35)); opacity: .45; }
.chart { display: flex; gap: 6px; }
.yaxis { position: relative; width: 52px; flex: none; height: 96px; color: var(--vscode-descriptionForeground); font-size: 10px; text-align: right; }
.yaxis span { position: absolute; right: 0; line-height: 1; transform: translateY(-50%); font-variant-numeric: tabular-nums; }
.yaxis .y0 { top: 4%; } .yaxis .y1 { top: 50%; } .yaxis .y2 { top: 96%; }
.plot { flex: 1; min-width: 0; }
svg.lines { width: 100%; height: 96px; overflow: visible; }
.xaxis { display: flex; justify-content: space-between; color: var(--vscode-descriptionForeground); font-size: 10px; margin-top: 4px; font-variant-numeric: tabular-nums; }
.grid { stroke: var(--vscode-charts-lines, rgba(128,128,128,.35)); stroke-width: 1; opacity: .6; vector-effect: non-scaling-stroke; }
.line { fill: none; stroke-width: 2; stroke-linejoin: round; vector-effect: non-scaling-stroke; }
.dot { fill: none; stroke-width: 6; stroke-linecap: round; vector-effect: non-scaling-stroke; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 0 0 8px; color: var(--vscode-descriptionForeground); }
.key { display: inline-flex; align-items: center; gap: 6px; }
svg.swatch { width: 10px; height: 10px; }
.note { color: var(--vscode-descriptionForeground); font-size: .9em; margin-top: 16px; }
${PALETTE.map((c, i) => `.f${i} { fill: var(--vscode-charts-${c}); } .s${i} { stroke: var(--vscode-charts-${c}); }`).join("\n")}
`;

/** The whole chart page for the webview. */
export function chartHtml(
  records: readonly HistoryEntry[],
  aggregates: readonly MemoryAggregate[],
  opts: ChartPageOptions,
): string {
  const stats = modelStats(records, aggregates);
  const colours = colourIndex(stats.map((s) => s.model));
  let body: string;
  if (stats.length === 0) {
    body =
      `<p class="empty">No routed requests yet. Each request you make with <b>ACRouter: Route and Complete</b> ` +
      `adds to this chart: which of your models pass your tests, and what they cost you.</p>`;
  } else {
    const verified = records.filter((r) => r.verified).length;
    const spend = stats.reduce((sum, s) => sum + s.spendUsd, 0);
    const attempts = stats.reduce((sum, s) => sum + s.attempts, 0);
    const models = stats.map((s) => s.model);
    const timed = records.length > 0;
    body = [
      `<p class="summary"><b>${records.length}</b> request${records.length === 1 ? "" : "s"} · ` +
        `<b>${verified}</b> verified · <b>${attempts}</b> model call${attempts === 1 ? "" : "s"} · ` +
        `<b>${escapeXml(formatCost(spend))}</b> spent</p>`,
      `<h2>Verified pass rate by model</h2>`,
      // errors (no key, timeouts) are not answers: they count as calls, not against the pass rate
      passRateBars(stats, colours),
      timed ? `<h2>Pass rate over time</h2>${legend(models, colours)}` : "",
      timeChart(
        passRateSeries(records),
        colours,
        { y: (v) => `${Math.round(v * 100)}%`, yMax: 1 },
        "Pass rate over time",
      ),
      timed ? `<h2>Spend over time</h2>${legend(models, colours)}` : "",
      timeChart(
        spendSeries(records),
        colours,
        { y: (v) => (v === 0 ? "$0" : formatCost(v)) },
        "Cumulative spend over time",
      ),
      `<p class="note">From your routing memory on this machine: only your own requests, never code.</p>`,
    ].join("\n");
  }
  const csp = contentSecurityPolicy(opts.nonce);
  return [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<style nonce="${opts.nonce}">${STYLE}</style>`,
    "<title>ACRouter models</title></head>",
    `<body>${body}</body></html>`,
  ].join("\n");
}
