"""What cargo's target folder says a ``cargo test`` run built its tests from (for
:mod:`.lines_rust`): every source file of every unit the test binaries it ran were built
from, as the run left the folder.

The output names the test binaries (``Running tests/it.rs (target/debug/deps/it-<hash>)``,
``Doc-tests app``).  In their profile folder (``target/debug``), each unit has a
fingerprint folder (``.fingerprint/<package>-<hash>/``): its fingerprint (``<kind>-<target>``,
16 hex digits, the u64's little-endian bytes) and a ``.json`` whose ``deps`` hold the
fingerprints of the units it was built from, whether this run rebuilt it or found it fresh
(cargo 1.65 and 1.95 write them so).  rustc's dep-info of a unit (``deps/<crate>-<hash>.d``,
``build/<package>-<hash>/*.d``) names every source file it read, relative to cargo's
workspace root (where it runs rustc) or absolute.  Units of other commands (a ``cargo
build --release``, an older build) are not among them.  Under an overlay the folder is the
user's ``target/`` with what the run wrote over it (:class:`View`).
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Collection
from pathlib import Path, PurePosixPath

import attrs

#: a test binary cargo ran: ``Running unittests src/lib.rs (target/debug/deps/x-<hash>)``,
#: or (cargo before 1.51) ``Running target/debug/deps/x-<hash>``
RUNNING = re.compile(r"^\s*Running (?:.*\((?P<paren>[^()\n]+)\)|(?P<bare>\S+))\s*$", re.MULTILINE)
_DOCTESTS = re.compile(r"^\s*Doc-tests (\S+)\s*$", re.MULTILINE)
_HASHED = re.compile(r"^(?P<name>.+)-(?P<hash>[0-9a-f]{16})$")
#: a target folder with more fingerprint folders than this is not read (nothing is said)
MAX_UNITS = 20_000


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


def profiles(view: View, output: str) -> dict[str, set[str]]:
    """The profile folders (``target/debug``) of the test binaries ``output`` names, each
    with the hashes of those binaries."""
    found: dict[str, set[str]] = {}
    for m in RUNNING.finditer(output):
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
    folders = view.listdir(fingerprints)
    if len(folders) > MAX_UNITS:  # not read in part: a unit left out would read as not built
        return None
    for folder in folders:
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


def _workspace_root(
    view: View, profile: str, relative: set[str], made: Collection[str]
) -> str | None:
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


def built_sources(view: View, output: str, made: Collection[str]) -> set[str] | None:
    """Every source file (as the run saw its path) of every unit the tests ``output``
    names were built from; ``made``: the edited files (which may exist only in the run).
    None when no target folder of theirs is found, or its fingerprints or paths do not
    read."""
    sources: set[str] = set()
    found = False
    doctests = set(_DOCTESTS.findall(output))
    for profile, roots in profiles(view, output).items():
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
    return sources
