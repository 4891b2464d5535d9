import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyPrompt,
  unrunOf,
  attemptsMarkdown,
  basename,
  formatCost,
  formatLatency,
  formatTime,
  attemptRow,
  attemptTrail,
  detailsTitle,
  exportDoneMessage,
  exportFileName,
  kindLabel,
  missingKeyMessage,
  missingKeysFromAttempts,
  noEditMessage,
  notAFileMessage,
  requestRow,
  testsMarkdown,
  outcomeOf,
  progressMessage,
  resetConfirmDetail,
  resetConfirmMessage,
  resetDoneMessage,
  resultMarkdown,
  statusBarText,
  statusBarTooltip,
  summaryLine,
  notLearned,
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
  it("shows check, model, cost and verdict for a verified request", () => {
    assert.equal(statusBarText(routeResult()), "$(check) strong · $0.0021 · verified");
  });
  it("warns when the accepted answer is unverified and shows an error when nothing was accepted", () => {
    assert.equal(outcomeOf({ verified: false, finalModel: "cheap" }), "unverified");
    assert.equal(
      statusBarText(routeResult({ verified: false, finalModel: "cheap" })),
      "$(warning) cheap · $0.0021 · not verified",
    );
    assert.equal(
      statusBarText(routeResult({ verified: false, finalModel: null, costUsd: null })),
      "$(error) no model · cost unknown · failed",
    );
  });
  it("tooltip carries the summary and the attempts table", () => {
    const tip = statusBarTooltip(routeResult());
    assert.match(tip, /strong passed your tests on attempt 2/);
    assert.match(tip, /\| 2 \| strong \| pass \| 12\/12 \|/);
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
  it("says a cancelled request was cancelled, with the calls it paid for, whatever else it says", () => {
    const s = routeResult({
      verified: false,
      finalModel: null,
      cancelled: true,
      costUsd: null,
      attempts: [attempt({ verdict: "error", counted: false, costUsd: null, detail: "cancelled: while cheap" })],
    });
    assert.equal(outcomeOf(s), "cancelled");
    assert.match(summaryLine(s), /^Cancelled by you after 1 model call \(what they cost is recorded\) · /);
    assert.match(statusBarText(s), /^\$\(circle-slash\) no model · .* · cancelled$/);
    const row = requestRow({ ...s, time: 1700000000, instruction: "Rename add" }, new Date(1700000000 * 1000));
    assert.match(row.description, /^just now · cancelled · cheap ⚠ \(not counted\) · cost unknown · /);
  });
});

describe("attemptsMarkdown", () => {
  it("renders one row per attempt with tests, cost and time", () => {
    const md = attemptsMarkdown(routeResult().attempts);
    const lines = md.split("\n");
    assert.equal(lines.length, 4);
    assert.equal(lines[0], "| # | Model | Verdict | Tests passed | Cost | Time | Counted |");
    assert.equal(lines[2], "| 1 | cheap | fail | 10/12 | $0.0004 | 850 ms | yes |");
    assert.equal(lines[3], "| 2 | strong | pass | 12/12 | $0.0017 | 850 ms | yes |");
  });
  it("marks set-up failures as not counted", () => {
    const md = attemptsMarkdown([
      attempt({ verdict: "error", counted: false, costUsd: 0, testsPassed: null, testsFailed: null }),
    ]);
    assert.equal(md.split("\n")[2], "| 1 | cheap | error | – | $0 | 850 ms | no (set-up) |");
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
  const diff = {
    file: "src/calc.py",
    diff: "--- a/src/calc.py\n+++ b/src/calc.py\n@@ -1 +1 @@\n-a\n+b\n",
    truncated: false,
    otherFiles: [],
    applied: true,
  };
  it("contains the request, outcome, attempts with their tests, and why", () => {
    const md = resultMarkdown(routeResult(), {
      instruction: "fix it",
      time: 1_700_000_000,
      now: new Date(1_700_000_060_000),
    });
    assert.match(md, /^# fix it\n/);
    assert.match(md, /kind: `bug_fixing` · outcome: \*\*verified\*\* · 1 min ago · request `r-1`/);
    assert.match(md, /## Why\n\ncheap failed 2 tests, so ACRouter escalated to \*\*strong\*\*\./);
    assert.match(md, /## Attempts and tests\n\n\| # \| Model \| Verdict \| Tests passed \| Cost \| Time \|/);
    assert.match(md, /\| 1 \| cheap \| fail \| 10\/12 \| \$0\.0004 \| 850 ms \|/);
    assert.match(md, /\*\*1\. cheap\*\* \(fail\)\n\n```text\n2 tests failed\n```/);
    assert.ok(md.indexOf("## Attempts") < md.indexOf("## Why"), "the server's long explanation comes last");
    assert.doesNotMatch(md, /## Diff/);
  });
  it("shows the kept diff, or says it is not available", () => {
    const withDiff = resultMarkdown(routeResult(), { showDiff: true, diff });
    assert.match(withDiff, /## Diff\n\n`src\/calc.py` · applied\n\n```diff\n--- a\/src\/calc.py\n[^]*\n\+b\n```/);
    assert.ok(withDiff.indexOf("## Diff") < withDiff.indexOf("## Attempts"), "what changed comes first");
    const cut = resultMarkdown(routeResult(), {
      showDiff: true,
      diff: { ...diff, truncated: true, applied: null, otherFiles: ["tests/test_calc.py"] },
    });
    assert.match(cut, /proposed \(not applied yet\)/);
    assert.match(cut, /The diff was cut/);
    assert.match(cut, /also changed: `tests\/test_calc.py`/);
    assert.match(
      resultMarkdown(routeResult(), { showDiff: true }),
      /_Diff not available: ACRouter's memory never stores code/,
    );
  });
  it("cannot be broken out of by backticks in test output", () => {
    const md = resultMarkdown(routeResult({ attempts: [attempt({ detail: "```\n# injected heading" })] }));
    assert.match(md, /````text\n```\n# injected heading\n````/);
  });
  it("says so when there is no explanation, and titles requests without an instruction", () => {
    const md = resultMarkdown(routeResult({ why: "  " }));
    assert.match(md, /^# ACRouter request\n/);
    assert.match(md, /_The server gave no explanation._/);
  });
  it("tests section covers attempts without test counts and requests without attempts", () => {
    assert.match(
      testsMarkdown([attempt({ verdict: "error", testsPassed: null, testsFailed: null })]),
      /\| 1 \| cheap \| error \| – \|/,
    );
    assert.equal(testsMarkdown([]), "_No model was called, so no tests ran._");
  });
  it("titles the details document readably", () => {
    assert.equal(detailsTitle({ kind: "bug_fixing" }, "Fix the bug: a/b <now>"), "Fix the bug a b now");
    assert.equal(detailsTitle({ kind: "bug_fixing" }, null), "Bug fixing");
  });
});

describe("history view rows", () => {
  const now = new Date(1_700_000_000_000 + 120_000);
  it("label the request by its instruction and describe time, models with verdicts, cost and latency", () => {
    const row = requestRow(historyEntry(), now);
    assert.equal(row.label, "fix the off-by-one in parse_range");
    assert.equal(row.description, "2 min ago · cheap ✗ → strong ✓ · $0.0021 · 12.3 s");
    assert.match(row.tooltip, /strong passed your tests on attempt 2/);
    assert.match(row.tooltip, /\| 1 \| cheap \| fail \|/);
  });
  it("fall back to the kind when instructions are not stored, and truncate long ones", () => {
    assert.equal(requestRow(historyEntry({ instruction: null }), now).label, "Bug fixing");
    const long = requestRow(historyEntry({ instruction: "x".repeat(100) + "\nsecond line" }), now).label;
    assert.equal(long, "x".repeat(79) + "…");
  });
  it("show requests where no model was called", () => {
    const row = requestRow(historyEntry({ verified: false, finalModel: null, costUsd: null, attempts: [] }), now);
    assert.equal(row.description, "2 min ago · no model called · cost unknown · 12.3 s");
  });
  it("describe each attempt with verdict, tests, cost and time", () => {
    const [first] = historyEntry().attempts;
    const row = attemptRow(first, 0);
    assert.equal(row.label, "1. cheap");
    assert.equal(row.description, "fail · 10 passed, 2 failed · $0.0004 · 850 ms");
    assert.match(row.tooltip, /```text\n2 tests failed\n```/);
    const error = attemptRow(attempt({ verdict: "error", testsPassed: null, testsFailed: null, costUsd: 0 }), 1);
    assert.equal(error.description, "error · $0 · 850 ms");
    const unrun = "no test ran 1 of the 1 statements the edit changes: a.py line 3";
    const pass = attemptRow(attempt({ verdict: "pass", testsFailed: 0, detail: `10 passed; ${unrun}`, unrun }), 0);
    assert.equal(pass.description, "pass · changed lines no test ran · 12 passed, 0 failed · $0.0004 · 850 ms");
    assert.match(pass.tooltip, /no test ran 1 of the 1 statements/);
    // a file whose lines no tracer measured (C): not said to be unrun, said to be unmeasured
    const blind =
      "which lines of calc.c the tests ran is not known: C is not measured line by line; the run only opened the file";
    const c = attemptRow(attempt({ verdict: "pass", testsFailed: 0, detail: `exit 0; ${blind}`, unrun: blind }), 0);
    assert.equal(c.description, "pass · changed lines not measured · 12 passed, 0 failed · $0.0004 · 850 ms");
    const both = `no test ran 1 of the 2 statements the edit changes: a.py line 3; ${blind}`;
    assert.match(attemptRow(attempt({ verdict: "pass", unrun: both }), 0).description, /changed lines no test ran/);
    // a PHPUnit test that passed with fewer assertions than before the edit
    const fewer =
      "1 test passed with fewer assertions than before the edit: tests/CalcTest.php::CalcTest::testParts (1, 3 before)";
    const less = attemptRow(attempt({ verdict: "pass", testsFailed: 0, counted: false, unrun: fewer }), 0);
    assert.equal(less.description, "pass · not counted · a test checked less · 12 passed, 0 failed · $0.0004 · 850 ms");
  });
  it("say when an attempt is not held against its model, and why", () => {
    const detail = "auth: the gateway rejected the key (400: No connected db.)";
    const row = attemptRow(
      attempt({ verdict: "error", counted: false, detail, testsPassed: null, testsFailed: null, costUsd: 0 }),
      0,
    );
    assert.equal(row.description, "error · not counted · $0 · 850 ms");
    assert.match(row.tooltip, /Not held against cheap: the set-up failed/);
    assert.match(row.tooltip, /No connected db/);
    assert.equal(
      attemptTrail([attempt({ verdict: "error", counted: false }), attempt({ model: "s" })]),
      "cheap ⚠ (not counted) → s ✓",
    );
  });
  it("say a pass the tests never reached is offered but not learned, not that the set-up failed", () => {
    const unrun = "no test ran 1 of the 1 statements the edit changes: a.py line 3";
    const idle = attempt({
      verdict: "pass",
      counted: false,
      detail: `12 passed; the tests passed before; ${unrun}`,
      unrun,
    });
    const row = attemptRow(idle, 0);
    assert.equal(
      row.description,
      "pass · not counted · changed lines no test ran · 12 passed, 0 failed · $0.0004 · 850 ms",
    );
    assert.match(
      row.tooltip,
      /Not learned for cheap: the tests passed before the edit too and ran none of the code it changes/,
    );
    assert.doesNotMatch(row.tooltip, /set-up/);
    assert.equal(
      attemptsMarkdown([idle]).split("\n")[2],
      "| 1 | cheap | pass | 12/12 | $0.0004 | 850 ms | no (tests never ran it) |",
    );
    const s = routeResult({ verified: true, finalModel: "cheap", attempts: [idle] });
    assert.match(summaryLine(s), /^cheap passed your tests/);
  });
  it("say why a pass was not learned: fewer assertions, or printed results of a run cut short", () => {
    const fewer =
      "1 test passed with fewer assertions than before the edit: tests/CalcTest.php::CalcTest::testAdds (1, 3 before)";
    const checked = attempt({ verdict: "pass", counted: false, detail: `3 passed; ${fewer}`, unrun: fewer });
    assert.match(attemptRow(checked, 0).tooltip, /Not learned for cheap: a test passed with fewer assertions/);
    assert.doesNotMatch(attemptRow(checked, 0).tooltip, /ran none of the code/);
    assert.match(attemptsMarkdown([checked]).split("\n")[2], /\| no \(a test checked less\) \|$/);
    const cut =
      "a test process ended before it wrote the lines it ran (os._exit, a kill); the runner's results are read from what it printed, and what a process printed before ending so may not be the runner's: this pass is not counted";
    const printed = attempt({ verdict: "pass", counted: false, detail: `3 passed; ${cut}`, unrun: cut });
    assert.match(attemptRow(printed, 0).tooltip, /Not learned for cheap: a test process ended early/);
    assert.match(attemptsMarkdown([printed]).split("\n")[2], /\| no \(results unsure\) \|$/);
    assert.equal(notLearned({ detail: "x", unrun: "no test ran 1 of 1" }).word, "tests never ran it");
  });
  it("say when no model could be judged because every attempt failed on the set-up", () => {
    const s = routeResult({
      verified: false,
      finalModel: null,
      attempts: [
        attempt({
          verdict: "error",
          counted: false,
          detail: "unreachable: cannot reach http://gw (connection refused)",
        }),
      ],
    });
    assert.match(
      summaryLine(s),
      /^No model could be judged: 1 attempt failed on the set-up \(not counted against the models\)/,
    );
    assert.match(resultMarkdown(s), /\*\*1\. cheap\*\* \(error, not counted\)/);
  });
  it("say the provider's passing trouble (a 503, a rate limit) is not held against the model", () => {
    const detail = "unavailable: provider error 503 Service Unavailable: The engine is currently overloaded.";
    const failed = attempt({
      verdict: "error",
      counted: false,
      detail,
      testsPassed: null,
      testsFailed: null,
      costUsd: 0,
    });
    const row = attemptRow(failed, 0);
    assert.equal(row.description, "error · not counted · $0 · 850 ms");
    assert.match(row.tooltip, /Not held against cheap: the provider's passing trouble .*it cools down for a while/);
    assert.equal(attemptsMarkdown([failed]).split("\n")[2], "| 1 | cheap | error | – | $0 | 850 ms | no (provider) |");
    const limited = attempt({ verdict: "error", counted: false, detail: "rate_limited: 429 after one retry" });
    const s = routeResult({ verified: false, finalModel: null, attempts: [failed, limited] });
    assert.match(
      summaryLine(s),
      /^No model could be judged: 2 attempts met the provider's passing trouble \(not counted against the models\)/,
    );
    const counted = attempt({
      verdict: "error",
      counted: true,
      detail: "timeout: no reply within 1 s (the previous call timed out too: counted against the model)",
    });
    assert.equal(attemptsMarkdown([counted]).split("\n")[2].endsWith("| yes |"), true);
  });
  it("attemptTrail marks pass, fail and error", () => {
    assert.equal(
      attemptTrail([attempt({ verdict: "error" }), attempt({ verdict: "fail" }), attempt({ model: "s" })]),
      "cheap ⚠ → cheap ✗ → s ✓",
    );
    assert.equal(kindLabel("code_completion"), "Code completion");
  });
});

describe("missing API keys", () => {
  it("are read from the server's auth errors, once each", () => {
    const attempts = [
      attempt({ verdict: "error", detail: "auth: environment variable OPENAI_API_KEY is not set" }),
      attempt({ verdict: "error", detail: "auth: environment variable OPENAI_API_KEY is not set" }),
      attempt({ verdict: "error", detail: "auth: environment variable ANTHROPIC_API_KEY is empty" }),
      attempt({ verdict: "fail", detail: "1 failed" }),
    ];
    assert.deepEqual(missingKeysFromAttempts(attempts), ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"]);
    assert.deepEqual(missingKeysFromAttempts([attempt({ verdict: "error", detail: "timeout: 120 s" })]), []);
    const litellm = "auth: no API key: set OPENAI_API_KEY, or name the key's environment variable in apiKeyEnv";
    assert.deepEqual(missingKeysFromAttempts([attempt({ verdict: "error", counted: false, detail: litellm })]), [
      "OPENAI_API_KEY",
    ]);
  });
  it("are not the message of another set-up stop: that one gives the server's reason", () => {
    const stop = routeResult({
      finalModel: null,
      verified: false,
      attempts: [
        attempt({
          model: "cheap",
          verdict: "error",
          counted: false,
          detail: "the tests cannot run even without the edit (exit code 2, interrupted): No module named 'yaml'",
        }),
      ],
    });
    assert.match(
      noEditMessage(stop),
      /^ACRouter: No model could be judged: .*\. No edit was proposed\. cheap: the tests cannot run even without the edit .*No module named 'yaml'$/,
    );
    assert.doesNotMatch(noEditMessage(stop), /API key/);
    // an answer held against its model: the summary only
    assert.match(noEditMessage(routeResult({ verified: false, finalModel: null })), /No edit was proposed\.$/);
  });
  it("are named in a message that says what to do", () => {
    assert.match(missingKeyMessage(["OPENAI_API_KEY"]), /no API key is set for OPENAI_API_KEY.*Set the key/);
    assert.match(missingKeyMessage(["A", "B"]), /no API keys are set for A, B/);
  });
});

describe("dialogs", () => {
  it("states how many records the reset deletes", () => {
    assert.equal(resetConfirmMessage(1), "Delete 1 routing record?");
    assert.equal(resetConfirmMessage(42), "Delete 42 routing records?");
    assert.equal(resetConfirmMessage(5, 2), "Delete 5 routing records about 2 models?");
    assert.match(resetConfirmDetail(), /cannot be undone\.\n\nExport First saves a JSON copy.*never code/);
    assert.match(resetConfirmDetail("/tmp/m.json"), /A copy is saved in \/tmp\/m\.json\.$/);
    assert.equal(resetDoneMessage(3), "ACRouter: removed 3 routing records.");
  });
  it("names the export file by date and reports it", () => {
    assert.equal(exportFileName(new Date(2025, 0, 5)), "acrouter-memory-2025-01-05.json");
    assert.equal(exportDoneMessage(3, "/tmp/x.json"), "ACRouter: exported 3 routing records to /tmp/x.json.");
  });
  it("mentions other files the edit changes", () => {
    const p = applyPrompt(routeResult(), ["file:///w/tests/test_parse.py"]);
    assert.match(p, /^ACRouter: strong passed your tests/);
    assert.match(p, /also changes test_parse\.py\. Apply the edit\?$/);
    assert.doesNotMatch(applyPrompt(routeResult(), []), /also changes/);
  });
  it("says which changed lines no test ran, after any drift", () => {
    const unrun = "no test ran 2 of the 3 statements the edit changes: calc.py lines 6-7";
    const r = routeResult({
      attempts: [attempt({ model: "strong", verdict: "pass", testsPassed: 2, testsFailed: 0, unrun })],
    });
    assert.equal(unrunOf(r), unrun);
    assert.match(
      applyPrompt(r, []),
      /\. But no test ran 2 of the 3 statements the edit changes: calc\.py lines 6-7\. Apply the edit\?$/,
    );
    assert.match(
      applyPrompt(r, [], "the tests ran before calc.py changed"),
      /But the tests ran before calc\.py changed; and no test ran 2 of the 3/,
    );
    // only the passing final attempt's: another model's, or an unverified result's, is not this edit's
    assert.equal(unrunOf({ ...r, verified: false }), undefined);
    assert.equal(unrunOf({ ...r, finalModel: "cheap" }), undefined);
    assert.equal(unrunOf(routeResult()), undefined);
    assert.doesNotMatch(applyPrompt(routeResult(), []), /But/);
  });
  it("basename handles URIs, Windows paths and escapes", () => {
    assert.equal(basename("file:///home/u/my%20file.py"), "my file.py");
    assert.equal(basename("C:\\work\\x.ts"), "x.ts");
    assert.equal(basename("/a/b/"), "b");
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

describe("notAFileMessage", () => {
  it("says what to do for each kind of document that is no file on disk", () => {
    assert.match(notAFileMessage("untitled"), /save this file in your workspace first\.$/);
    // saving a notebook does not make its cell a file: it must not say "save"
    for (const scheme of ["vscode-notebook-cell", "vscode-notebook"]) {
      assert.match(notAFileMessage(scheme), /cannot edit a notebook's cells.*\.py file/);
      assert.doesNotMatch(notAFileMessage(scheme), /save/i);
    }
    assert.match(notAFileMessage("git"), /"git:" document .*open the file itself\.$/);
    assert.doesNotMatch(notAFileMessage("acrouter"), /save/i);
  });
});
