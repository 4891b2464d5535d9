"""Whether the run with an edit opened the edited files whose lines no tracer measures
(Markdown, JSON, YAML, a Kotlin source, a Ruby or Java source no ruby or JVM of the run
loaded): a pass says nothing about a file no process of the tests' run even opened.

Python, JavaScript, TypeScript, Go and Rust files are measured line by line (or by what
was built: :mod:`.lines_run`), and so are Ruby files a ruby of the run loaded
(:mod:`.lines_rubycov`), Perl files a perl of the run compiled (:mod:`.lines_perlcov`),
PHP files a php of the run compiled with pcov loaded (:mod:`.lines_phpcov`) and Java files
a JVM of the run loaded a class of (:mod:`.lines_javacov`: ``sandboxrun`` drops those from
what is said here); for every other file of the edit, the verifier watches its
copy in the run's workspace (the scratch copy's file, or the file bound over the overlaid
workspace) with Linux's inotify for ``IN_OPEN``, from just before the test command starts
to just after it ends.  Opens through the sandbox's bind mounts and overlay reach the
same inode, so every process of the run counts, whatever its language; the verifier
itself does not open these files while the run is on.  A file opened counts as read (the
test may still not look at the changed part); a file not opened was read by no test.
Where inotify is not there (not Linux, no free inotify instance or watch), nothing is
known and nothing is said.

An opened file of source code (C, Java, PHP, shell, ...: :data:`UNMEASURED_CODE`) is not
enough to say the tests ran what the edit changed in it: a compiler opens every file it
builds.  A pass then says that which of its lines ran is not known
(:func:`blind_sentence`), so the editor asks the user to read them; it is still learned
(nothing shows the tests missed the edit).  Before, a C edit that broke a function no test
calls passed under ``make test`` with nothing said (C and C++ are now measured where a
gcc is on the run's PATH: :mod:`.lines_ccov`)."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import os
import select
import shlex
import shutil
import struct
import threading
from collections.abc import Callable, Mapping
from typing import TypeVar

from .testnames import is_test_file

log = logging.getLogger(__name__)

_IN_OPEN = 0x00000020
_IN_ONESHOT = 0x80000000  # one event a file: the watch goes after it
_IN_Q_OVERFLOW = 0x00004000
_IN_NONBLOCK = os.O_NONBLOCK
_IN_CLOEXEC = os.O_CLOEXEC
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len (then len bytes of name)

T = TypeVar("T")

#: the suffixes of source code whose lines no tracer of the verifier measures, and the
#: language's name: a pass knows only that the run opened such a file (a compiler
#: reading it counts), not whether a test ran what the edit changed in it, and says so
#: (:func:`blind_sentence`)
UNMEASURED_CODE: Mapping[str, str] = {
    ".c": "C",
    ".h": "C",
    ".cc": "C++",
    ".cpp": "C++",
    ".cxx": "C++",
    ".c++": "C++",
    ".hpp": "C++",
    ".hh": "C++",
    ".hxx": "C++",
    ".ipp": "C++",
    ".m": "Objective-C",
    ".mm": "Objective-C++",
    ".java": "Java",
    ".kt": "Kotlin",
    ".scala": "Scala",
    ".groovy": "Groovy",
    ".clj": "Clojure",
    ".cs": "C#",
    ".fs": "F#",
    ".vb": "Visual Basic",
    ".php": "PHP",
    ".swift": "Swift",
    ".dart": "Dart",
    ".zig": "Zig",
    ".nim": "Nim",
    ".d": "D",
    ".f90": "Fortran",
    ".pl": "Perl",
    ".pm": "Perl",
    ".lua": "Lua",
    ".sh": "shell",
    ".bash": "shell",
    ".ex": "Elixir",
    ".exs": "Elixir",
    ".erl": "Erlang",
    ".hs": "Haskell",
    ".ml": "OCaml",
    ".r": "R",
    ".jl": "Julia",
    ".vue": "Vue",
    ".svelte": "Svelte",
    ".rb": "Ruby",
    ".rs": "Rust",
    ".go": "Go",
}

#: why a file of a language the verifier measures in some runs was not measured in this
#: one (the others are never measured)
_NOT_IN_THIS_RUN = {
    "Ruby": "no ruby of the run reported which of its lines ran",
    "Perl": (
        "no perl of the run reported which of its lines ran (a perl started with -T, other "
        "than by Perl's test harness, ignores PERL5OPT, and so our measurement)"
    ),
    "PHP": (
        "no php of the run reported which of its lines ran (PHP is measured with the pcov "
        "extension: Debian's php-pcov; a php started with -n or with an auto_prepend_file "
        "on its command line, or by a command that sets PHP_INI_SCAN_DIR itself, is not)"
    ),
    "Java": (
        "no JVM of the run reported which of its lines ran (Java is measured by an agent "
        "ACRouter builds with the machine's C compiler and the JDK's headers, on "
        "JAVA_TOOL_OPTIONS; a JVM started with an environment of its own is not)"
    ),
    "Rust": (
        "the run's coverage does not say which of its lines ran (Rust is measured under "
        "cargo test, with a rustc that has the profiler runtime and an llvm-cov installed)"
    ),
    "Go": (
        "the run's coverage does not say which of its lines ran (a go test with coverage "
        "flags of its own is not measured)"
    ),
}


def unmeasured_language(rel: str) -> str | None:
    """The language of ``rel`` when it is source code no tracer measures line by line
    (C, Java, PHP, ...; a Ruby, Rust or Go file the run did not measure), else None
    (Markdown, JSON, YAML, a file with no suffix, the tests' own files)."""
    if is_test_file(rel):
        return None
    return UNMEASURED_CODE.get(os.path.splitext(rel)[1].lower())


def blind_sentence(opened: Mapping[str, bool], limit: int) -> str:
    """The verdict's sentence on the edited code files a process of the run opened
    but whose lines no tracer measured: which of their lines ran is not known (empty
    when there are none)."""
    blind = sorted(rel for rel, was in opened.items() if was and unmeasured_language(rel))
    if not blind:
        return ""
    files = ", ".join(blind[:limit]) + (" ..." if len(blind) > limit else "")
    langs = sorted({unmeasured_language(rel) or "" for rel in blind})
    why = [_NOT_IN_THIS_RUN[lang] for lang in langs if lang in _NOT_IN_THIS_RUN]
    langs = [lang for lang in langs if lang not in _NOT_IN_THIS_RUN]
    if langs:
        why.append(
            f"{' and '.join(langs)} {'is' if len(langs) == 1 else 'are'} not measured line by line"
        )
    return (
        f"which lines of {files} the tests ran is not known: {'; '.join(why)}; the run only "
        f"opened {'the file' if len(blind) == 1 else 'them'}"
    )


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.inotify_init1, libc.inotify_add_watch  # noqa: B018 (present on Linux only)
    except (OSError, AttributeError):
        return None
    return libc


class OpenWatch:
    """Watches ``files`` (host path -> the path the verdict names) for opens while
    :meth:`during` runs something; :meth:`opened` then tells, for each file it could
    watch, whether any process opened it (None: inotify is not available here).

    With ``marks`` (the folder :func:`git_env`'s git writes its marks in), an open made
    while a git of the run was running is git's (:meth:`by_git`), not a test's: the
    events of the files and of the marks come in the order they happened, read as the
    run goes (a thread; each file watched until a test's open is seen)."""

    def __init__(self, files: Mapping[str, str], marks: str | None = None) -> None:
        self.files = dict(files)
        self.marks = marks
        self._seen: set[str] = set()
        self._git_seen: set[str] = set()
        self._gits: set[str] = set()  # the pids of the gits running now
        self._watched: set[str] = set()
        self._known = True
        self._libc: ctypes.CDLL | None = None

    def during(self, run: Callable[[], T]) -> T:
        """``run()``, with the files watched while it runs; every call adds to what
        was seen opened."""
        libc = self._libc = _libc()
        fd = libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC) if libc is not None else -1
        if fd < 0:
            self._known = False
            log.info("cannot watch the edited files for opens (inotify: errno %s)", _err())
            return run()
        try:
            wds: dict[int, str] = {}
            # (with git's marks every open is read, to tell whose it was)
            mask = _IN_OPEN if self.marks else _IN_OPEN | _IN_ONESHOT
            for host, name in self.files.items():
                wd = libc.inotify_add_watch(fd, os.fsencode(host), mask)  # type: ignore[union-attr]
                if wd >= 0:
                    wds[wd] = name
                    self._watched.add(name)
                elif _err() != errno.ENOENT:  # (a file the edit deletes is not watched)
                    self._known = False
            marks_wd = -1
            if self.marks:
                marks_wd = libc.inotify_add_watch(fd, os.fsencode(self.marks), _IN_OPEN)  # type: ignore[union-attr]
            if marks_wd < 0 or not wds:
                result = run()
                self._read(fd, wds, -1)
                return result
            stop = threading.Event()
            reader = threading.Thread(
                target=self._follow, args=(fd, wds, marks_wd, stop), daemon=True
            )
            reader.start()
            try:
                result = run()
            finally:
                stop.set()
                reader.join()
            self._read(fd, wds, marks_wd)
            return result
        finally:
            os.close(fd)

    def _follow(self, fd: int, wds: dict[int, str], marks_wd: int, stop: threading.Event) -> None:
        poller = select.poll()  # (not select.select: a descriptor above 1023 is refused)
        poller.register(fd, select.POLLIN)
        while not stop.is_set():
            if poller.poll(50):
                self._read(fd, wds, marks_wd)

    def _read(self, fd: int, wds: Mapping[int, str], marks_wd: int) -> None:
        while True:
            try:
                buf = os.read(fd, 65536)
            except BlockingIOError:
                return
            at = 0
            while at + _EVENT.size <= len(buf):
                wd, mask, _, size = _EVENT.unpack_from(buf, at)
                name = buf[at + _EVENT.size : at + _EVENT.size + size].rstrip(b"\0")
                at += _EVENT.size + size
                if mask & _IN_Q_OVERFLOW:
                    self._seen.update(wds.values())  # (the order is lost: a test's, then)
                elif wd == marks_wd and name:
                    mark = os.fsdecode(name)
                    if mark.startswith("s."):
                        self._gits.add(mark[2:])
                    elif mark.startswith("e."):
                        self._gits.discard(mark[2:])
                elif wd in wds and mask & _IN_OPEN:
                    if self._gits:
                        self._git_seen.add(wds[wd])
                    elif wds[wd] not in self._seen:
                        self._seen.add(wds[wd])
                        if marks_wd >= 0 and self._libc is not None:  # (no more to tell)
                            self._libc.inotify_rm_watch(fd, wd)

    def opened(self) -> dict[str, bool] | None:
        """Each watched file's name -> whether a process opened it (a git of the run
        does not count: :meth:`by_git`); None when not known."""
        if not self._known:
            return None
        return {name: name in self._seen for name in sorted(self._watched)}

    def by_git(self) -> frozenset[str]:
        """The watched files only a git of the run opened (to compare them with the
        commit: ``git status``, ``git describe --dirty``)."""
        return frozenset(self._git_seen - self._seen)


#: where :func:`git_env`'s git is, and where it writes its marks, in the run's folder
GIT_BIN = "git-bin"
GIT_MARKS = "git-marks"


def git_env(out_dir: str, env: Mapping[str, str]) -> dict[str, str]:
    """A ``PATH`` (for ``env``'s) whose first git runs the one ``env`` finds, after
    it marks its start (``s.PID``) and before its end (``e.PID``) in ``out_dir``'s
    :data:`GIT_MARKS`; empty when ``env``'s ``PATH`` has no git.

    A git that compares the work tree with the commit (``git status``, ``git describe
    --dirty``, run by setuptools-scm, hatch-vcs, versioneer or pytest-benchmark) opens
    each file whose inode or times differ from its index's, as every edited file's
    do: that open says nothing about a test reading the file."""
    path = env.get("PATH") or os.defpath
    real = shutil.which("git", path=path)
    if real is None:
        return {}
    marks = os.path.join(out_dir, GIT_MARKS)
    folder = os.path.join(out_dir, GIT_BIN)
    os.makedirs(marks, exist_ok=True)
    os.makedirs(folder, exist_ok=True)
    wrapper = os.path.join(folder, "git")
    m = shlex.quote(marks)
    with open(wrapper, "w", encoding="utf-8") as f:
        f.write(
            "#!/bin/sh\n"
            "# ACRouter's verifier: git, its run marked (an open of an edited file while it\n"
            "# runs is git's, not a test's)\n"
            f": > {m}/s.$$ 2>/dev/null\n"
            f'{shlex.quote(real)} "$@"\n'
            "status=$?\n"
            f": > {m}/e.$$ 2>/dev/null\n"
            "exit $status\n"
        )
    os.chmod(wrapper, 0o755)
    return {"PATH": f"{folder}{os.pathsep}{path}"}


def _err() -> int:
    return ctypes.get_errno()
