"""The run stage of :mod:`.lines_go`: how the traced ``go test`` of the run with an edit
is started, and where it took the changed packages from.

A ``go test`` the planner reads (the command itself, or the one segment of a shell line
that runs it) gets ``-coverprofile=<out>/acrouter-go.cover -coverpkg=<the changed
files' packages>`` after ``go test`` (:func:`cover_argv`) and runs through
:func:`lister`'s script, which first asks ``go list`` (same folder, same environment,
the command's ``-mod``/``-modfile``) where each changed package comes from.  A ``go
test`` out of the planner's sight (``make test``, a script, a shell line that runs it
twice) finds :func:`shim`'s ``go`` first on its ``PATH``, which does the same for each
``go test`` it runs (a profile of its own each) and runs anything else as it is.  A
command that asks for coverage itself (``-cover``, ``-coverprofile``, ``-covermode``,
``-coverpkg``, also through ``GOFLAGS``), or changes folder first (``go test -C``), is
not measured: nothing is said.

go's profile names a file by import path, whichever folder go built it from: a package
every ``go test`` took from another folder (a ``replace`` to another copy,
``vendor/``, the module cache) never ran the edit (:func:`built_from`;
``Traced.elsewhere``, an error: :mod:`.lines_shadow`).  A traced run that failed with
output naming coverage, or a package that did not build, is run again without it
(:func:`named`)."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

#: the profile go writes into the run's out folder
PROFILE = "acrouter-go.cover"
#: a command asking for coverage itself (``GOFLAGS=-cover`` too)
_USERS = re.compile(r"(?<![\w.-])--?(test\.)?cover")
_GO_TEST = re.compile(r"\bgo\s+test\b")
#: ``go test -C dir``: go 1.20's change of folder, which must come first (before the
#: flags added here) and which the script's ``go list`` would not follow
_CHDIR = re.compile(r"\s+--?C(\s|=|$)")
#: what stands before ``go`` in the same word of a shell line (``/usr/local/go/bin/``)
_TOKEN = re.compile(r"[^\s;&|()<>]*$")
#: the script that lists where go takes the edited packages from (:func:`lister`), and
#: what it writes: ``import/path /folder`` lines
LISTER = "acrouter-go-list.sh"
DIRS = "acrouter-go.dirs"
_LISTED = "{{.ImportPath}} {{.Dir}}"
#: the folder of :func:`shim`'s ``go``, and the start of the profiles each ``go test`` it
#: runs writes (``acrouter-go-<pid>.cover``)
SHIM_DIR = "acrouter-go-bin"
PROFILE_STEM = "acrouter-go"
#: go's own lines about coverage (not a test's)
_SUMMARY = re.compile(r"coverage: (\[no statements\]|[\d.]+% of statements)")
_NAMED = re.compile(r"(?i)\bcover|\[(build|setup) failed\]")


def lister(out_dir: str, covered: Sequence[str]) -> str:
    """The script run as ``/bin/sh SCRIPT GO test ARGS...``: it writes into ``out_dir``
    (:data:`DIRS`) the folder go takes each package of ``covered`` from in the module the
    command runs in (``go list``, with the command's ``-mod``/``-modfile``), then runs
    ``GO test ARGS...``."""
    return (
        "# ACRouter: where go takes the packages the edit changes from, then the tests\n"
        "go=$1; shift\n" + _go_list("$go", out_dir, covered) + 'exec "$go" "$@"\n'
    )


def _go_list(go: str, out_dir: str, covered: Sequence[str]) -> str:
    """The lines of a script that ask ``go`` (a shell variable, set) where each package of
    ``covered`` comes from, with the ``-mod``/``-modfile`` of the ``go test`` arguments
    in ``"$@"``, into ``out_dir``'s :data:`DIRS`."""
    listed = shlex.quote(f"{out_dir}/{DIRS}")
    return (
        "f=; p=\n"
        'for a in "$@"; do case $p in -mod|--mod|-modfile|--modfile) f="$f $p $a";; esac\n'
        '  case $a in -mod=*|--mod=*|-modfile=*|--modfile=*) f="$f $a";; esac; p=$a; done\n'
        f'"{go}" list -e $f -f {shlex.quote(_LISTED)} {shlex.join(covered)} >>{listed} 2>/dev/null\n'
    )


def shim(out_dir: str, covered: Sequence[str]) -> str:
    """The ``go`` put first on the ``PATH`` of a command that runs ``go test`` out of the
    planner's sight (``make test``, a script, a shell line with two of them): each ``go
    test`` it runs lists where the packages ``covered`` come from and writes a profile of
    them of its own (``acrouter-go-<pid>.cover``), as :func:`cover_argv` and
    :func:`lister` do for one; anything else, a ``go test`` asking for coverage itself
    or changing folder first (``-C``), runs as it is.  The real ``go`` is the next one on
    the ``PATH``."""
    here = shlex.quote(f"{out_dir}/{SHIM_DIR}")
    profile = shlex.quote(f"{out_dir}/{PROFILE_STEM}")
    return (
        "#!/bin/sh\n"
        "# ACRouter: go test with a coverage profile of the packages the edit changes\n"
        f"here={here}; real=\n"
        "IFS=:; for d in $PATH; do\n"
        '  [ "$d" = "$here" ] && continue; [ -x "$d/go" ] && { real=$d/go; break; }\n'
        "done; unset IFS\n"
        '[ -n "$real" ] || { echo "go: command not found" >&2; exit 127; }\n'
        '[ "$1" = test ] || exec "$real" "$@"\n'
        'case " $* $GOFLAGS " in *" -cover"*|*" --cover"*|*" -test.cover"*|*" --test.cover"*)'
        ' exec "$real" "$@";; esac\n'
        'case "$2" in -C|-C=*|--C|--C=*) exec "$real" "$@";; esac\n'
        "shift\n"
        + _go_list("$real", out_dir, covered)
        + f'exec "$real" test -coverprofile={profile}-$$.cover -coverpkg={",".join(covered)}'
        ' "$@"\n'
    )


def shim_path(out_dir: str, env: Mapping[str, str]) -> str:
    """The ``PATH`` that puts :func:`shim` first."""
    return f"{out_dir}/{SHIM_DIR}:{env.get('PATH') or os.defpath}"


def users_coverage(env: Mapping[str, str]) -> bool:
    """Whether ``GOFLAGS`` asks for coverage itself (then nothing is added)."""
    return bool(_USERS.search(env.get("GOFLAGS", "")))


def cover_argv(
    argv: Sequence[str],
    runner: str | None,
    out_dir: str,
    env: Mapping[str, str],
    covered: Sequence[str],
) -> tuple[str, ...] | None:
    """``argv`` (a planned ``go test``, as a plain argv or ``/bin/sh -c LINE``) asking go
    for a coverage profile in ``out_dir`` of the packages ``covered`` (import paths), run
    through :func:`lister`'s script (the caller writes it into ``out_dir``), or None when
    it cannot be measured so (not go, no package, the command or ``GOFLAGS`` asks for
    coverage itself, or ``go test -C DIR`` changes folder first)."""
    if runner != "go" or not covered or users_coverage(env):
        return None
    flags = [f"-coverprofile={out_dir}/{PROFILE}", f"-coverpkg={','.join(covered)}"]
    script = f"{out_dir}/{LISTER}"
    if len(argv) == 3 and argv[:2] == ("/bin/sh", "-c"):
        line = argv[2]
        found = list(_GO_TEST.finditer(line))
        if len(found) != 1 or _USERS.search(line) or _CHDIR.match(line, found[0].end()):
            return None
        start, at = found[0].start(), found[0].end()
        word = _TOKEN.search(line[:start])
        start -= len(word.group()) if word else 0
        lead = f"/bin/sh {shlex.quote(script)} "
        return (
            *argv[:2],
            line[:start] + lead + line[start:at] + " " + shlex.join(flags) + line[at:],
        )
    if len(argv) < 2 or PurePosixPath(argv[0]).name != "go" or argv[1] != "test":
        return None
    if any(_USERS.match(a) for a in argv[2:]) or _CHDIR.match(" ".join(argv[1:]), 4):
        return None
    return ("/bin/sh", script, *argv[:2], *flags, *argv[2:])


def named(output: str) -> bool:
    """A failed run's output names coverage (other than go's percentages) or a package
    that did not build: coverage may have caused it (``-coverpkg`` builds the edited
    packages again, instrumented; a test may check ``testing.CoverMode()``)."""
    return bool(_NAMED.search(_SUMMARY.sub("", output)))


def listed_folders(out_dir: str | Path) -> dict[str, set[str]]:
    """What :func:`lister`'s script wrote: the folders go took each package from (one per
    ``go test`` the command ran), by import path."""
    try:
        text = (Path(out_dir) / DIRS).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[str, set[str]] = {}
    for line in text.splitlines():
        name, _, folder = line.partition(" ")
        if folder:
            out.setdefault(name, set()).add(folder)
    return out


def built_from(base: str, rel: str, folders: Iterable[str]) -> str | None:
    """The file the tests built in place of the workspace file ``rel`` when every ``go
    test`` took its package from another folder of ``folders`` (a ``replace`` to another
    copy, ``vendor/``, the module cache), named as :attr:`.lines.Traced.elsewhere` names
    it (relative to the workspace ``base`` inside it), else None."""
    own = PurePosixPath(base, rel).parent
    folders = sorted(folders)
    if not folders or any(_same(f, str(own)) for f in folders):
        return None
    other = PurePosixPath(folders[0], PurePosixPath(rel).name)
    return str(other.relative_to(base)) if other.is_relative_to(base) else str(other)


def _same(folder: str, own: str) -> bool:
    """Whether go's ``folder`` is ``own`` (go names the physical path when the
    workspace's has a link in it)."""
    return folder == own or os.path.realpath(folder) == os.path.realpath(own)
