"""Server start-up and router overhead (issue: end-to-end).

Prints:
- start: wall time from spawning `python -m acrouter serve` to the `initialize` response
  (litellm must not be imported on that path), median of N runs;
- overhead: time of one request through EditorApp.route (context, policy with bundled
  priors, prompts, TinyDB memory with 2,000 records) with an instant fake model and an
  instant fake verifier, i.e. excluding model latency and the test run.

Usage: .venv/bin/python benchmarks/server_perf.py [--runs 5] [--requests 60]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))


def _frame(obj: dict) -> bytes:
    body = json.dumps(obj).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def _read_message(stream) -> dict:
    length = 0
    while True:
        line = stream.readline()
        if not line:
            raise RuntimeError("server closed stdout")
        line = line.strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(stream.read(length))


def start_once(home: str) -> tuple[float, bool]:
    env = dict(os.environ, ACROUTER_HOME=home, PYTHONPATH=str(ROOT / "server"))
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "acrouter", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdin and proc.stdout
    proc.stdin.write(
        _frame(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": None, "capabilities": {}},
            }
        )
    )
    proc.stdin.flush()
    while True:
        msg = _read_message(proc.stdout)
        if msg.get("id") == 1:
            break
    elapsed = time.perf_counter() - t0
    proc.stdin.write(_frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    proc.stdin.write(_frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
    proc.stdin.write(_frame({"jsonrpc": "2.0", "method": "exit"}))
    proc.stdin.flush()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    return elapsed, True


def litellm_on_start_path() -> bool:
    code = "import sys, acrouter.lsp.server, acrouter.app; print('litellm' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "server")),
    )
    return out.stdout.strip() == "True"


def overhead(n_requests: int, prefill: int) -> list[float]:
    from acrouter.app import EditorApp, PriorStore
    from acrouter.config import Settings
    from acrouter.domain import Attempt, Baseline, Completion, Document, ModelSpec, Outcome, Verdict
    from acrouter.memory import TinyDBMemory
    from acrouter.prompts import ChatPrompts

    class InstantGateway:
        def context_window(self, spec):
            return None

        def complete(self, spec, messages, task, cancel=None):
            return Completion(
                spec.name, "```python\ndef add(a, b):\n    return a + b\n```", 10, 10, 0.0001, 0.0
            )

    class InstantVerifier:
        def prepare(self, task, cancel=None):
            return Baseline("instant", 1, 0)

        def verify(self, task, edit, model, cancel=None):
            return Verdict("pass", "ok", 1, 1, 2, 0, 0.0, 1.0)

    tmp = Path(tempfile.mkdtemp())
    mem = TinyDBMemory(tmp / "memory.json")
    for i in range(prefill):
        mem.record(
            Outcome(
                f"r{i}",
                time.time(),
                "bug_fixing",
                (
                    Attempt("cheap", "fail", 0.001, 5.0),
                    Attempt("strong", "pass", 0.002, 5.0, score=1.0),
                ),
                "strong",
                True,
                "why",
                "ws",
                "Fix it",
            )
        )
    models = (
        ModelSpec("cheap", "openai/c", benchmark_model="kimi-k2.5"),
        ModelSpec("strong", "openai/s", benchmark_model="claude-opus-4-6"),
    )
    priors = PriorStore()
    priors.get()  # the server warms this in the background after `initialized`
    app = EditorApp(
        Settings(models=models),
        memory=mem,
        priors=priors,
        gateway_factory=lambda s: InstantGateway(),
        verifier_factory=lambda s: InstantVerifier(),
        prompts=ChatPrompts(),
    )
    proj = tmp / "proj"
    proj.mkdir()
    (proj / ".git").mkdir()
    f = proj / "calc.py"
    f.write_text("def add(a, b):\n    return a - b\n")
    doc = Document(uri=f.as_uri(), path=str(f), text=f.read_text())
    app.route(
        doc, "Fix the bug", folders=[proj]
    )  # first request builds the policy from priors + memory
    times = []
    for _ in range(n_requests):
        t0 = time.perf_counter()
        app.route(doc, "Fix the bug in add", folders=[proj])
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--prefill", type=int, default=2000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        starts = [start_once(home)[0] for _ in range(a.runs)]
    print(
        f"server start to initialize response: median {statistics.median(starts):.3f} s "
        f"(min {min(starts):.3f}, max {max(starts):.3f}, {a.runs} runs; target <= 1.0 s)"
    )
    print(f"litellm imported on the start path: {litellm_on_start_path()}")
    t = overhead(a.requests, a.prefill)
    t.sort()
    print(
        f"router overhead per request (no model latency, no test run; {a.prefill} memory records): "
        f"median {statistics.median(t):.1f} ms, p95 {t[int(0.95 * (len(t) - 1))]:.1f} ms "
        f"({a.requests} requests; target median <= 100 ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
