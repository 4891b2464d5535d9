// A line-based unified diff of two texts, for the history's "what changed" of a
// request. Pure module (no `vscode`). Minimal (LCS) for the changed middle of
// ordinary files; one replace block when that middle is too large to compare.

export interface DiffOptions {
  /** Lines of context around each change (default 3). */
  context?: number;
  /** Largest changed-middle area (old lines x new lines) compared line by line. */
  maxCells?: number;
}

type Op = { kind: " " | "-" | "+"; line: string };

/** Marks a last line without a line break, so "x" and "x<EOF>" compare unequal. */
const NO_EOL = "\u0000no-eol";

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  else lines[lines.length - 1] += NO_EOL;
  return lines;
}

/** Edit script old -> new: common lines, deletions, insertions, in order. */
function editScript(a: string[], b: string[], maxCells: number): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: Op[] = a.slice(0, start).map((line) => ({ kind: " ", line }));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  if (n * m > maxCells) {
    for (const line of midA) ops.push({ kind: "-", line });
    for (const line of midB) ops.push({ kind: "+", line });
  } else if (n > 0 || m > 0) {
    // lcs[i][j] = longest common subsequence of midA[i..] and midB[j..]
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] =
          midA[i] === midB[j]
            ? lcs[(i + 1) * width + j + 1] + 1
            : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        ops.push({ kind: " ", line: midA[i] });
        i++;
        j++;
      } else if (j < m && (i === n || lcs[i * width + j + 1] >= lcs[(i + 1) * width + j])) {
        ops.push({ kind: "+", line: midB[j++] });
      } else {
        ops.push({ kind: "-", line: midA[i++] });
      }
    }
    // deletions before insertions inside each changed run, as diff tools print them
    normaliseRuns(ops, start);
  }
  for (const line of a.slice(endA)) ops.push({ kind: " ", line });
  return ops;
}

function normaliseRuns(ops: Op[], from: number): void {
  let i = from;
  while (i < ops.length) {
    if (ops[i].kind === " ") {
      i++;
      continue;
    }
    let j = i;
    while (j < ops.length && ops[j].kind !== " ") j++;
    const run = ops.slice(i, j);
    const sorted = [...run.filter((o) => o.kind === "-"), ...run.filter((o) => o.kind === "+")];
    ops.splice(i, run.length, ...sorted);
    i = j;
  }
}

function range(start: number, count: number): string {
  // unified format: an empty range names the line before it
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}

/**
 * A unified diff of `before` -> `after` with `--- a/<name>` / `+++ b/<name>`
 * headers, or "" when the texts are equal.
 */
export function unifiedDiff(before: string, after: string, name: string, opts: DiffOptions = {}): string {
  if (before === after) return "";
  const context = opts.context ?? 3;
  const ops = editScript(splitLines(before), splitLines(after), opts.maxCells ?? 4_000_000);
  const changed = ops.map((op, i) => (op.kind !== " " ? i : -1)).filter((i) => i >= 0);
  if (changed.length === 0) return ""; // e.g. only line endings differ
  const out = [`--- a/${name}`, `+++ b/${name}`];
  let k = 0;
  while (k < changed.length) {
    const first = changed[k];
    let last = first;
    while (k + 1 < changed.length && changed[k + 1] - last <= 2 * context + 1) last = changed[++k];
    k++;
    const from = Math.max(0, first - context);
    const to = Math.min(ops.length - 1, last + context);
    let oldStart = 0;
    let newStart = 0;
    for (let i = 0; i < from; i++) {
      if (ops[i].kind !== "+") oldStart++;
      if (ops[i].kind !== "-") newStart++;
    }
    const body: string[] = [];
    let oldCount = 0;
    let newCount = 0;
    for (let i = from; i <= to; i++) {
      const op = ops[i];
      if (op.kind !== "+") oldCount++;
      if (op.kind !== "-") newCount++;
      if (op.line.endsWith(NO_EOL))
        body.push(op.kind + op.line.slice(0, -NO_EOL.length), "\\ No newline at end of file");
      else body.push(op.kind + op.line);
    }
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`, ...body);
  }
  return out.join("\n") + "\n";
}

/** Lines added and removed by a unified diff (headers not counted). */
export function diffStats(diff: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff.split("\n")) {
    if (line.startsWith("+++ ") || line.startsWith("--- ")) continue;
    if (line.startsWith("+")) added++;
    else if (line.startsWith("-")) removed++;
  }
  return { added, removed };
}
