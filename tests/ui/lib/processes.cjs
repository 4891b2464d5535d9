// Starting and stopping the processes of the UI test: the fake OpenAI-compatible
// server and code-server, each in its own process group so that stopping it
// also ends what it started (code-server's extension host, the language server).

const { spawn } = require("node:child_process");
const fs = require("node:fs");

/** Wait for a line matching `pattern` on a stream; resolves with the match. */
function waitForLine(stream, pattern, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => {
      stream.off("data", onData);
      reject(
        new Error(
          `${what} did not print ${pattern} within ${timeoutMs / 1000} s; output so far:\n${buffer.slice(-2000)}`,
        ),
      );
    }, timeoutMs);
    function onData(chunk) {
      buffer += chunk.toString();
      const m = pattern.exec(buffer);
      if (m) {
        clearTimeout(timer);
        stream.off("data", onData);
        resolve(m);
      }
    }
    stream.on("data", onData);
  });
}

/** Spawn in a new process group, logging stdout/stderr to `logFile`. */
function start(command, args, { env, cwd, logFile }) {
  const child = spawn(command, args, { env, cwd, detached: true, stdio: ["pipe", "pipe", "pipe"] });
  const log = fs.createWriteStream(logFile, { flags: "a" });
  child.stdout.on("data", (c) => log.write(c));
  child.stderr.on("data", (c) => log.write(c));
  child.on("exit", () => log.end());
  return child;
}

/** End a process group we started (SIGTERM, then SIGKILL after `graceMs`). */
async function stopGroup(child, graceMs = 3000) {
  if (!child || child.pid === undefined) return;
  const alive = () => {
    try {
      process.kill(-child.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const until = Date.now() + graceMs;
  while (alive() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (alive()) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Start tests/fakes/openai_server.py on 127.0.0.1; resolves with its base URL. */
async function startFakeOpenAI({ python, script, config, logFile, env }) {
  const child = start(python, [script, "--port", "0", "--config", config, "--stdin-eof"], { env, logFile });
  const [line] = await waitForLine(child.stdout, /^http:\/\/127\.0\.0\.1:\d+\S*/m, 20_000, "the fake OpenAI server");
  return { child, baseUrl: line.trim() };
}

/** Start code-server on 127.0.0.1 (free port), auth none; resolves with its URL. */
async function startCodeServer({ node, entry, userDataDir, extensionsDir, configFile, env, logFile, folder }) {
  const args = [
    entry,
    "--config",
    configFile,
    "--bind-addr",
    "127.0.0.1:0",
    "--auth",
    "none",
    "--user-data-dir",
    userDataDir,
    "--extensions-dir",
    extensionsDir,
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    "--ignore-last-opened",
    folder,
  ];
  const child = start(node, args, { env, logFile });
  const both = new (require("node:stream").PassThrough)();
  child.stdout.pipe(both, { end: false });
  child.stderr.pipe(both, { end: false });
  const [, url] = await waitForLine(
    both,
    /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//,
    60_000,
    "code-server",
  );
  return { child, url };
}

module.exports = { start, stopGroup, startFakeOpenAI, startCodeServer, waitForLine };
