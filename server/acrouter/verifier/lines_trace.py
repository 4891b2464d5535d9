"""The run stage of :mod:`.lines` for Python: the tracer's files written into the run's
folder and the variables that load it (``plugin_env``), when a traced run that failed is
redone without it (``tracer_suspect``, ``monitored``, ``others``), and what its processes
wrote (``read_traced``); with ``Change``, what an edit changed in a file, which the
other languages' stages (:mod:`.lines_js`, :mod:`.lines_go`) use too.

The tracer (:mod:`.lines_plugin`, module ``acrouter_lines``) is loaded two ways: the
``sitecustomize`` of :mod:`.lines_site` beside it imports it as every Python process of
the run starts (its folder is on ``PYTHONPATH``), and pytest loads it as a plugin
(``-p acrouter_lines`` in ``PYTEST_ADDOPTS``: the same module, already imported, does
not trace twice; it writes at ``pytest_unconfigure``).  Each process writes its own
``lines-<pid>.start`` as it starts and ``lines-<pid>.json`` as it ends; one that started
and never wrote (killed, a crashed pytest-xdist worker, ``os._exit``) makes what ran not
known (:attr:`Traced.cut`), never "not run"."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

import attrs

from .lines_plugin import PLUGIN, TARGETS_FILE, targets_text
from .lines_site import SITE, SITE_MODULE
from .pytest_plugins import plugin_vars

#: the tracer's module name (``-p acrouter_lines``); the tripwire reads it as a harness name
MODULE = "acrouter_lines"
#: the folder, in the run's out folder, that holds the tracer, its targets and our
#: ``sitecustomize`` (on ``PYTHONPATH``)
FOLDER = "_acrouter_py"
#: the environment variable the tracer reads: where it writes
OUT_VAR = "ACROUTER_LINES_OUT"
#: the files the tracer writes into the run's out folder: ``lines-<pid>.json``
FILE_PREFIX = "lines-"

__all__ = ["MODULE", "OUT_VAR", "SITE_MODULE", "TARGETS_FILE"]


def plugin_env(
    out_dir: str, targets: Mapping[str, Sequence[tuple[int, int]]], env: Mapping[str, str]
) -> dict[str, str]:
    """The variables that load the tracer (written into ``out_dir/_acrouter_py`` with our
    ``sitecustomize``) in a run whose environment is ``env``, asking about ``targets`` (a
    file's path as the run sees it -> its statements' line ranges): ``PYTHONPATH`` gains
    the folder last (every Python process of the run imports our ``sitecustomize``),
    ``PYTEST_ADDOPTS`` gains ``-p acrouter_lines``.  The tracer traces a function only
    while it holds a statement asked about that has not run yet (a hot loop costs
    nothing once its statements were seen), and stops tracing once every one has run."""
    folder = Path(out_dir) / FOLDER
    loads = plugin_vars(folder, MODULE, PLUGIN, env)
    (folder / f"{SITE_MODULE}.py").write_text(SITE, encoding="utf-8")
    wanted = {path: sorted(set(r)) for path, r in targets.items()}
    (folder / TARGETS_FILE).write_text(targets_text(wanted), encoding="ascii")
    return {**loads, OUT_VAR: out_dir}


def tracer_suspect(
    exit_code: int | None, timed_out: bool, output: str, monitored: bool = False
) -> bool:
    """A traced run that failed in a way the tracer may have caused, to be run again
    without it (the run without the edit is never traced, so a failure of the tracer's
    must not be taken for the edit's): the plugin could not be imported (a script that
    sets its own ``PYTHONPATH``: the test command's own keeps ours, :mod:`.inline_env`),
    its output names our folder (a traceback through our
    ``sitecustomize``) or a ``sitecustomize`` that failed, the run timed out (tracing slows it), or its output
    names the tracing functions (a test that wants ``sys.gettrace()`` to be None).
    ``monitored``: the plugin watched with ``sys.monitoring`` (Python 3.12+), which leaves
    those functions to the tests and costs about nothing (``benchmarks/lines_cost.py``:
    within the noise of the plain run on real suites), so a timeout is the edit's: an
    edit whose tests hang waits the timeout out once.  It holds a tool id, though: a
    failed run whose output names ``sys.monitoring`` or a tool id in use (the tests' own
    tool wanting the same id) is redone without it."""
    if exit_code == 0 and not timed_out:
        return False
    if MODULE in output or FOLDER in output or "Error in sitecustomize" in output:
        return True
    if monitored:
        return any(w in output for w in ("sys.monitoring", "use_tool_id", "is already in use"))
    return timed_out or "settrace" in output or "gettrace" in output


def monitored(out_dir: str | Path) -> bool:
    """Every process of the run that loaded the tracer watched with
    ``sys.monitoring`` (at least one did): each says so as it starts
    (``lines-<pid>.start``)."""
    kinds = set()
    try:
        names = os.listdir(out_dir)
    except OSError:
        return False
    for name in names:
        if name.startswith(FILE_PREFIX) and name.endswith(".start"):
            try:
                kinds.add(Path(out_dir, name).read_text(encoding="utf-8").strip())
            except OSError:
                return False
    return kinds == {"monitoring"}


def others(out_dir: str | Path) -> int:
    """How many Python processes of the run traced besides the runner's: every one that
    started the tracer (``lines-<pid>.start``) but pytest's own (its main process and
    xdist's workers: ``lines-<pid>.pytest``); without pytest, all but one (the runner, a
    ``python -m unittest``).  A process the tests start sees the tracer too, and its
    failure under it (a check that ``sys.gettrace()`` is None, of what a fresh process
    imports) reaches the run's output only as the tests report it."""
    try:
        names = os.listdir(out_dir)
    except OSError:
        return 0
    started = {
        n[: -len(".start")] for n in names if n.startswith(FILE_PREFIX) and n.endswith(".start")
    }
    pytest = {
        n[: -len(".pytest")] for n in names if n.startswith(FILE_PREFIX) and n.endswith(".pytest")
    }
    rest = len(started - pytest)
    return rest if pytest else max(rest - 1, 0)


@attrs.frozen
class Change:
    """What an edit changed in one Python file: its changed statements, by their line
    ranges in the new text, and where it removed code (the range of the statement
    beside the removal, in the new text, and the removed lines' range in the old)."""

    path: str  # workspace-relative
    statements: tuple[tuple[int, int], ...]
    removals: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()
    #: of :attr:`wanted`, the statements that only define or import as the module loads
    #: (:func:`.lines_idle.loading_ranges`): their running says no test called the code
    loading: frozenset[tuple[int, int]] = frozenset()
    #: of :attr:`wanted`, those inside a function's body, each with that innermost
    #: function's first lines as its code object may name them
    #: (:func:`.lines_called.functions_of`)
    within: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()

    @property
    def size(self) -> int:
        return len(self.statements) + len(self.removals)

    @property
    def wanted(self) -> list[tuple[int, int]]:
        """The statements whose running the summary asks about: the changed ones and
        those beside the removals."""
        return sorted({*self.statements, *(beside for beside, _ in self.removals)})


#: where node's packages are installed (:mod:`.lines_built`, :mod:`.lines_shadow`)
NODE_MODULES = "node_modules"


@attrs.frozen
class Loads:
    """What node loaded in place of edited files (:mod:`.lines_built`): ``unloaded``,
    the edited files no process loaded; ``scripts``, the workspace's scripts the
    processes did load (by relative path), for ``settle`` to tell whether the run built
    one of them; ``mapped``, the lines of unloaded files that builds naming them in their
    source maps ran (:mod:`.lines_mapped`), which hold when the run made those builds."""

    unloaded: frozenset[str] = frozenset()
    scripts: frozenset[str] = frozenset()
    mapped: Mapping[str, frozenset[int]] = attrs.field(factory=dict)


@attrs.frozen
class Traced:
    """What the plugin wrote: the lines run per file (as the run saw its path), and
    whether its tracer was still in place at the end; ``unmeasured``: files whose lines
    could not be known (:mod:`.lines_js`: a runner that transforms the code; a Python
    file imported only from an identical copy, installed by the command, whose code the
    tracer did not watch as the file's own), of which
    nothing is said; ``changes``: what the edit changed in files whose statements the
    run told (Go's coverage profile), beside those known before it."""

    lines: Mapping[str, frozenset[int]]
    intact: bool
    unmeasured: frozenset[str] = frozenset()
    #: a traced test process started and never wrote what it saw (a pytest-xdist worker
    #: that crashed, and was replaced, while the run went on): a line none of the others
    #: saw may have run there
    cut: bool = False
    #: changes only the run could tell (:mod:`.lines_go`: which lines are statements)
    changes: tuple[Change, ...] = ()
    #: edited files no traced process imported, each with the file a module of the same
    #: name was imported from instead (an installed copy of the workspace's package:
    #: the tests never ran the edit there; :mod:`.lines_shadow`)
    elsewhere: Mapping[str, str] = attrs.field(factory=dict)
    #: edited JavaScript and TypeScript no node process loaded, and the scripts they
    #: did (:mod:`.lines_built`), until the run's writes settle them
    loads: Loads | None = None
    #: edited files whose lines the run could not tell, each with why (no Python process
    #: loaded the tracer; the traced run failed and the tests ran again untraced): the
    #: pass says so, and holds it as exercised (not known is not "not run")
    unknown: Mapping[str, str] = attrs.field(factory=dict)
    #: the edited files no tracer measures, each with whether a process of the run
    #: opened it (:mod:`.lines_opened`); empty when that is not known
    opened: Mapping[str, bool] = attrs.field(factory=dict)
    #: of those not opened, the files a git of the run opened (to compare them with the
    #: commit: :func:`.lines_opened.git_env`)
    by_git: frozenset[str] = frozenset()
    #: where another tracer took ours over (not ``intact``) and every such process
    #: watched the calls instead (``sys.setprofile``): by edited file, the first lines
    #: of its functions called there; None when not known
    called: Mapping[str, frozenset[int]] | None = None
    #: not ``intact`` because a process's tracer was switched off (``sys.settrace(None)``
    #: by the code under test, or a call at the recursion limit on Python 3.11 and older),
    #: not taken over by another's
    off: bool = False


def read_traced(out_dir: str | Path, base: str) -> Traced | None:
    """The lines every traced process of the run wrote (merged), by path relative to
    ``base`` (where the run saw the workspace), or None when none wrote any (no Python
    process of the run traced, or none ended); ``cut`` when one started and never wrote
    (killed, or gone through ``os._exit``)."""
    merged: dict[str, set[int]] = {}
    loaded: set[str] = set()
    elsewhere: dict[str, str] = {}
    copies: dict[str, str] = {}
    called: dict[str, set[int]] | None = {}
    intact, found, off = True, False, False
    try:
        names = sorted(os.listdir(out_dir))
    except OSError:
        return None
    started = {
        n[: -len(".start")] for n in names if n.startswith(FILE_PREFIX) and n.endswith(".start")
    }
    ended = {n[: -len(".json")] for n in names if n.startswith(FILE_PREFIX) and n.endswith(".json")}
    for name in names:
        if not (name.startswith(FILE_PREFIX) and name.endswith(".json")):
            continue
        try:
            data = json.loads(Path(out_dir, name).read_text(encoding="utf-8"))
            lines = data["lines"]
            ok = bool(data["intact"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not isinstance(lines, dict):
            continue
        found = True
        intact = intact and ok
        if not ok:
            called = _called(data, base, called)
            off = off or data.get("off") is True
        for file, nums in lines.items():
            if isinstance(file, str) and isinstance(nums, list) and file.startswith(base + "/"):
                rel = file[len(base) + 1 :]
                merged.setdefault(rel, set()).update(n for n in nums if isinstance(n, int))
        _imports(data, base, loaded, elsewhere)
        _imports(data, base, loaded, copies, key="copies")
    if not found:
        # processes that started tracing and none wrote (os._exit, killed): not known
        return Traced({}, True, cut=True) if started else None
    others = {rel: f for rel, f in elsewhere.items() if rel not in loaded}
    # imported only from a copy identical to it (installed by the command): its code ran,
    # which of its lines is not known
    copied = frozenset(rel for rel in copies if rel not in loaded and rel not in others)
    traced = Traced(
        {k: frozenset(v) for k, v in merged.items()},
        intact,
        copied,
        cut=bool(started - ended),
        off=off,
    )
    if not intact and called is not None:
        traced = attrs.evolve(traced, called={k: frozenset(v) for k, v in called.items()})
    return attrs.evolve(traced, elsewhere=others) if others else traced


def _called(
    data: Mapping[str, object], base: str, called: dict[str, set[int]] | None
) -> dict[str, set[int]] | None:
    """``called`` with what one process whose tracer was taken over saw called (its
    ``called``, by path relative to ``base``); None when it did not watch the calls."""
    found = data.get("called")
    if called is None or data.get("profiled") is not True or not isinstance(found, dict):
        return None
    for path, firsts in found.items():
        if isinstance(path, str) and path.startswith(base + "/") and isinstance(firsts, list):
            rel = path[len(base) + 1 :]
            called.setdefault(rel, set()).update(n for n in firsts if isinstance(n, int))
    return called


def _imports(
    data: Mapping[str, object],
    base: str,
    loaded: set[str],
    elsewhere: dict[str, str],
    key: str = "elsewhere",
) -> None:
    """What one process wrote of the edited files' imports (``loaded``, and ``key``'s:
    ``elsewhere``, see :attr:`Traced.elsewhere`, or ``copies``, identical copies), by
    path relative to ``base``; a file under ``base`` named instead is given relative to
    it too."""

    def rel(path: object) -> str | None:
        ok = isinstance(path, str) and path.startswith(base + "/")
        return path[len(base) + 1 :] if ok else None  # type: ignore[index]

    paths = data.get("loaded")
    for path in paths if isinstance(paths, list) else ():
        if (r := rel(path)) is not None:
            loaded.add(r)
    found = data.get(key)
    for path, other in found.items() if isinstance(found, dict) else ():
        if (r := rel(path)) is not None and isinstance(other, str):
            elsewhere.setdefault(r, rel(other) or other)


def per_process(out_dir: Path, prefix: str) -> tuple[list[dict[str, object]], int]:
    """What each process of a run wrote as ``<prefix><pid>.json`` into ``out_dir`` (the
    Ruby, Perl and PHP measurements: :mod:`.lines_rubycov`, :mod:`.lines_perlcov`,
    :mod:`.lines_phpcov`), and how many wrote their ``<prefix><pid>.start`` and never the
    rest."""
    done: list[dict[str, object]] = []
    wrote: set[str] = set()
    for path in sorted(out_dir.glob(f"{prefix}*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            done.append(data)
            wrote.add(path.stem)
    started = {p.stem for p in out_dir.glob(f"{prefix}*.start")}
    return done, len(started - wrote)


def held_lines(
    done: Sequence[Mapping[str, object]],
) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """The statement lines and the lines that ran, by edited file, that the processes
    of a run wrote (:func:`per_process`: each ``{"files": {rel: {"statements": [...],
    "ran": [...]}}}``; the Perl and PHP measurements), merged."""
    statements: dict[str, set[int]] = {}
    ran: dict[str, set[int]] = {}
    for data in done:
        held = data.get("files")
        if not isinstance(held, dict):
            continue
        for rel, seen in held.items():
            if not isinstance(seen, dict):
                continue
            for key, into in (("statements", statements), ("ran", ran)):
                numbers = seen.get(key)
                if isinstance(numbers, list):
                    into.setdefault(rel, set()).update(n for n in numbers if isinstance(n, int))
    return statements, ran


def ran_all(change: Change, ran: set[int]) -> bool:
    """Whether a line of each statement ``change`` asks about ran."""
    return all(any(n in ran for n in range(a, b + 1)) for a, b in change.wanted)


def c_style_code_lines(text: str, not_code: re.Pattern[str]) -> set[int]:
    """The lines of ``text`` (1-based) with code, in a language with ``/* */`` comments
    (PHP, Java): not in such a comment that starts its line or is still open, and not
    matched by ``not_code`` once a comment on it is taken out."""
    out: set[int] = set()
    block = False
    for n, line in enumerate(text.split("\n"), 1):
        if block:
            end = line.find("*/")
            if end < 0:
                continue
            block, line = False, line[end + 2 :]
        elif line.lstrip().startswith("/*"):
            start = line.find("/*")
            end = line.find("*/", start + 2)
            if end < 0:
                block = True
                continue
            line = line[:start] + line[end + 2 :]
        if not not_code.match(line):
            out.add(n)
    return out


def read_held(
    out_dir: str | Path,
    files: Mapping[str, tuple[str, str]],
    prefix: str,
    judge: Callable[[str, str, str, set[int], set[int]], tuple[set[int], Change | None]],
    reset: Callable[[Sequence[Mapping[str, object]]], Collection[str]],
    why: str,
) -> Traced | None:
    """What the processes of a run wrote as ``<prefix><pid>.json`` (:func:`held_lines`'
    shape; the PHP and Java measurements) of the edited ``files`` (relative path -> old
    and new texts): ``judge(rel, old, new, statements, ran)`` gives the statement lines
    that ran and the edit's change; a file no process held lines of (or lines beyond its
    end: another text's) is ``unmeasured``; a file ``reset`` names (its record may have
    lost lines that ran) is ``unknown``, with ``why``, where a changed line did not run.
    None when no process wrote."""
    done, silent = per_process(Path(out_dir), prefix)
    if not done:
        return None
    statements, ran = held_lines(done)
    lost = reset(done)
    out: dict[str, frozenset[int]] = {}
    unmeasured: set[str] = set()
    unknown: dict[str, str] = {}
    changes: list[Change] = []
    for rel, (old, new) in sorted(files.items()):
        reported = statements.get(rel)
        # (pcov places a file's implicit return on the line after its last)
        if reported is None or max(reported, default=0) > new.count("\n") + 1:
            unmeasured.add(rel)
            continue
        did, change = judge(rel, old, new, reported, ran.get(rel, set()))
        changes.extend([change] if change else [])
        if change and rel in lost and not ran_all(change, did):
            unknown[rel] = why
        else:
            out[rel] = frozenset(did)
    return Traced(
        out,
        True,
        frozenset(unmeasured),
        cut=silent > 0,
        changes=tuple(changes),
        unknown=unknown,
    )
