import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyPrompt,
  attemptsMarkdown,
  basename,
  formatCost,
  formatLatency,
  formatTime,
  historyItem,
  installCommand,
  missingServerMessage,
  outcomeOf,
  progressMessage,
  resetConfirmMessage,
  resetDoneMessage,
  resultMarkdown,
  shellQuote,
  statusBarText,
  statusBarTooltip,
  summaryLine,
} from "../src/present";
import { attempt, historyEntry, routeResult } from "./fixtures";

describe("formatCost", () => {
  it("shows small costs with four decimals and larger ones with cents", () => {
    assert.equal(formatCost(0.0021), "$0.0021");
    assert.equal(formatCost(0.12345), "$0.1235");
    assert.equal(formatCost(1.234), "$1.23");
    assert.equal(formatCost(12), "$12.00");
  });
  it("distinguishes free, tiny and unknown", () => {
    assert.equal(formatCost(0), "$0");
    assert.equal(formatCost(0.00001), "<$0.0001");
    assert.equal(formatCost(null), "cost unknown");
    assert.equal(formatCost(undefined), "cost unknown");
    assert.equal(formatCost(Number.NaN), "cost unknown");
  });
});

describe("formatLatency", () => {
  it("picks ms, seconds or minutes", () => {
    assert.equal(formatLatency(850.4), "850 ms");
    assert.equal(formatLatency(12_345), "12.3 s");
    assert.equal(formatLatency(125_000), "2 min 05 s");
    assert.equal(formatLatency(-1), "?");
  });
});

describe("formatTime", () => {
  const now = new Date(2025, 0, 15, 12, 0, 0);
  const secondsAgo = (s: number): number => now.getTime() / 1000 - s;
  it("is relative for the last week", () => {
    assert.equal(formatTime(secondsAgo(10), now), "just now");
    assert.equal(formatTime(secondsAgo(5 * 60), now), "5 min ago");
    assert.equal(formatTime(secondsAgo(3 * 3600), now), "3 h ago");
    assert.equal(formatTime(secondsAgo(86_400), now), "1 day ago");
    assert.equal(formatTime(secondsAgo(2 * 86_400), now), "2 days ago");
  });
  it("accepts unix seconds, milliseconds and ISO strings alike", () => {
    const t = new Date(2024, 11, 24, 9, 5).getTime();
    assert.equal(formatTime(t / 1000, now), "2024-12-24 09:05");
    assert.equal(formatTime(t, now), "2024-12-24 09:05");
    assert.equal(formatTime(new Date(t).toISOString(), now), "2024-12-24 09:05");
  });
  it("says so when the time is missing or broken", () => {
    assert.equal(formatTime(0, now), "unknown time");
    assert.equal(formatTime("not a date", now), "unknown time");
  });
});

describe("status bar", () => {
  it("shows check, model and cost for a verified request", () => {
    assert.equal(statusBarText(routeResult()), "$(check) strong · $0.0021");
  });
  it("warns when the accepted answer is unverified and shows an error when nothing was accepted", () => {
    assert.equal(outcomeOf({ verified: false, finalModel: "cheap" }), "unverified");
    assert.equal(statusBarText(routeResult({ verified: false, finalModel: "cheap" })), "$(warning) cheap · $0.0021");
    assert.equal(
      statusBarText(routeResult({ verified: false, finalModel: null, costUsd: null })),
      "$(error) no model · cost unknown",
    );
  });
  it("tooltip carries the summary and the attempts table", () => {
    const tip = statusBarTooltip(routeResult());
    assert.match(tip, /strong passed your tests on attempt 2/);
    assert.match(tip, /\| 2 \| strong \| pass \|/);
    assert.match(tip, /history/);
  });
});

describe("summaryLine", () => {
  it("names the model, the attempt, the tests, cost and time", () => {
    assert.equal(
      summaryLine(routeResult()),
      "strong passed your tests on attempt 2 (12 passed, 0 failed) · $0.0021 · 12.3 s",
    );
  });
  it("flags unverified answers loudly", () => {
    const s = summaryLine(routeResult({ verified: false }));
    assert.match(s, /^strong's answer is NOT verified by tests \(best of 2 attempts\)/);
  });
  it("explains a request where nothing was accepted", () => {
    const s = routeResult({
      verified: false,
      finalModel: null,
      attempts: [attempt({ verdict: "error", detail: "timeout" })],
    });
    assert.match(summaryLine(s), /^No model's answer was accepted \(1 attempt\)/);
    assert.match(summaryLine(routeResult({ verified: false, finalModel: null, attempts: [] })), /^No model was called/);
  });
});

describe("attemptsMarkdown", () => {
  it("renders one row per attempt with tests, cost and time", () => {
    const md = attemptsMarkdown(routeResult().attempts);
    const lines = md.split("\n");
    assert.equal(lines.length, 4);
    assert.equal(lines[2], "| 1 | cheap | fail | 10 passed, 2 failed | $0.0004 | 850 ms |");
    assert.equal(lines[3], "| 2 | strong | pass | 12 passed, 0 failed | $0.0017 | 850 ms |");
  });
  it("escapes table syntax in model names and handles missing test counts", () => {
    const md = attemptsMarkdown([attempt({ model: "a|b\nc", testsPassed: null, testsFailed: null, costUsd: null })]);
    assert.match(md, /\| 1 \| a\\\|b c \| pass \| – \| cost unknown \|/);
  });
  it("says when no model was called", () => {
    assert.equal(attemptsMarkdown([]), "_No model was called._");
  });
});

describe("resultMarkdown", () => {
  it("contains the request, outcome, attempts, details and why", () => {
    const md = resultMarkdown(routeResult(), {
      instruction: "fix it",
      time: 1_700_000_000,
      now: new Date(1_700_000_060_000),
    });
    assert.match(md, /^# ACRouter request r-1/);
    assert.match(md, /> fix it/);
    assert.match(md, /kind: `bug_fixing` · outcome: \*\*verified\*\* · 1 min ago/);
    assert.match(md, /## Attempts/);
    assert.match(md, /\*\*1\. cheap\*\* \(fail\)\n\n```text\n2 tests failed\n```/);
    assert.match(md, /## Why\n\ncheap failed 2 tests, so ACRouter escalated to \*\*strong\*\*\./);
  });
  it("cannot be broken out of by backticks in test output", () => {
    const md = resultMarkdown(routeResult({ attempts: [attempt({ detail: "```\n# injected heading" })] }));
    assert.match(md, /````text\n```\n# injected heading\n````/);
  });
  it("says so when there is no explanation", () => {
    assert.match(resultMarkdown(routeResult({ why: "  " })), /_The server gave no explanation._/);
  });
});

describe("historyItem", () => {
  const now = new Date(1_700_000_000_000 + 120_000);
  it("labels with outcome and instruction, describes model, verdict and cost", () => {
    const item = historyItem(historyEntry(), now);
    assert.equal(item.label, "$(check) fix the off-by-one in parse_range");
    assert.equal(item.description, "strong · verified · $0.0021");
    assert.equal(item.detail, "2 min ago · bug_fixing · 2 attempts · cheap fail → strong pass · 12.3 s");
  });
  it("falls back to the kind when instructions are not stored, and truncates long ones", () => {
    assert.equal(historyItem(historyEntry({ instruction: null }), now).label, "$(check) bug fixing");
    const long = historyItem(historyEntry({ instruction: "x".repeat(100) + "\nsecond line" }), now).label;
    assert.equal(long, "$(check) " + "x".repeat(69) + "…");
  });
  it("shows failures", () => {
    const item = historyItem(historyEntry({ verified: false, finalModel: null, costUsd: null, attempts: [] }), now);
    assert.equal(item.label, "$(error) fix the off-by-one in parse_range");
    assert.equal(item.description, "no model · failed · cost unknown");
    assert.match(item.detail, /0 attempts · no model called/);
  });
});

describe("dialogs", () => {
  it("states how many records the reset deletes", () => {
    assert.match(resetConfirmMessage(1), /^Delete 1 routing record\?/);
    assert.match(resetConfirmMessage(42), /^Delete 42 routing records\?.*cannot be undone/);
    assert.equal(resetDoneMessage(3), "ACRouter: removed 3 routing records.");
  });
  it("mentions other files the edit changes", () => {
    const p = applyPrompt(routeResult(), ["file:///w/tests/test_parse.py"]);
    assert.match(p, /^ACRouter: strong passed your tests/);
    assert.match(p, /also changes test_parse\.py\. Apply the edit\?$/);
    assert.doesNotMatch(applyPrompt(routeResult(), []), /also changes/);
  });
  it("basename handles URIs, Windows paths and escapes", () => {
    assert.equal(basename("file:///home/u/my%20file.py"), "my file.py");
    assert.equal(basename("C:\\work\\x.ts"), "x.ts");
    assert.equal(basename("/a/b/"), "b");
  });
});

describe("install hints", () => {
  it("installs from PyPI with the configured interpreter", () => {
    assert.equal(installCommand("python3", "linux"), "python3 -m pip install acrouter");
  });
  it("installs a repo checkout in editable mode, quoting paths with spaces", () => {
    assert.equal(
      installCommand("/opt/py 3/bin/python", "linux", "/home/me/src/acrouter"),
      "'/opt/py 3/bin/python' -m pip install -e /home/me/src/acrouter",
    );
    assert.equal(
      installCommand("C:\\Program Files\\Python\\python.exe", "win32", "C:\\src\\acrouter"),
      '"C:\\Program Files\\Python\\python.exe" -m pip install -e C:\\src\\acrouter',
    );
  });
  it("quotes single quotes for POSIX shells", () => {
    assert.equal(shellQuote("it's", "linux"), `'it'\\''s'`);
  });
  it("tells what is missing and how to fix it", () => {
    const notFound = missingServerMessage(
      "python-not-found",
      "/opt/py/bin/python3.12",
      "python3 -m pip install acrouter",
    );
    assert.equal(
      notFound,
      'ACRouter: the Python interpreter "/opt/py/bin/python3.12" was not found. Set "acrouter.pythonPath" to a ' +
        "Python 3.10+ interpreter that has the language server installed (python3 -m pip install acrouter).",
    );
    const notInstalled = missingServerMessage("not-installed", "python3", "python3 -m pip install acrouter");
    assert.equal(
      notInstalled,
      'ACRouter: the language server is not installed for "python3". Install it with: python3 -m pip install acrouter',
    );
  });
});

describe("progressMessage", () => {
  it("shows the begin title unless a message is given", () => {
    assert.equal(progressMessage({ kind: "begin", title: "choosing model" }), "choosing model");
    assert.equal(progressMessage({ kind: "begin", title: "ACRouter", message: "calling cheap" }), "calling cheap");
  });
  it("shows report messages with their percentage, and nothing for empty reports or the end", () => {
    assert.equal(
      progressMessage({ kind: "report", message: "running tests", percentage: 49.6 }),
      "running tests (50%)",
    );
    assert.equal(progressMessage({ kind: "report", percentage: 10 }), undefined);
    assert.equal(progressMessage({ kind: "end", message: "done" }), undefined);
  });
});
