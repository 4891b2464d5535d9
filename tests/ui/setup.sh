#!/usr/bin/env bash
# Installs what `make test-ui` needs, and fails loudly (never skips) when it cannot:
#   - Debian's chromium (driven headless by puppeteer-core; no browser download)
#   - Debian's libkrb5-dev, make, g++ (code-server's install builds native modules)
#   - Node.js 24 from the npm registry (package "node", with its headers)
#   - code-server 4.139.1 (VS Code 1.139) from the npm registry, installed with Node 24
# Node 24 and code-server go to $ACROUTER_UI_TOOLS (default ~/.cache/acrouter-ui),
# outside the repo, and are reused while their package-lock.json is unchanged.
# Prints nothing on stdout but the tools directory (last line).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tools=${ACROUTER_UI_TOOLS:-$HOME/.cache/acrouter-ui}

fail() {
  echo "test-ui: cannot run: $*" >&2
  exit 1
}
say() { echo "test-ui: $*" >&2; }

# ---------------------------------------------------------------- Debian packages
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v make >/dev/null 2>&1 || need+=(make)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    fail "missing Debian packages: ${need[*]} (install them with: sudo apt-get install ${need[*]})"
  fi
  say "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || fail "apt-get update failed"
  apt-get install -y -qq "${need[@]}" >&2 || fail "apt-get install ${need[*]} failed"
fi
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing after installing Debian's chromium"
command -v npm >/dev/null 2>&1 || fail "npm is required (the machine's Node.js and npm install Node 24 and code-server)"

# ---------------------------------------------------------------- npm tool folders
# install_tools NAME [ENV...]: npm ci of tests/ui/tools/NAME into $tools/NAME, unless
# the same package.json + package-lock.json were installed there already.
install_tools() {
  local name=$1
  shift
  local src=$here/tools/$name dest=$tools/$name
  local stamp
  stamp=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [ -f "$dest/.installed" ] && [ "$(cat "$dest/.installed")" = "$stamp" ]; then
    return 0
  fi
  say "installing $name into $dest (first run: code-server builds native modules, several minutes)"
  rm -rf "$dest"
  mkdir -p "$dest"
  cp "$src/package.json" "$src/package-lock.json" "$dest/"
  (cd "$dest" && env "$@" npm ci --no-audit --no-fund --loglevel=error >&2) || {
    rm -rf "$dest"
    fail "npm ci of $name failed (see the output above)"
  }
  echo "$stamp" >"$dest/.installed"
}

install_tools node
node24=$tools/node/node_modules/node/bin/node
[ -x "$node24" ] || fail "Node 24 was not installed at $node24"
"$node24" -e 'process.exit(Number(process.versions.node.split(".")[0]) === 24 ? 0 : 1)' ||
  fail "$node24 is not Node 24 ($("$node24" --version))"
nodedir=
for dir in "$tools"/node/node_modules/node/node_modules/node-*; do
  [ -f "$dir/include/node/node.h" ] && nodedir=$dir && break
done
[ -n "$nodedir" ] || fail "Node 24's headers were not installed (npm package node-<platform>-<arch>)"

# code-server's install script checks the Node major version and builds native modules
# with node-gyp against Node 24's headers (npm_config_nodedir: no headers download).
install_tools code-server "PATH=$(dirname "$node24"):$PATH" "npm_config_nodedir=$nodedir"
entry=$tools/code-server/node_modules/code-server/out/node/entry.js
[ -f "$entry" ] || fail "code-server was not installed ($entry is missing)"

echo "$tools"
