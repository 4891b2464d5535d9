// Run before `vsce package`: the .vsix must carry the language server of its own
// version. bundled/ (filled by `make vsix`) holds exactly the acrouter wheel whose
// version is the extension's and the runtime lock; when run in a checkout, the
// wheel's source (server/acrouter/__init__.py) and the lock must match too.
// Fails with the reason, so a .vsix without its server or of mixed versions is never built.

const fs = require("node:fs");
const path = require("node:path");

const client = path.resolve(__dirname, "..");
const repo = path.resolve(client, "..");
const version = JSON.parse(fs.readFileSync(path.join(client, "package.json"), "utf8")).version;
const bundled = path.join(client, "bundled");
const wheel = `acrouter-${version}-py3-none-any.whl`;
const problems = [];

const files = fs.existsSync(bundled) ? fs.readdirSync(bundled) : [];
if (!files.includes(wheel)) problems.push(`bundled/${wheel} is missing (the extension is ${version})`);
if (!files.includes("requirements.lock")) problems.push("bundled/requirements.lock is missing");
const others = files.filter((f) => f !== wheel && f !== "requirements.lock");
if (others.length) problems.push(`bundled/ holds other files: ${others.join(", ")}`);

const init = path.join(repo, "server", "acrouter", "__init__.py");
if (fs.existsSync(init)) {
  const found = /^__version__\s*=\s*["']([^"']+)["']/m.exec(fs.readFileSync(init, "utf8"))?.[1];
  if (found !== version) problems.push(`server/acrouter/__init__.py says ${found}, the extension ${version}`);
}
const lock = path.join(repo, "requirements.lock");
if (fs.existsSync(lock) && files.includes("requirements.lock")) {
  if (!fs.readFileSync(lock).equals(fs.readFileSync(path.join(bundled, "requirements.lock"))))
    problems.push("bundled/requirements.lock differs from the checkout's requirements.lock");
}

if (problems.length) {
  console.error(`The .vsix must carry its language server:\n  - ${problems.join("\n  - ")}\nBuild it with: make vsix`);
  process.exit(1);
}
console.log(`bundled: ${wheel} and requirements.lock`);
