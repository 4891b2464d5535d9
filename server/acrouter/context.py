"""Context stage: an editor request + its workspace -> a ``Task`` a router can see.

Classifies the request into one of the 9 CodeRouterBench kinds with transparent
keyword rules (the matched cue is kept for the ``why``), finds the workspace root,
and hashes the workspace path so memory never stores it.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

from .domain import Document, Range, Task, document_lines
from .errors import PreflightError, RequestError

# (kind, pattern) in priority order: the first match wins.
_RULES: tuple[tuple[str, str], ...] = (
    (
        "test_generation",
        r"\b(write|add|generate|create)\b.*\btests?\b|\bunit ?tests?\b|\btest cases?\b|\bpytest\b",
    ),
    (
        "bug_fixing",
        r"\b(fix|bug|broken|crash|crashes|error|exception|traceback|failing|fails|wrong result|regression)\b",
    ),
    (
        "code_refactoring",
        r"\b(refactor|clean ?up|simplify|rename|restructure|extract (a |the )?(function|method|class)|deduplicate|make .* readable)\b",
    ),
    (
        "code_understanding",
        r"\b(explain|what does|why does|how does|document|docstring|comment|summari[sz]e)\b",
    ),
    (
        "multi_language",
        r"\b(translate|port|convert|rewrite)\b.*\b(to|in|into)\b.*\b(rust|go|java|c\+\+|cpp|javascript|typescript|python|c#|kotlin|ruby|php|swift)\b",
    ),
    (
        "data_science",
        r"\b(pandas|numpy|dataframe|matplotlib|plot|sklearn|scikit|regression|csv|dataset|statistic\w*|tensor)\b",
    ),
    (
        "algorithm",
        r"\b(algorithm|complexity|o\(n|dynamic programming|optimi[sz]e|faster|shortest path|graph|binary search|sort(ing)?)\b",
    ),
    # what the code does is not what it should: weaker cues than a "fix" or an "error",
    # so they come after the kinds a request names outright ("make it faster; it should be
    # O(n)" is about the algorithm)
    (
        "bug_fixing",
        (
            r"\b((it|this) should|should(n'?t| not)|supposed to|incorrect(ly)?|wrong(ly)?"
            r"|off[- ]by[- ]one|does(n'?t| not) work|not working|instead of)\b"
        ),
    ),
    ("code_completion", r"\b(complete|finish|fill in|todo|implement the rest|continue)\b"),
)


def classify(instruction: str, selection: str = "") -> tuple[str, str]:
    """Return (kind, cue) where cue says which words decided it."""
    text = instruction.lower()
    for kind, pattern in _RULES:
        m = re.search(pattern, text)
        if m:
            return kind, f"matched “{m.group(0)[:40]}”"
    if not selection.strip():
        return "code_generation", "no selection and no other cue"
    return "code_generation", "default for an instruction on selected code"


def uri_to_path(uri: str) -> Path:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        raise RequestError(
            f"only file:// documents can be routed (got {parsed.scheme or 'no'} scheme)"
        )
    if parsed.netloc not in ("", "localhost"):
        raise RequestError("remote file URIs are not supported")
    return Path(unquote(parsed.path))


def path_to_uri(path: Path) -> str:
    return path.resolve().as_uri()


def editor_folder(root: Path, folders: Sequence[Path] = (), path: Path | None = None) -> Path:
    """The workspace ``root`` (resolved, as ``workspace_root`` returns it) as the editor
    names it: the nearest folder above ``path`` (the request's file, as the editor names
    it) that resolves to ``root``, else the one below a workspace folder (``folders``, as
    the editor names them) that does, else ``root``.  The files of an edit are named under
    it, so that the editor finds the buffers it has open of them: a workspace folder opened
    through a symbolic link has them open under the link's path, and an edit naming the
    resolved path would go to a second copy of the file, past the user's unsaved changes."""
    if path is not None:
        for parent in Path(os.path.abspath(path)).parents:
            if parent.resolve() == root:
                return parent
    for folder in folders:
        named = Path(os.path.abspath(folder))
        real = named.resolve()
        if root == real or real in root.parents:
            return named / root.relative_to(real)
    return root


def editor_uri(folder: Path, rel: str) -> str:
    """The URI of ``rel`` under ``folder`` (``editor_folder``): its path resolved within
    the workspace (as ``path_to_uri``), under the folder as the editor names it."""
    root = folder.resolve()
    real = (root / rel).resolve()
    if real != root and root not in real.parents:
        return real.as_uri()
    return (Path(os.path.abspath(folder)) / real.relative_to(root)).as_uri()


#: what marks a project's root (Django's ``manage.py``, ``composer.json``, Bundler's
#: ``Gemfile``, a Perl distribution's ``Makefile.PL``, ``Build.PL``, ``cpanfile`` or
#: ``dist.ini``, Gradle's
#: settings and the Gradle and Maven wrappers stand there, never in a folder below, as
#: CMake's files, ``build.gradle`` and ``pom.xml`` may)
_ROOT_MARKERS = (
    ".git",
    "pyproject.toml",
    "package.json",
    "setup.py",
    "Cargo.toml",
    "go.mod",
    "manage.py",
    "composer.json",
    "Gemfile",
    "Makefile.PL",
    "Build.PL",
    "cpanfile",
    "dist.ini",
    "settings.gradle",
    "settings.gradle.kts",
    "gradlew",
    "mvnw",
    ".mvn",  # (Maven's own mark of a build's top folder)
)


def _project_root(folder: Path) -> bool:
    """Whether ``folder`` is a project's root: it holds one of ``_ROOT_MARKERS``, or a
    ``pom.xml`` whose folder above holds none (a Maven build's top, not one of its
    modules, which build against the others)."""
    if any((folder / m).exists() for m in _ROOT_MARKERS):
        return True
    return (folder / "pom.xml").is_file() and not (folder.parent / "pom.xml").is_file()


def workspace_root(path: Path, folders: Sequence[Path] = ()) -> Path:
    """The innermost workspace folder holding ``path`` (as the editor names it, or as it
    resolves); else the nearest project root; resolved.  ``PreflightError`` when ``path``
    resolves outside that folder (a symbolic link to a file elsewhere): its edit could
    not be verified with this workspace's tests, nor written inside it."""
    named = Path(os.path.abspath(path))
    real = path.resolve()
    root = _innermost(named, [Path(os.path.abspath(f)) for f in folders])
    if root is None:
        root = _innermost(real, [f.resolve() for f in folders])
    if root is None:
        root = next(
            (p for p in named.parents if _project_root(p)),
            named.parent,
        )
    root = root.resolve()
    if root not in real.parents:
        raise PreflightError(
            f"{path.name} leads outside the workspace {root} (a symbolic link to {real}); "
            "ACRouter edits and verifies files inside the workspace only: open the file "
            "in the workspace that holds it"
        )
    return root


def _innermost(path: Path, folders: Sequence[Path]) -> Path | None:
    best = None
    for f in folders:
        if (path == f or f in path.parents) and (best is None or len(str(f)) > len(str(best))):
            best = f
    return best


def workspace_id(root: Path) -> str:
    return hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]


def offset_of(text: str, line: int, character: int) -> int:
    lines = document_lines(text, keepends=True)
    if line < 0 or character < 0:
        raise RequestError(f"position {line}:{character} is negative")
    if line > len(lines) or (line == len(lines) and character > 0):
        raise RequestError(f"line {line} is outside the document ({len(lines)} lines)")
    start = sum(len(x) for x in lines[:line])
    if line == len(lines):
        return start
    content = lines[line].rstrip("\r\n")
    if character > len(content):
        raise RequestError(
            f"character {character} is outside line {line} ({len(content)} characters)"
        )
    return start + character


def selected_text(doc: Document) -> str:
    if doc.range is None:
        return ""
    a = offset_of(doc.text, doc.range.start.line, doc.range.start.character)
    b = offset_of(doc.text, doc.range.end.line, doc.range.end.character)
    if b < a:
        raise RequestError("the range ends before it starts")
    return doc.text[a:b]


_LANG_BY_SUFFIX = {
    ".py": "python",
    ".js": "javascript",
    ".ts": "typescript",
    ".rs": "rust",
    ".go": "go",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".cc": "cpp",
    ".rb": "ruby",
    ".php": "php",
    ".cs": "csharp",
    ".kt": "kotlin",
    ".swift": "swift",
    ".sh": "shell",
}


def build_task(
    doc: Document,
    instruction: str,
    *,
    folders: Sequence[Path] = (),
    test_command: str | None = None,
    request_id: str | None = None,
    buffers: Mapping[str, str] | None = None,
    buffers_left_out: Mapping[str, str] | None = None,
    python: str | None = None,
) -> Task:
    """The request as a router sees it; ``buffers``: the editor's unsaved buffers by
    workspace-relative path (``Task.buffers``); ``python``: the editor's Python
    (``Task.python``)."""
    if not instruction or not instruction.strip():
        raise RequestError("the instruction is empty")
    selection = selected_text(doc)  # validates the range
    root = workspace_root(Path(doc.path), folders)
    kind, cue = classify(instruction, selection)
    language = doc.language_id or _LANG_BY_SUFFIX.get(Path(doc.path).suffix.lower())
    return Task(
        task_id=request_id or uuid.uuid4().hex[:12],
        kind=kind,
        text=instruction.strip(),
        language=language,
        meta={
            "workspace_id": workspace_id(root),
            "kind_cue": cue,
            "selection_chars": len(selection),
            "file_chars": len(doc.text),
        },
        document=doc,
        workspace=str(root),
        test_command=test_command,
        buffers=dict(buffers or {}),
        buffers_left_out=dict(buffers_left_out or {}),
        python=python,
    )


def workspace_text(task: Task, rel: str) -> str | None:
    """A workspace file's text as the editor shows it: its unsaved buffer
    (``Task.buffers``), else the file on disk; None when there is neither.  Reading may
    raise ``OSError`` or ``UnicodeDecodeError``."""
    if rel in task.buffers:
        return task.buffers[rel]
    path = Path(task.workspace or ".") / rel
    return path.read_text(encoding="utf-8") if path.is_file() else None


def make_range(sl: int, sc: int, el: int, ec: int) -> Range:
    from .domain import Position

    return Range(Position(sl, sc), Position(el, ec))


# --------------------------------------------------------------------------- what the model sees

#: Folders never searched for tests (tools, dependencies, build output).
_SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    "env",
    ".tox",
    ".nox",
    "site-packages",
    "dist",
    "build",
    "target",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".idea",
    ".vscode",
    "vendor",
}
_TEST_NAME = re.compile(
    r"^(test_.*\.py|.*_test\.py|tests?\.py|.*\.(test|spec)\.[cm]?[jt]sx?|.*_test\.go|.*Tests?\.(java|kt|cs)"
    r"|.*_spec\.rb|test_.*\.rb|.*_test\.rb)$"
)
_MAX_SCANNED = 20_000
_MAX_TEST_BYTES = 512 * 1024


def _imports_module(text: str, stem: str, dotted: str) -> bool:
    names = {re.escape(stem)} | ({re.escape(dotted)} if dotted else set())
    alt = "|".join(sorted(names))
    patterns = (
        rf"^\s*from\s+(?:[\w.]*\.)?(?:{alt})\s+import\b",
        rf"^\s*import\s+(?:[\w.]*\.)?(?:{alt})\b",
        rf"^\s*from\s+[\w.]+\s+import\s+.*\b{re.escape(stem)}\b",
        rf"""(?:from|require\(|import)\s*['"][^'"]*\b{re.escape(stem)}(?:\.[cm]?[jt]sx?)?['"]""",
    )
    return any(re.search(p, text, re.MULTILINE) for p in patterns)


def covering_tests(root: Path, path: Path, limit: int = 5) -> list[str]:
    """Test files of the workspace that import ``path`` or are named after it (paths
    relative to ``root``), those named after it first.  The search is bounded."""
    root, path = root.resolve(), path.resolve()
    stem = path.stem
    if stem in ("__init__", "index", "main", "mod", "lib"):
        stem = path.parent.name or stem
    try:
        rel_mod = path.relative_to(root).with_suffix("")
        dotted = ".".join(rel_mod.parts)
    except ValueError:
        dotted = ""
    named: list[str] = []
    importing: list[str] = []
    seen = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            seen += 1
            if seen > _MAX_SCANNED:
                return (named + importing)[:limit]
            if not _TEST_NAME.match(name):
                continue
            candidate = Path(folder) / name
            if candidate == path:
                continue
            rel = str(candidate.relative_to(root))
            base = re.sub(
                r"^test_|(_test|_spec|\.test|\.spec|Tests?)$", "", Path(name).stem.split(".")[0]
            )
            if base.lower() == stem.lower():
                named.append(rel)
                continue
            try:
                if candidate.stat().st_size > _MAX_TEST_BYTES:
                    continue
                text = candidate.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if _imports_module(text, stem, dotted):
                importing.append(rel)
    return (named + importing)[:limit]


def read_text_file(path: Path, max_bytes: int) -> str:
    """A source file's text, or ``PreflightError`` when it is not a text file (not UTF-8,
    NUL bytes) or larger than ``max_bytes``: such a request is refused before any model
    is called."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RequestError(f"cannot read {path}: {exc.strerror or exc}") from None
    if size > max_bytes:
        raise PreflightError(
            f"{path.name} is {size:,} bytes, larger than the limit of {max_bytes:,} bytes",
            "maxFileKilobytes",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RequestError(f"cannot read {path}: {exc.strerror or exc}") from None
    if b"\x00" in data:
        raise PreflightError(f"{path.name} is not a text file (it holds NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PreflightError(
            f"{path.name} is not UTF-8 text (byte {exc.start} cannot be decoded); "
            "ACRouter edits UTF-8 files only"
        ) from None


def check_saved_encoding(path: Path) -> None:
    """The pre-flight for a file the editor has open: the editor sends its text decoded,
    whatever the file's encoding, so a file that is not UTF-8 on disk is refused as
    ``read_text_file`` refuses it.  The verifier writes the edited file as UTF-8, so its
    tests would run on other bytes than the editor saves (a cp1252 ``"café"`` became
    ``"cafÃ©"`` there: every model's right fix failed, counted against it).  No file on
    disk (deleted since it was opened): nothing to check."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    raise _not_utf8(path, offset + exc.start) from None
                offset += len(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:  # cut short inside a character
        raise _not_utf8(path, offset - len(exc.object) + exc.start) from None
    except OSError:  # no such file, or unreadable: the buffer is all there is
        return


def _not_utf8(path: Path, byte: int) -> PreflightError:
    return PreflightError(
        f"{path.name} is not UTF-8 text on disk (byte {byte} cannot be decoded); "
        "ACRouter edits UTF-8 files only (save it as UTF-8 first: the tests would run "
        "on the edit written as UTF-8, not as your editor saves the file)"
    )


def check_text(doc: Document, max_bytes: int) -> None:
    """The pre-flight for a buffer's text (open documents arrive as text)."""
    name = Path(doc.path).name
    size = len(doc.text.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        raise PreflightError(
            f"{name} is {size:,} bytes, larger than the limit of {max_bytes:,} bytes",
            "maxFileKilobytes",
        )
    if "\x00" in doc.text:
        raise PreflightError(f"{name} is not a text file (it holds NUL bytes)")
