"""Which edited Rust files ``cargo test`` built, from what cargo leaves in its target folder
(the Rust side of :mod:`.lines`: nothing says which lines ran, only which files were built).

A pass of ``cargo test`` said nothing about an edited ``.rs`` file the tests never
compiled, and was counted:

- a file no ``mod`` includes (``src/extra.rs`` beside a ``lib.rs`` without ``mod
  extra;``), or one a ``#[cfg(windows)] mod`` leaves out: rustc never reads it;
- a crate whose dependents build another copy of it: ``calc = { path = "../vendor/calc"
  }`` while the edit changes ``calc/src/lib.rs``, or a ``[source]`` replacement to a
  vendored folder (``cargo vendor``).  ``add`` broken there still passed.

- a file a build script copies into ``OUT_DIR`` for an ``include!``, in a ``target/``
  built before, when the script reruns only on a change of ``build.rs``: the tests built
  the copy of the file as it was.

What the run built is read after it (:mod:`.lines_cargo`): every source file of every
unit the tests that ran were built from, fresh or rebuilt (``mod``, ``#[path]``,
``include!``).  Then an edited file none of those lists:

- while one lists the file at the same path within another copy of its crate (a folder
  with a ``Cargo.toml`` of the same package name, outside the edited crate, at least half
  of whose code lines are the edited file's): the tests built that copy, and the pass is
  an error (:attr:`.lines_trace.Traced.elsewhere`, :mod:`.lines_shadow`).  A copy
  identical to the edited file is the edit (a command that vendors the crate again): not
  measured;
- in a crate with a build script, while one is a file of the same name in a build
  script's ``OUT_DIR`` that holds the edited file's text before the edit: the same
  error, with the advice to rerun the script (``cargo:rerun-if-changed``);
- while one lists another file of its crate, which has no build script, or whose build
  script's ``OUT_DIR`` holds no file one lists (a script may copy the file there and
  ``include!`` the copy; semver's prints cfgs only, and a ``#[cfg(feature = "serde")]``
  module's panic was a counted pass): no test built it, and none of its code lines ran
  (the pass's warning; :mod:`.lines_idle`).

Anything else (the file listed, the target folder not found, fingerprints that do not
read as expected, another runner) is not measured, and nothing is said.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import PurePosixPath

import attrs

from .bodies import Bodies
from .lines_cargo import View, built_sources
from .lines_js import line_change
from .lines_trace import Change, Traced

__all__ = ["View", "code_lines", "combine", "is_rust", "read_builds"]

_PACKAGE_NAME = re.compile(r'(?ms)^\[package\][^\[]*?^\s*name\s*=\s*"([^"]+)"')
_BUILD_KEY = re.compile(r"(?ms)^\[package\][^\[]*?^\s*build\s*=\s*(?!false)")


def is_rust(rel: str) -> bool:
    return rel.endswith(".rs")


def code_lines(text: str) -> set[int]:
    """The lines of Rust ``text`` (1-based) holding code: a character outside comments
    (``//``, nested ``/* */``) other than blanks and closing brackets; a string's lines
    all count."""
    return {
        n
        for n, line in enumerate(stripped(text), 1)
        if any(not c.isspace() and c not in ")]};," for c in line)
    }


#: a character literal at a quote ('x', '\\n', '\\u{1F600}', '{'); a quote not followed
#: by one starts a lifetime or a label ('a, 'outer)
_CHAR = re.compile(r"'(?:\\u\{[0-9a-fA-F]{1,6}\}|\\.|[^\\'\n])'")
_RAW = re.compile(r'b?r(#*)"')


def stripped(text: str) -> list[str]:
    """The lines of Rust ``text`` with comments (``//``, nested ``/* */``) made blanks and
    what string, raw string and character literals hold made ``x`` (their quotes kept):
    no brace of what is left is in a literal or a comment."""
    out: list[str] = []
    depth = 0  # nested block comments
    closing = ""  # the end of the string being read: '"', or '"##' for r##"
    for line in text.split("\n"):
        kept: list[str] = []
        i = 0
        while i < len(line):
            c, two = line[i], line[i : i + 2]
            if depth:
                depth += 1 if two == "/*" else -1 if two == "*/" else 0
                step = 2 if two in ("/*", "*/") else 1
                kept.append(" " * step)
                i += step
            elif closing:
                if line.startswith(closing, i):
                    kept.append(closing)
                    i, closing = i + len(closing), ""
                elif c == "\\" and closing == '"':
                    kept.append("xx")
                    i += 2
                else:
                    kept.append("x")
                    i += 1
            elif two == "//":
                break
            elif two == "/*":
                depth, i = 1, i + 2
                kept.append("  ")
            elif (raw := _RAW.match(line, i)) and not (
                i and (line[i - 1].isalnum() or line[i - 1] == "_")
            ):
                kept.append(raw.group(0))
                closing = '"' + raw.group(1)
                i = raw.end()
            elif c == '"':
                kept.append(c)
                closing = '"'
                i += 1
            elif c == "'" and (char := _CHAR.match(line, i)):
                kept.append("'" + "x" * (len(char.group(0)) - 2) + "'")
                i = char.end()
            else:
                kept.append(c)
                i += 1
        out.append("".join(kept))
    return out


#: the start of an item whose braces hold items (functions among them), not code
_SCOPE = re.compile(r"^(?:pub(?:\([^)]*\))?\s+)?(?:unsafe\s+)?(?:impl|mod|trait|extern\s*\"x*\")\b")
_ATTRIBUTE = re.compile(r"#!?\[[^\]]*\]")


def fn_bodies(text: str) -> list[tuple[int, int]]:
    """The line spans (first, last; 1-based) of the bodies of the functions of Rust
    ``text``: a brace opened after ``fn`` at the file's level or within ``impl``, ``mod``,
    ``trait`` or ``extern`` blocks (not within a function, a ``macro_rules!``, a struct or
    a ``const``), to its closing brace."""
    walk = Bodies(_rust_kind)
    for n, line in enumerate(stripped(text), 1):
        walk.line(n, line)
    return walk.found


def _rust_kind(before: str) -> str:
    head = _ATTRIBUTE.sub(" ", before).strip()
    if _SCOPE.match(head):
        return "scope"
    if re.search(r"\bfn\b", head) and not head.startswith("macro_rules"):
        return "body"
    return "other"


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


def _out_copy(view: View, path: str, rel: str, old: str, new: str) -> bool:
    """Whether ``path`` is a copy in a build script's ``OUT_DIR``
    (``target/debug/build/<package>-<hash>/out/``) of ``rel`` as it was before the edit
    (``old``, which the edit changed to ``new``): the script did not run again."""
    parts = PurePosixPath(path).parts
    in_out = "build" in parts[:-2] and "out" in parts[:-1]
    if not in_out or parts[-1] != PurePosixPath(rel).name or not old or old == new:
        return False
    return view.read(path) == old


def _out_dir(path: str, package: str) -> bool:
    """Whether ``path`` is in an ``OUT_DIR`` of ``package``'s build script
    (``target/debug/build/<package>-<hash>/out/``)."""
    parts = PurePosixPath(path).parts
    return any(
        parts[i] == "build"
        and re.fullmatch(rf"{re.escape(package)}-[0-9a-f]+", parts[i + 1])
        and parts[i + 2] == "out"
        for i in range(len(parts) - 3)
    )


def read_builds(view: View, files: Mapping[str, tuple[str, str]], output: str) -> Traced | None:
    """What ``cargo test`` built of the edited ``files`` (relative path -> old and new
    texts), from its ``output`` and the target folder it left; None when nothing is
    known."""
    sources = built_sources(view, output, {f"{view.seen}/{rel}" for rel in files})
    if sources is None:
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
        if script and not copies:  # a copy its build script made before the edit
            copies = sorted(s for s in sources if _out_copy(view, s, rel, old, new))
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
        elif not any(s.startswith(folder + "/") for s in sources):
            continue
        elif script and any(_out_dir(s, package) for s in sources):
            continue  # (a file of its build script's OUT_DIR, which may hold the edit)
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
        cut=traced.cut or rust.cut,
        changes=(*traced.changes, *rust.changes),
        elsewhere={**traced.elsewhere, **rust.elsewhere},
    )
