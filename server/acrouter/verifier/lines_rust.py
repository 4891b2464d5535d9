"""Which edited Rust files ``cargo test`` built, from what cargo leaves in its target folder
(the Rust side of :mod:`.lines`: nothing says which lines ran, only which files were built).

A pass of ``cargo test`` said nothing about an edited ``.rs`` file the tests never
compiled, and was counted:

- a file no ``mod`` includes (``src/extra.rs`` beside a ``lib.rs`` without ``mod
  extra;``), or one a ``#[cfg(windows)] mod`` leaves out: rustc never reads it;
- a crate whose dependents build another copy of it: ``calc = { path = "../vendor/calc"
  }`` while the edit changes ``calc/src/lib.rs``, or a ``[source]`` replacement to a
  vendored folder (``cargo vendor``).  ``add`` broken there still passed.

What the run built is read after it, from the target folder of the test binaries its
output names (``Running tests/it.rs (target/debug/deps/it-5b468ebaafebcec3)``, ``Doc-tests
app``): cargo's fingerprint of each unit (``.fingerprint/<package>-<hash>/<kind>-<target>``
and its ``.json``: the fingerprints of the units it was built from) gives every unit the
tests that ran were built from, fresh or rebuilt, and rustc's dep-info of each
(``deps/<crate>-<hash>.d``) every source file it read (``mod``, ``#[path]``,
``include!``).  Units of other commands (a ``cargo build --release``, an older build) are
not among them.  Then an edited file none of those lists:

- while one lists the file at the same path within another copy of its crate (a folder
  with a ``Cargo.toml`` of the same package name, outside the edited crate, at least half
  of whose code lines are the edited file's): the tests built that copy, and the pass is
  an error (:attr:`.lines_trace.Traced.elsewhere`, :mod:`.lines_shadow`).  A copy
  identical to the edited file is the edit (a command that vendors the crate again): not
  measured;
- while one lists another file of its crate, which has no build script (one may copy the
  file into ``OUT_DIR`` and ``include!`` it from there): no test built it, and none of its
  code lines ran (the pass's warning; :mod:`.lines_idle`).

Anything else (the file listed, the target folder not found, fingerprints that do not
read as expected, another runner) is not measured, and nothing is said.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections import Counter
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

import attrs

from .lines_js import line_change
from .lines_trace import Change, Traced

#: a test binary cargo ran: ``Running unittests src/lib.rs (target/debug/deps/x-<hash>)``,
#: or (cargo before 1.51) ``Running target/debug/deps/x-<hash>``
_RUNNING = re.compile(r"^\s*Running (?:.*\((?P<paren>[^()\n]+)\)|(?P<bare>\S+))\s*$", re.MULTILINE)
_DOCTESTS = re.compile(r"^\s*Doc-tests (\S+)\s*$", re.MULTILINE)
_HASHED = re.compile(r"^(?P<name>.+)-(?P<hash>[0-9a-f]{16})$")
_PACKAGE_NAME = re.compile(r'(?ms)^\[package\][^\[]*?^\s*name\s*=\s*"([^"]+)"')
_BUILD_KEY = re.compile(r"(?ms)^\[package\][^\[]*?^\s*build\s*=\s*(?!false)")
#: at most this many fingerprint folders are read
MAX_UNITS = 20_000


def is_rust(rel: str) -> bool:
    return rel.endswith(".rs")


def code_lines(text: str) -> set[int]:
    """The lines of Rust ``text`` (1-based) holding code: a character outside comments
    (``//``, nested ``/* */``) other than blanks and closing brackets; a string's lines
    all count."""
    out: set[int] = set()
    depth, in_str = 0, False
    for n, line in enumerate(text.split("\n"), 1):
        i = 0
        while i < len(line):
            two = line[i : i + 2]
            if depth:
                depth += 1 if two == "/*" else -1 if two == "*/" else 0
                i += 2 if two in ("/*", "*/") else 1
                continue
            c = line[i]
            if in_str:
                out.add(n)
                in_str = c != '"'
                i += 2 if c == "\\" else 1
                continue
            if two == "//":
                break
            if two == "/*":
                depth, i = 1, i + 2
                continue
            if line.startswith("'\"'", i):  # the character '"'
                out.add(n)
                i += 3
                continue
            if c == '"':
                in_str = True
            if not c.isspace() and c not in ")]};,":
                out.add(n)
            i += 1
    return out


@attrs.frozen
class View:
    """The folders as the run left them: ``seen``, the workspace's path in the run;
    ``base``, the host folder that held it (the workspace under an overlay, else the
    scratch copy); ``upper``, the overlay's upper folder (what the run wrote), or None."""

    seen: str
    base: Path
    upper: Path | None = None
    #: whether the run saw the folders outside ``seen`` as the host does (no sandbox);
    #: a sandbox's are its own (a private ``/tmp``), and a target folder there is not read
    outside: bool = False

    def inside(self, path: str) -> bool:
        return path == self.seen or path.startswith(self.seen + "/")

    def host(self, path: str) -> Path:
        """Where ``path`` (as the run saw it) is on the host."""
        if not self.inside(path):
            return Path(path)
        rel = path[len(self.seen) + 1 :]
        if self.upper is not None and rel and os.path.lexists(self.upper / rel):
            return self.upper / rel
        return self.base / rel if rel else self.base

    def listdir(self, path: str) -> list[str]:
        names: set[str] = set()
        for folder in self._folders(path):
            try:
                for entry in os.scandir(folder):
                    if _whiteout(entry):
                        names.discard(entry.name)
                    else:
                        names.add(entry.name)
            except OSError:
                continue
        return sorted(names)

    def _folders(self, path: str) -> list[Path]:
        if not self.inside(path):
            return [Path(path)]
        rel = path[len(self.seen) + 1 :]
        lower = self.base / rel if rel else self.base
        upper = self.upper / rel if self.upper is not None and rel else self.upper
        return [lower] if upper is None else [lower, upper]

    def read(self, path: str) -> str | None:
        try:
            return self.host(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None


def _whiteout(entry: os.DirEntry[str]) -> bool:
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError:
        return True
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0


def _profiles(view: View, output: str) -> dict[str, set[str]]:
    """The profile folders (``target/debug``) of the test binaries ``output`` names, each
    with the hashes of those binaries."""
    found: dict[str, set[str]] = {}
    for m in _RUNNING.finditer(output):
        path = (m.group("paren") or m.group("bare") or "").strip()
        name = PurePosixPath(path)
        hashed = _HASHED.match(name.name)
        if hashed is None or name.parent.name != "deps":
            continue
        if name.is_absolute() and not (view.outside or view.inside(str(name))):
            continue
        tops = [view.seen] + [f"{view.seen}/{d}" for d in view.listdir(view.seen)]
        places = [str(name)] if name.is_absolute() else [f"{t}/{name}" for t in tops]
        for place in places:
            if os.path.lexists(view.host(place)):
                profile = os.path.normpath(str(PurePosixPath(place).parent.parent))
                found.setdefault(profile, set()).add(hashed.group("hash"))
                break
    return found


def _units(view: View, profile: str) -> dict[str, tuple[str, str, list[int]]] | None:
    """The units of ``profile``'s fingerprints: hash -> (package, fingerprint file,
    the fingerprints of the units it was built from); None when one does not read."""
    out: dict[str, tuple[str, str, list[int]]] = {}
    fingerprints = f"{profile}/.fingerprint"
    for folder in view.listdir(fingerprints)[:MAX_UNITS]:
        hashed = _HASHED.match(folder)
        if hashed is None:
            continue
        for json_name in view.listdir(f"{fingerprints}/{folder}"):
            if not json_name.endswith(".json"):
                continue
            name = json_name[: -len(".json")]
            data = view.read(f"{fingerprints}/{folder}/{json_name}")
            try:
                deps = [int(d[3]) for d in json.loads(data or "")["deps"]]
            except (ValueError, KeyError, TypeError, IndexError):
                return None
            key = f"{hashed.group('hash')}/{name}"
            out[key] = (hashed.group("name"), name, deps)
    return out


def _fingerprint(view: View, profile: str, key: str, package: str) -> int | None:
    hashed, name = key.split("/", 1)
    text = view.read(f"{profile}/.fingerprint/{package}-{hashed}/{name}")
    try:
        return int.from_bytes(bytes.fromhex((text or "").strip()), "little")
    except ValueError:
        return None


def _built(view: View, profile: str, roots: set[str], doctests: set[str]) -> set[str] | None:
    """The hashes of the units the tests ``roots`` (binaries' hashes) and the doc-tests
    of the crates ``doctests`` were built from, with the binaries and examples of the
    tested packages (cargo builds them for the tests, which may run them); None when the
    fingerprints do not read."""
    units = _units(view, profile)
    if not units:
        return None
    by_print: dict[int, str] = {}
    for key, (package, _, _) in units.items():
        value = _fingerprint(view, profile, key, package)
        if value is None:
            return None
        by_print[value] = key
    todo = [k for k in units if k.split("/", 1)[0] in roots]
    packages = {units[k][0] for k in todo}
    newest: dict[tuple[str, str], str] = {}
    for key in sorted(units, key=lambda k: _mtime(view, profile, k, units[k][0])):
        package, name, _ = units[key]
        # the library the doc-tests link; the binaries a test may run (CARGO_BIN_EXE_*)
        # and the examples of the tested packages: their newest builds
        doc = name.startswith("lib-") and package.replace("-", "_") in doctests
        if doc or (package in packages and name.startswith(("bin-", "example-"))):
            newest[package, name] = key
    todo += newest.values()
    seen: set[str] = set()
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        for dep in units[key][2]:
            if dep in by_print:
                todo.append(by_print[dep])
    return {k.split("/", 1)[0] for k in seen}


def _mtime(view: View, profile: str, key: str, package: str) -> float:
    hashed, name = key.split("/", 1)
    try:
        return view.host(f"{profile}/.fingerprint/{package}-{hashed}/{name}").stat().st_mtime
    except OSError:
        return 0.0


def dep_info_sources(text: str) -> list[str]:
    """The files a rustc dep-info file (Makefile rules) names as sources."""
    out: list[str] = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        _, sep, rest = line.replace("\\ ", "\0").partition(": ")
        if sep:
            out.extend(p.replace("\0", " ") for p in rest.split() if p)
    return out


def _sources(view: View, profile: str, hashes: set[str]) -> set[str]:
    """Every source file the units ``hashes`` of ``profile`` were built from, as their
    dep-info names them (relative to cargo's workspace root, or absolute)."""
    folders = [f"{profile}/deps", f"{profile}/examples", profile]
    folders += [f"{profile}/build/{d}" for d in view.listdir(f"{profile}/build")]
    out: set[str] = set()
    for folder in folders:
        for name in view.listdir(folder):
            hashed = _HASHED.match(name[: -len(".d")]) if name.endswith(".d") else None
            if hashed is not None and hashed.group("hash") in hashes:
                out.update(dep_info_sources(view.read(f"{folder}/{name}") or ""))
    return out


def _workspace_root(view: View, profile: str, relative: set[str], made: set[str]) -> str | None:
    """The folder the dep-info's ``relative`` paths are relative to (cargo's workspace
    root, where it runs rustc): the nearest folder above ``profile`` (``target/debug``),
    else the workspace or a folder of its top, that holds every one of them (``made``:
    the edited files, which may exist only in the run); None when none does."""
    above = [str(p) for p in PurePosixPath(profile).parents]
    tops = [f"{view.seen}/{d}" for d in view.listdir(view.seen)]
    for folder in [*(a for a in above if view.inside(a)), view.seen, *tops]:
        paths = (os.path.normpath(f"{folder}/{s}") for s in relative)
        if all(p in made or os.path.lexists(view.host(p)) for p in paths):
            return folder
    return None


def _crate(view: View, rel: str) -> tuple[str, str, bool] | None:
    """The crate holding the workspace file ``rel``: its folder (as the run saw it), its
    package's name, and whether it has a build script; None when none is found."""
    parts = PurePosixPath(rel).parts[:-1]
    for n in range(len(parts), -1, -1):
        folder = "/".join([view.seen, *parts[:n]])
        toml = view.read(f"{folder}/Cargo.toml")
        m = _PACKAGE_NAME.search(toml or "")
        if m:
            assert toml is not None
            script = os.path.lexists(view.host(f"{folder}/build.rs"))
            return folder, m.group(1), script or bool(_BUILD_KEY.search(toml))
    return None


def _code(text: str) -> Counter[str]:
    lines = text.splitlines()
    return Counter(lines[n - 1].strip() for n in code_lines(text))


def _copy(view: View, path: str, crate: str, package: str, inner: str, new: str) -> bool:
    """Whether ``path`` (a source the tests built) is ``inner`` within another copy of
    the crate ``package`` at ``crate``, at least half of whose code lines are ``new``'s."""
    if not path.startswith("/") or not path.endswith("/" + inner):
        return False
    folder = path[: -len(inner) - 1]
    if folder == crate:
        return False
    m = _PACKAGE_NAME.search(view.read(f"{folder}/Cargo.toml") or "")
    text = view.read(path)
    if m is None or m.group(1) != package or text is None:
        return False
    theirs = _code(text)
    return bool(theirs) and 2 * sum((theirs & _code(new)).values()) >= sum(theirs.values())


def read_builds(view: View, files: Mapping[str, tuple[str, str]], output: str) -> Traced | None:
    """What ``cargo test`` built of the edited ``files`` (relative path -> old and new
    texts), from its ``output`` and the target folder it left; None when nothing is
    known."""
    sources: set[str] = set()
    found = False
    doctests = set(_DOCTESTS.findall(output))
    made = {f"{view.seen}/{rel}" for rel in files}
    for profile, roots in _profiles(view, output).items():
        built = _built(view, profile, roots, doctests)
        if built is None:
            return None
        found = True
        named = _sources(view, profile, built)
        relative = {s for s in named if not s.startswith("/")}
        root = _workspace_root(view, profile, relative, made) if relative else ""
        if root is None:
            return None
        sources |= {s if s.startswith("/") else os.path.normpath(f"{root}/{s}") for s in named}
    if not found:
        return None
    lines: dict[str, frozenset[int]] = {}
    elsewhere: dict[str, str] = {}
    unmeasured: set[str] = set()
    changes: list[Change] = []
    for rel, (old, new) in sorted(files.items()):
        mine = f"{view.seen}/{rel}"
        if mine in sources:
            continue
        crate = _crate(view, rel)
        if crate is None:
            continue
        folder, package, script = crate
        inner = mine[len(folder) + 1 :]
        copies = sorted(s for s in sources if _copy(view, s, folder, package, inner, new))
        change = line_change(
            rel, old.split("\n"), new.split("\n"), code_lines(new), code_lines(old)
        )
        if copies:
            if view.read(copies[0]) == new:  # the edit itself, copied by the run
                unmeasured.add(rel)
                continue
            other = copies[0]
            elsewhere[rel] = (
                other[len(view.seen) + 1 :] if other.startswith(view.seen + "/") else other
            )
        elif script or not any(s.startswith(folder + "/") for s in sources):
            continue
        else:
            lines[rel] = frozenset()
        changes.extend([change] if change else [])
    if not (lines or elsewhere or unmeasured):
        return None
    return Traced(lines, True, frozenset(unmeasured), changes=tuple(changes), elsewhere=elsewhere)


def combine(traced: Traced | None, rust: Traced | None) -> Traced | None:
    """The other languages' ``traced`` with what cargo built (:func:`read_builds`)."""
    if rust is None or traced is None:
        return traced if rust is None else rust
    return attrs.evolve(
        traced,
        lines={**traced.lines, **rust.lines},
        unmeasured=traced.unmeasured | rust.unmeasured,
        changes=(*traced.changes, *rust.changes),
        elsewhere={**traced.elsewhere, **rust.elsewhere},
    )
