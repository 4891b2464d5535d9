"""WebAssembly starts in the sandbox under its address-space limit.

V8 reserves guard regions of about 10 GiB of address space for each WebAssembly memory,
so under the sandbox's ``RLIMIT_AS`` (8 GiB by default) ``WebAssembly.instantiate``
failed with "Out of memory: Cannot allocate Wasm memory for new instance".  vite loads
WebAssembly modules, so no vitest suite could run at all (found with
``benchmarks/verify_trust.py`` on zod 4.6.7's vitest 4 suite: "the tests cannot run even
without the edit").  The tests' ``NODE_OPTIONS`` now carry ``--disable-wasm-trap-handler``
(bounds checks instead of guard regions) when the address space is limited and the
installed node takes it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.limits import NODE_WASM_OPTION, Limits, node_options

from .helpers import needs_bwrap, task_for, verifier, write_tree

#: a module with one memory of one page, as vite's WebAssembly modules have
WASM_TEST = """\
const test = require("node:test");
const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 1]);
test("instantiates a module with a memory", async () => {
  await WebAssembly.instantiate(bytes);
});
"""


def _node_takes_it() -> bool:
    node = shutil.which("node")
    if node is None:
        return False
    env = {"NODE_OPTIONS": NODE_WASM_OPTION, "PATH": "/usr/bin:/bin"}
    return subprocess.run([node, "-e", "0"], env=env, check=False).returncode == 0


needs_node_option = pytest.mark.skipif(
    not _node_takes_it(), reason=f"node is not installed or too old for {NODE_WASM_OPTION}"
)


@needs_node_option
def test_node_options_under_an_address_space_limit() -> None:
    path = os.environ.get("PATH")
    assert node_options(Limits(), None, path) == NODE_WASM_OPTION
    assert node_options(Limits(), "--x", path) == f"--x {NODE_WASM_OPTION}"
    assert node_options(Limits(), f"--x {NODE_WASM_OPTION}", path) == f"--x {NODE_WASM_OPTION}"
    assert node_options(Limits(address_space_bytes=None), "--x", path) == "--x"
    assert node_options(Limits(), "--x", "/nonexistent") == "--x"  # no node there


def test_a_node_of_the_workspace_is_never_probed(tmp_path: Path) -> None:
    """The probe runs outside the sandbox: a ``node`` in the workspace (its virtualenv's
    bin, a relative PATH entry) is not run there."""
    bin_dir = tmp_path / "ws" / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    marker = tmp_path / "ran"
    node = bin_dir / "node"
    node.write_text(f"#!/bin/sh\ntouch {marker}\nexit 0\n")
    node.chmod(0o755)
    ws = str(tmp_path / "ws")
    assert node_options(Limits(), None, f"{bin_dir}{os.pathsep}.venv/bin", ws) is None
    assert not marker.exists()


@needs_node_option
def test_no_option_when_the_tests_first_node_is_the_projects_own(tmp_path: Path) -> None:
    """A nodeenv in the project's virtualenv may be older than 20.15 and refuse to start
    with the option in NODE_OPTIONS (before the edit and after: the request could not be
    verified at all), and it cannot be probed outside the sandbox: when it comes first on
    the tests' PATH, the option is left out."""
    system = os.path.dirname(shutil.which("node") or "")
    ws = tmp_path / "ws"
    bin_dir = ws / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "node").write_text("#!/bin/sh\nexit 9\n")
    (bin_dir / "node").chmod(0o755)
    assert node_options(Limits(), "--x", f"{bin_dir}{os.pathsep}{system}", str(ws)) == "--x"
    assert node_options(Limits(), None, f".venv/bin{os.pathsep}{system}", str(ws)) is None
    # the system's node first: the tests run it, and it takes the option
    assert node_options(Limits(), None, f"{system}{os.pathsep}{bin_dir}", str(ws)) == (
        NODE_WASM_OPTION
    )


@needs_bwrap
@needs_node_option
def test_webassembly_runs_under_the_default_limits(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "wasm", {"lib.js": "exports.x = 1;\n", "test/w.test.js": WASM_TEST}
    )
    v = verifier(timeout_s=60)
    out = v.verify(
        task_for(root, "node --test test/"), Edit(files={"lib.js": "exports.x = 2;\n"}), "m"
    )
    assert out.verdict == "pass" and out.tests_passed == 1, out.detail


#: node 18, as npm's ``node`` package installs it in node_modules/.bin (measured with
#: node@18.20.8: exit 9 and this message): it refuses the option, else it is node
OLD_NODE = """#!/bin/sh
case " $NODE_OPTIONS " in
  *" --disable-wasm-trap-handler "*)
    echo "$0: --disable-wasm-trap-handler is not allowed in NODE_OPTIONS" >&2; exit 9;;
esac
exec {node} "$@"
"""


@needs_bwrap
@needs_node_option
def test_the_tests_run_without_the_option_when_their_node_refuses_it(tmp_path: Path) -> None:
    """``npm test`` puts node_modules/.bin first on its scripts' PATH, and a project that
    pins node with npm's ``node`` package runs that node: one older than 20.15 refused to
    start with the option, so the tests could not run before the edit or after and no
    edit could be verified.  The run is made again without it."""
    node = shutil.which("node")
    assert node is not None
    package = '{"name": "old", "version": "1.0.0", "scripts": {"test": "node --test test/"}}\n'
    root = write_tree(
        tmp_path / "old",
        {
            "package.json": package,
            "lib.js": "exports.add = (a, b) => a - b;\n",
            "test/add.test.js": (
                'const test = require("node:test");\nconst assert = require("node:assert");\n'
                'const { add } = require("../lib.js");\n'
                'test("adds", () => { assert.strictEqual(add(2, 3), 5); });\n'
            ),
            "node_modules/.bin/node": OLD_NODE.format(node=node),
        },
    )
    (root / "node_modules" / ".bin" / "node").chmod(0o755)
    out = verifier(timeout_s=60).verify(
        task_for(root, "npm test"), Edit(files={"lib.js": "exports.add = (a, b) => a + b;\n"}), "m"
    )
    assert out.verdict == "pass" and out.tests_passed == 1, out.detail
