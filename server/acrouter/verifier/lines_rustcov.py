"""Which of the lines an edit changes in Rust files ``cargo test`` ran, from rustc's own
coverage instrumentation (``-C instrument-coverage``) read with LLVM's tools (the line
side of :mod:`.lines_rust`, which tells only which files were built).

A pass of ``cargo test`` after an edit that broke a function no test calls (``pub fn
unused()``, or itoa's ``Clone for Buffer``, which no test clones) was counted as the
model's, with nothing said: the file was built, so nothing told its lines apart.

Now the run with the edit (only that one, and only when an ``llvm-profdata`` /
``llvm-cov`` pair is installed: rustup's ``llvm-tools`` component, Debian's ``llvm-19``)
gets ``RUSTC_WRAPPER`` (:data:`WRAPPER`) and ``RUSTDOC`` (:data:`DOC_WRAPPER`, for
doc-tests).  They add ``-C instrument-coverage`` to the compilations of the crates in
the workspace (``CARGO_MANIFEST_DIR`` there, never the registry's), except build scripts
and proc-macros, when the rustc has the profiler runtime (rustup's has it; Debian's
rustc 1.63 has not: then nothing is added and nothing is said).  A ``RUSTC_WRAPPER``
changes neither cargo's unit hashes nor its fingerprints (a ``RUSTC_WORKSPACE_WRAPPER``
changes the hashes: a build script's ``OUT_DIR`` moved, and the run wrote code the run
without the edit did not, a refused verdict; ``RUSTFLAGS`` would rebuild every
dependency and replace the project's own ``build.rustflags``): the units the edit made
stale, every one built from an edited file and all that depend on them, are rebuilt
instrumented in the run's ``target/`` (the overlay's upper folder or the scratch copy,
never the user's own), the fresh ones stay as they are, uninstrumented and unread.  A
``RUSTC_WRAPPER`` of the project's own (sccache) is run by ours.  Every test process
writes ``<out>/acrouter-rs-<pid>-<signature>.profraw`` (``LLVM_PROFILE_FILE``).

After the run: the profiles merged (``llvm-profdata merge``, the first installed pair
that reads them: LLVM 19 reads rustc 1.95's LLVM 22 profiles), then ``llvm-cov export
-format=lcov`` over every instrumented object the run built (test binaries, the
binaries of the packages, and the objects of the rlibs, whose doc-tests' counts only
they map), written after the run started.  A changed line is a statement when it holds
code (:func:`.lines_rust.code_lines`) and the mapping holds a region on it; it ran when a region there counted.  So ``use``,
struct fields, comments and blank lines are never statements; a function nothing
instantiates (a generic one no test calls) has its regions, none run: its lines did not
run, and that is said.  A function whose body holds no region in a file that holds
some (:func:`.lines_rust.fn_bodies`) was built by no unit of the run
(``#[cfg(feature = "extra")]`` the tests do not enable, ``#[cfg(windows)]``, a
``#[cfg(not(test))]`` item in a crate with no integration test): its code lines are
statements that did not run, and that is said (before, such an edit was a counted pass
with nothing said).  Other code with no region (a ``macro_rules!`` body, whose
expansions count at their call sites; a build script, a proc-macro: files with no
region at all) is no statement.

Not measured (the pass says which lines ran is not known, :mod:`.lines_opened`): no pair installed or none reads the profiles, a rustc
without the profiler runtime, a run whose environment has its own coverage or wrappers
(``LLVM_PROFILE_FILE``, ``instrument-coverage`` in ``RUSTFLAGS``,
``RUSTC_WORKSPACE_WRAPPER``, ``RUSTDOC``), a command cargo does not plan (``make
test``), a file the profile does not hold or holds past its end.  A run where fewer processes wrote a profile than cargo started test binaries
(one aborted) is :attr:`.lines_trace.Traced.cut`: no line is said not to have run."""

from __future__ import annotations

import mmap
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

from .lines_cargo import RUNNING, View, profiles
from .lines_js import line_change
from .lines_rust import code_lines, fn_bodies
from .lines_trace import Change, Traced

#: the rustc wrapper and the rustdoc wrapper, written into the run's out folder
WRAPPER = "acrouter-rustc"
DOC_WRAPPER = "acrouter-rustdoc"
#: what the wrapper found of the rustc's profiler runtime: ``yes`` or ``no``
PROFILER_MARK = "acrouter-rs-profiler"
#: written before the run: objects older than it are not the run's
START = "acrouter-rs-start"
PROFRAW_PREFIX = "acrouter-rs-"
#: the words of a failed traced run that the instrumentation may have caused
SUSPECT_WORDS = ("instrument-coverage", "profiler_builtins", "profraw", WRAPPER, DOC_WRAPPER)
#: how long the LLVM tools may take, each
TOOL_TIMEOUT_S = 120

_RUSTC_SCRIPT = """#!/bin/sh
# ACRouter: -C instrument-coverage for the crates of the workspace (lines_rustcov)
mark='{mark}'
case "$CARGO_MANIFEST_DIR/" in
  '{seen}'/*) ;;
  *) exec {chain}"$@" ;;
esac
case " $* " in
  *" --crate-name ___ "*|*" --crate-name build_script_"*|*" --crate-type proc-macro "*)
    exec {chain}"$@" ;;
  *" --crate-name "*) ;;
  *) exec {chain}"$@" ;;
esac
if [ ! -s "$mark" ]; then
  root=$("$1" --print sysroot 2>/dev/null)
  if [ -n "$root" ] && ls "$root"/lib/rustlib/*/lib/libprofiler_builtins-* >/dev/null 2>&1
  then echo yes > "$mark.$$"
  else echo no > "$mark.$$"
  fi
  mv -f "$mark.$$" "$mark"
fi
if [ "$(cat "$mark" 2>/dev/null)" = yes ]; then
  exec {chain}"$@" -C instrument-coverage
fi
exec {chain}"$@"
"""

_RUSTDOC_SCRIPT = """#!/bin/sh
# ACRouter: doc-tests instrumented as the crates they test (lines_rustcov)
case " $* " in
  *" --test "*)
    if [ "$(cat '{mark}' 2>/dev/null)" = yes ]; then
      exec rustdoc "$@" -C instrument-coverage
    fi ;;
esac
exec rustdoc "$@"
"""


def tool_pairs() -> list[tuple[str, str]]:
    """The installed ``llvm-profdata`` / ``llvm-cov`` pairs, the likeliest to read rustc's
    profiles first: rustup's ``llvm-tools``, then the versioned ones of the system (the
    newest first), then the unversioned."""
    pairs: list[tuple[str, str]] = []
    rustup = Path(os.environ.get("RUSTUP_HOME") or Path.home() / ".rustup")
    for folder in sorted(rustup.glob("toolchains/*/lib/rustlib/*/bin")):
        profdata, cov = folder / "llvm-profdata", folder / "llvm-cov"
        if os.access(profdata, os.X_OK) and os.access(cov, os.X_OK):
            pairs.append((str(profdata), str(cov)))
    for suffix in [f"-{major}" for major in range(40, 10, -1)] + [""]:
        found = shutil.which(f"llvm-profdata{suffix}"), shutil.which(f"llvm-cov{suffix}")
        if found[0] and found[1] and found not in pairs:
            pairs.append((found[0], found[1]))
    return pairs


def own_coverage(env: Mapping[str, str]) -> bool:
    """Whether the run's environment sets coverage, or rustc or rustdoc, itself."""
    flags = env.get("RUSTFLAGS", "") + env.get("CARGO_ENCODED_RUSTFLAGS", "")
    taken = ("LLVM_PROFILE_FILE", "RUSTC_WORKSPACE_WRAPPER", "RUSTDOC")
    return any(env.get(k) for k in taken) or "instrument-coverage" in flags


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def cover_env(out_dir: str, seen: str, env: Mapping[str, str]) -> dict[str, str] | None:
    """The variables that instrument the run's crates in ``seen`` (the workspace as the
    run sees it; the wrappers written into ``out_dir``), or None when the run cannot be
    measured (no LLVM tools, its own coverage or wrappers: :func:`own_coverage`).  A
    ``RUSTC_WRAPPER`` of the run's own (sccache) is kept: ours runs it."""
    if own_coverage(env) or not tool_pairs():
        return None
    folder = Path(out_dir)
    mark = str(folder / PROFILER_MARK).replace("'", "'\\''")
    chain = _quoted(env["RUSTC_WRAPPER"]) + " " if env.get("RUSTC_WRAPPER") else ""
    place = seen.replace("'", "'\\''")
    scripts = {
        WRAPPER: _RUSTC_SCRIPT.format(mark=mark, seen=place, chain=chain),
        DOC_WRAPPER: _RUSTDOC_SCRIPT.format(mark=mark),
    }
    for name, text in scripts.items():
        (folder / name).write_text(text, encoding="utf-8")
        (folder / name).chmod(0o755)
    (folder / START).write_text("", encoding="utf-8")
    return {
        "RUSTC_WRAPPER": str(folder / WRAPPER),
        "RUSTDOC": str(folder / DOC_WRAPPER),
        "LLVM_PROFILE_FILE": str(folder / f"{PROFRAW_PREFIX}%p-%m.profraw"),
    }


def suspect(output: str) -> bool:
    """Whether a failed run's ``output`` names the instrumentation."""
    return any(w in output for w in SUSPECT_WORDS)


def _has_coverage(path: Path) -> bool:
    try:
        with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            return m[:4] == b"\x7fELF" and m.find(b"__llvm_covfun") >= 0
    except (OSError, ValueError):
        return False


def ar_members(data: bytes) -> Iterator[tuple[str, bytes]]:
    """The members of an ``ar`` archive (an rlib), GNU long names resolved."""
    if not data.startswith(b"!<arch>\n"):
        return
    pos, names = 8, b""
    while pos + 60 <= len(data):
        header = data[pos : pos + 60]
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError:
            return
        name = header[:16].decode("ascii", "replace").strip()
        body = data[pos + 60 : pos + 60 + size]
        if name == "//":
            names = body
        elif re.fullmatch(r"/\d+", name):
            name = names[int(name[1:]) :].split(b"\n", 1)[0].decode("utf-8", "replace")
        yield name.rstrip("/"), body
        pos += 60 + size + (size & 1)


def _objects(view: View, output: str, out_dir: Path, start: float) -> list[str]:
    """The instrumented objects the run built (written after ``start``) in the profile
    folders of the test binaries ``output`` names: executables, and the objects of the
    rlibs (extracted into ``out_dir``)."""
    found: list[str] = []
    seen_files: set[tuple[int, int]] = set()
    extracted = out_dir / f"{PROFRAW_PREFIX}objects"
    for profile in sorted(profiles(view, output)):
        for sub in (f"{profile}/deps", profile, f"{profile}/examples"):
            for name in view.listdir(sub):
                path = view.host(f"{sub}/{name}")
                try:
                    st = path.stat()
                except OSError:
                    continue
                if (
                    not path.is_file()
                    or st.st_mtime < start
                    or (st.st_dev, st.st_ino) in seen_files
                ):
                    continue
                seen_files.add((st.st_dev, st.st_ino))
                if name.endswith(".rlib"):
                    try:
                        data = path.read_bytes()
                    except OSError:
                        continue
                    for k, (member, body) in enumerate(ar_members(data)):
                        if body[:4] == b"\x7fELF" and b"__llvm_covfun" in body:
                            extracted.mkdir(exist_ok=True)
                            target = extracted / f"{len(found)}-{k}-{Path(member).name}"
                            target.write_bytes(body)
                            found.append(str(target))
                elif not name.endswith((".d", ".rmeta")) and _has_coverage(path):
                    found.append(str(path))
    return found


def parse_lcov(text: str) -> dict[str, dict[int, bool]]:
    """An lcov report's lines by source file: each line with whether it ran."""
    out: dict[str, dict[int, bool]] = {}
    current: dict[int, bool] | None = None
    for line in text.splitlines():
        if line.startswith("SF:"):
            current = out.setdefault(os.path.normpath(line[3:]), {})
        elif line.startswith("DA:") and current is not None:
            parts = line[3:].split(",")
            try:
                n, count = int(parts[0]), int(parts[1])
            except (ValueError, IndexError):
                continue
            current[n] = current.get(n, False) or count > 0
        elif line == "end_of_record":
            current = None
    return out


def _export(out_dir: Path, raws: list[Path], objects: list[str]) -> str | None:
    """The lcov report of the run's profiles over ``objects``, by the first pair of LLVM
    tools that reads them; None when none does."""
    merged = out_dir / f"{PROFRAW_PREFIX}merged.profdata"
    for profdata, cov in tool_pairs():
        try:
            merge = [profdata, "merge", "-sparse", *map(str, raws), "-o", str(merged)]
            if subprocess.run(
                merge, check=False, capture_output=True, timeout=TOOL_TIMEOUT_S
            ).returncode:
                continue
            argv = [cov, "export", "-format=lcov", f"-instr-profile={merged}", objects[0]]
            for obj in objects[1:]:
                argv += ["-object", obj]
            done = subprocess.run(argv, check=False, capture_output=True, timeout=TOOL_TIMEOUT_S)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0 and done.stdout.startswith(b"SF:"):
            return done.stdout.decode("utf-8", "replace")
    return None


def read_cover(
    out_dir: str | Path, view: View, files: Mapping[str, tuple[str, str]], output: str
) -> Traced | None:
    """The statement lines of the edited Rust ``files`` (relative path -> old and new
    texts) the tests ran, and their changes; a file the report does not hold is left
    out (not measured).  None when nothing was measured."""
    folder = Path(out_dir)
    raws = sorted(folder.glob(f"{PROFRAW_PREFIX}*.profraw"))
    try:
        start = (folder / START).stat().st_mtime - 1
    except OSError:
        return None
    objects = _objects(view, output, folder, start) if raws else []
    text = _export(folder, raws, objects) if objects else None
    if text is None:
        return None
    report = parse_lcov(text)
    lines: dict[str, frozenset[int]] = {}
    changes: list[Change] = []
    for rel, (old, new) in sorted(files.items()):
        held = report.get(os.path.normpath(f"{view.seen}/{rel}"))
        if not held or max(held) > new.count("\n") + 1:
            continue
        code = code_lines(new)
        statements = {n: ran for n, ran in held.items() if n in code}
        for first, last in fn_bodies(new):
            if not any(first <= n <= last for n in held):
                # no region in a function's body: no unit the tests ran built it
                # (#[cfg(feature = ...)], #[cfg(windows)]), so none of it ran
                statements.update((n, False) for n in range(first, last + 1) if n in code)
        lines[rel] = frozenset(n for n, ran in statements.items() if ran)
        change = line_change(
            rel, old.split("\n"), new.split("\n"), set(statements), code_lines(old)
        )
        changes.extend([change] if change else [])
    if not lines:
        return None
    cut = len(raws) < len(RUNNING.findall(output))
    return Traced(lines, True, cut=cut, changes=tuple(changes))
