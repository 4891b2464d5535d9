"""Which of the lines an edit changes in Java files the tests ran, from a JVMTI agent of
ours in every JVM of the run.

A pass of ``mvn test`` after an edit that broke a method no test calls was counted as the
model's with only "which lines ran is not known" said: javac opens every source it
compiles (:mod:`.lines_opened`), so nothing told the file's lines apart.

Now the run with the edit (only that one) gets our agent (``data/javacov.c``, built once
with the machine's C compiler against the JDK's ``jni.h`` and ``jvmti.h``, kept in the
cache home and copied into ``<out>/acrouter-javacov``) on ``JAVA_TOOL_OPTIONS``
(``-agentpath:<agent>=<list>``, after the run's own options), which every JVM reads: Maven's
own, the JVM Surefire forks for the tests, Gradle's test workers, a ``java`` a test
starts.  The list (:data:`LIST`) names the out folder and each edited file by its
package's path and name (``com/x/Calc.java``: the package the file declares, and its
name, which javac writes into each class as its source file), so the agent knows a class
of the file whatever folder it was compiled from.  When a JVM prepares such a class, the
agent sets a breakpoint on each line its methods' line number tables name (those lines
are the file's statements, in that JVM); a breakpoint that fires marks its line as run
and is cleared, so a line costs the JVM one stop.  As the JVM dies (``System.exit`` and
``Runtime.halt`` included) it writes ``<out>/acrouter-java-<pid>.json``
(:func:`.lines_trace.held_lines`' shape); it marks its start (``.start``) as it prepares
the first class of an edited file, so a JVM killed after that makes the run
:attr:`.lines_trace.Traced.cut`, and no line is said not to have run (one killed before,
a build tool's daemon that loads none of them, had nothing to tell).

A class another agent redefines or retransforms (Mockito's inline mock maker for a class
it mocks, a coverage or profiling agent that transforms loaded classes) loses its
breakpoints: the agent sees the redefinition and marks the file ``reset``, and a changed
line no JVM saw run is then not known (:data:`RESET`), never "did not run".

After the run: a changed line is a statement when a JVM's line tables name it and it has
code of its own (:func:`code_lines`: not a brace, where javac puts a method's implicit
``return``; not a class's header, where it puts the implicit constructor); it ran when a
JVM ran it.  Not measured, and said so by :mod:`.lines_opened`: a file no JVM prepared a
class of (a JVM started with an environment of its own, no test loading it), every file
when no C compiler or no JDK headers are found (:func:`agent`), when the out folder's path
holds a blank, a quote or an ``=`` (``JAVA_TOOL_OPTIONS`` splits at blanks) or two edited
files declare the same package and name."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Collection, Mapping, Sequence
from importlib import resources
from pathlib import Path

from ..config import acrouter_home
from .lines_js import line_change
from .lines_trace import Change, Traced, c_style_code_lines, read_held

log = logging.getLogger(__name__)

#: our folder in the run's out folder: the agent and its list
LIB_DIR = "acrouter-javacov"
SOURCE = "javacov.c"
AGENT = "libacrouter-javacov.so"
LIST = "files.txt"
VAR = "JAVA_TOOL_OPTIONS"
PREFIX = "acrouter-java-"
#: how every JVM names the options it picked up, on its standard error as it starts (a
#: build tool may put its own prefix before the line: Maven's ``[ERROR]``, colours)
_PICKED_UP = re.compile(r"^.*Picked up JAVA_TOOL_OPTIONS:.*$", re.MULTILINE)
#: the words of a failed traced run that our agent may have caused (a JVM that could not
#: load it says so with its path)
SUSPECT_WORDS = (LIB_DIR, AGENT, PREFIX)
#: why a changed file's lines are not known when a JVM redefined one of its classes
RESET = (
    "another agent of the run (a mocking library, a coverage agent) redefined a class of "
    "the file, which clears the marks ACRouter set on its lines"
)
#: how long building the agent may take
BUILD_TIMEOUT_S = 60.0

_PACKAGE = re.compile(r"^\s*package\s+([\w$]+(?:\s*\.\s*[\w$]+)*)\s*;", re.MULTILINE)
#: a comment to the line's end
_COMMENT = r"//.*"
#: a line with no code of its own: javac places what the class or method does on its own
#: there (the implicit constructor at the class's header, the implicit return at a void
#: method's closing brace)
_NOT_CODE = re.compile(
    r"\s*(?:"
    rf"{_COMMENT}"
    r"|[{}()\[\];,]*"  # braces and brackets, a blank line
    r"|package\b[^;]*;"
    r"|import\b[^;]*;"
    r"|@\w+(?:\.\w+)*(?:\([^()]*\))?"  # an annotation alone
    r"|(?:(?:public|protected|private|abstract|static|final|sealed|non-sealed|strictfp)\s+)*"
    r"(?:class|interface|enum|record|@interface)\s+\w+[^{;]*\{?\s*\}?"
    rf")\s*(?:{_COMMENT})?$"
)


def is_java(rel: str) -> bool:
    return rel.endswith(".java")


def source_key(rel: str, text: str) -> str:
    """What javac calls ``rel``'s classes' origin: its package's path and its name
    (``com/x/Calc.java``)."""
    name = rel.rsplit("/", 1)[-1]
    m = _PACKAGE.search(_strip_block_comments(text))
    if not m:
        return name
    return "/".join(part.strip() for part in m.group(1).split(".")) + "/" + name


def _strip_block_comments(text: str) -> str:
    """``text`` with its ``/* */`` comments blanked (their lines kept)."""
    return re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.DOTALL)


def code_lines(text: str) -> set[int]:
    """The lines of Java ``text`` (1-based) with code: not blank, not a comment (nor in a
    ``/* */`` block or Javadoc that starts its line), not a bare brace, ``package``,
    ``import``, lone annotation or type's header (:data:`_NOT_CODE`)."""
    return c_style_code_lines(text, _NOT_CODE)


def _source() -> bytes:
    return (resources.files("acrouter") / "data" / SOURCE).read_bytes()


def _jdk_includes(env: Mapping[str, str]) -> tuple[str, str] | None:
    """A JDK's ``include`` folder (with ``jvmti.h``) and its platform folder (with
    ``jni_md.h``): ``JAVA_HOME``'s, the ``javac`` or ``java`` on the ``PATH``'s, or one
    under ``/usr/lib/jvm``."""
    homes: list[Path] = []
    if env.get("JAVA_HOME"):
        homes.append(Path(env["JAVA_HOME"]))
    for tool in ("javac", "java"):
        found = shutil.which(tool, path=env.get("PATH") or os.defpath)
        if found:
            homes.append(Path(os.path.realpath(found)).parent.parent)
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        homes.extend(sorted(p for p in jvm.iterdir() if p.is_dir()))
    for home in homes:
        include = home / "include"
        if not (include / "jvmti.h").is_file():
            continue
        for platform in sorted(include.iterdir()):
            if (platform / "jni_md.h").is_file():
                return str(include), str(platform)
    return None


def _compiler() -> str | None:
    for name in ("cc", "gcc", "clang"):
        found = shutil.which(name)
        if found:
            return found
    return None


def agent(env: Mapping[str, str]) -> Path | None:
    """Our agent, built for this machine (once: kept in the cache home by the hash of its
    source, compiler and headers), or None when it cannot be (no C compiler, no JDK
    headers, the build failed)."""
    cc, includes = _compiler(), _jdk_includes(env)
    if cc is None or includes is None:
        log.info("Java lines not measured: %s", "no C compiler" if cc is None else "no JDK headers")
        return None
    source = _source()
    digest = hashlib.sha256(b"\0".join([source, cc.encode(), *map(str.encode, includes)]))
    folder = acrouter_home(cache=True) / "javacov"
    built = folder / f"{digest.hexdigest()[:24]}.so"
    if built.is_file():
        return built
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            src = Path(tmp, SOURCE)
            src.write_bytes(source)
            out = Path(tmp, AGENT)
            argv = [cc, "-shared", "-fPIC", "-O2", f"-I{includes[0]}", f"-I{includes[1]}"]
            done = subprocess.run(
                [*argv, str(src), "-o", str(out)],
                capture_output=True,
                text=True,
                timeout=BUILD_TIMEOUT_S,
                check=False,
            )
            if done.returncode != 0 or not out.is_file():
                log.warning(
                    "Java lines not measured: building the agent failed: %s", done.stderr[-500:]
                )
                return None
            os.replace(out, built)
    except (OSError, subprocess.SubprocessError) as e:
        log.warning("Java lines not measured: building the agent failed: %s", e)
        return None
    return built


def cover_env(
    out_dir: str, files: Mapping[str, tuple[str, str]], env: Mapping[str, str]
) -> dict[str, str] | None:
    """The variable that loads our agent into every JVM of the run (the agent and its list
    written into ``out_dir``), after the run's own options, or None when the run cannot
    be measured so (see the module's docstring)."""
    keys: dict[str, list[str]] = {}
    for rel, (_old, new) in files.items():
        if not re.search(r"[\t\n\r]", rel):
            keys.setdefault(source_key(rel, new), []).append(rel)
    wanted = {key: rels[0] for key, rels in keys.items() if len(rels) == 1}
    folder = Path(out_dir) / LIB_DIR
    if not wanted or re.search(r"[\s'\"=,]", str(folder)) or "\n" in out_dir:
        return None
    built = agent(env)
    if built is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(built, folder / AGENT)
    lines = [out_dir, *(f"{key}\t{rel}" for key, rel in sorted(wanted.items()))]
    (folder / LIST).write_text("\n".join(lines) + "\n", encoding="utf-8")
    option = f"-agentpath:{folder / AGENT}={folder / LIST}"
    existing = env.get(VAR, "").strip()
    return {VAR: f"{existing} {option}" if existing else option}


def suspect(output: str) -> bool:
    """Whether a failed run's ``output`` names our agent (beyond each JVM's line saying
    it picked up ``JAVA_TOOL_OPTIONS``)."""
    rest = _PICKED_UP.sub("", output)
    return any(w in rest for w in SUSPECT_WORDS)


#: the end of a line that ends a statement or opens or closes a block
_ENDS = re.compile(r"[;{}:]\s*(?://.*)?$")


def continuations(
    lines: Sequence[str], statements: Collection[int], code: Collection[int]
) -> dict[int, int]:
    """The code lines of ``lines`` (1-based numbers) that carry on a statement begun on an
    earlier line of ``statements`` (a line table's) without an entry of their own: each
    -> that line.  A statement ends at a line ending in ``;``, ``{``, ``}`` or ``:``, so an
    array's elements after ``= {`` are none."""
    out: dict[int, int] = {}
    head: int | None = None
    for n in range(1, len(lines) + 1):
        if n not in code:
            continue
        if n in statements:
            head = n
        elif head is not None:
            out[n] = head
        if _ENDS.search(lines[n - 1]):
            head = None
    return out


def read_javacov(out_dir: str | Path, files: Mapping[str, tuple[str, str]]) -> Traced | None:
    """The statement lines of the edited Java ``files`` (relative path -> old and new
    texts) the tests ran, and their changes; a file no JVM prepared a class of is
    ``unmeasured``, one a JVM redefined a class of (:data:`RESET`) ``unknown`` where a
    changed line did not run.  None when no JVM wrote."""

    def judge(
        rel: str, old: str, new: str, reported: set[int], ran: set[int]
    ) -> tuple[set[int], Change | None]:
        code = code_lines(new)
        stmts = reported & code
        did = ran & stmts
        # a statement's later lines javac gives no entry (``+ b;``): as its first line
        heads = continuations(new.split("\n"), stmts, code)
        stmts = stmts | heads.keys()
        did = did | {n for n, head in heads.items() if head in did}
        return did, line_change(rel, old.split("\n"), new.split("\n"), stmts, code_lines(old))

    def reset(done: Sequence[Mapping[str, object]]) -> Collection[str]:
        return {
            rel
            for data in done
            if isinstance(held := data.get("files"), dict)
            for rel, seen in held.items()
            if isinstance(seen, dict) and seen.get("reset") is not False
        }

    return read_held(out_dir, files, PREFIX, judge, reset, RESET)
