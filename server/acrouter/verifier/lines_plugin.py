"""The tracer :mod:`.lines` loads into the run with an edit, as the text written beside
the run's report: the ``sitecustomize`` of :mod:`.lines_site` imports it as every Python
process of the run starts, and pytest loads it as a plugin too (``-p acrouter_lines``: the
same module, already imported, traces once).  It runs in the project's interpreter, so it
uses the standard library only and no syntax newer than Python 3.8's, and imports as
little as it can (a test may check, in a fresh process, what importing its package
imports): nothing but ``atexit`` with ``sys.monitoring``; ``threading`` with
``sys.settrace``, and ``dis`` when an edited file's code first runs.

It reads the statements to ask about (line ranges by file, from
``acrouter_lines_targets.txt`` beside it: an edit of every line of a long file asks
about more than an environment variable may hold) and watches them run, in the edited
file or in a copy identical to it that the command installed (tox's, ``pip install .``'s
in ``site-packages``: a file of the same name, byte for byte the edited one, whose lines
are the edited file's):

- on Python 3.12 and newer with ``sys.monitoring`` (PEP 669), as a tool of its own: a
  code object of an edited file gets line events when it starts, every other code object
  none; each line reports once and is then switched off (``DISABLE``), so a hot loop, a
  generator or a test run after every statement was seen costs nothing.  It sits beside
  any other tool, ``coverage`` and debuggers included, and a ``sys.settrace`` tracer;
- else with ``sys.settrace``, a function only while it holds one not yet seen run.  When
  another tracer replaces it (coverage.py, started by ``pytest --cov`` or ``coverage
  run``), it watches from pytest's start which of the edited files' functions are called
  instead (``sys.setprofile``, which coverage leaves alone; ``called`` in what it writes,
  :mod:`.lines_called`).

Once every one has run it stops.  At the end (pytest's ``pytest_unconfigure``, else the
process's ``atexit``) it writes what ran to ``ACROUTER_LINES_OUT/lines-<pid>.json``,
whether it was still watching (or done), whether its ``sys.settrace`` function was
switched off rather than replaced (``off``: ``sys.settrace(None)`` in the code under test,
or, on Python 3.11 and older, a call that reached the recursion limit as CPython called
the tracer, which then drops it) and how it watched (``tracer``: ``monitoring``
or ``settrace``; also written as it starts, to ``lines-<pid>.start``, for a process that
never ends: killed, or gone through ``os._exit``; a child forked without ``exec``
writes its own ``.start`` too (not one ``subprocess`` forks to run a ``preexec_fn``
before its ``exec``), and ``multiprocessing``'s, which end through
``os._exit``, write their lines through its finalizers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

#: the targets file's name, beside the module
TARGETS_FILE = "acrouter_lines_targets.txt"


def targets_text(targets: Mapping[str, Sequence[tuple[int, int]]]) -> str:
    """The targets file: a line a file, its path's UTF-8 bytes in hex (a path may hold any
    character) then a tab and its ranges (``3-3,7-9``): read without ``json``."""
    rows = []
    for path, ranges in sorted(targets.items()):
        name = path.encode("utf-8", "surrogateescape").hex()
        rows.append(name + "\t" + ",".join(f"{a}-{b}" for a, b in ranges) + "\n")
    return "".join(rows)


PLUGIN = r'''"""ACRouter's verifier: which of the statements it asks about the tests ran.

PYTEST_DONT_REWRITE (imported before pytest loads it as a plugin)"""
import atexit
import os
import sys

_OUT = os.environ.get("ACROUTER_LINES_OUT") or ""


def _targets():
    # written beside this module (an environment variable is limited to 128 KiB); a line
    # a file: its path's UTF-8 bytes in hex, a tab, its ranges ("3-3,7-9")
    out = {}
    try:
        where = os.path.join(os.path.dirname(os.path.abspath(__file__)), "acrouter_lines_targets.txt")
        with open(where, "rb") as f:
            rows = f.read().decode("ascii").split("\n")
        for row in rows:
            name, _, spans = row.partition("\t")
            if name:
                path = bytes.fromhex(name).decode("utf-8", "surrogateescape")
                out[path] = [tuple(int(n) for n in s.split("-")) for s in spans.split(",") if s]
    except (OSError, ValueError, NameError):
        return {}
    return out


_RANGES = _targets() if _OUT else {}
_SEEN = {}  # file -> the lines seen run
_DONE = {}  # file -> the statements (indices into _RANGES[file]) seen run
_LEFT = [sum(len(v) for v in _RANGES.values())]
_INDEX = {}  # file -> {line: the statements holding it}
_PENDING = {}  # code object -> {line: the statements it belongs to}, for statements not seen run
_OPEN = {}  # code object -> the statements of _PENDING's not seen run in it
_BY_BASE = {}  # a file name -> the edited files of that name
for _t in _RANGES:
    _BY_BASE.setdefault(os.path.basename(_t), []).append(_t)
_COPIED = {}  # a code file -> the edited file it is an identical copy of (None: not one)


def _text(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _edited(name):
    """The edited file whose lines the code of file ``name`` runs: itself, or the edited
    file it is an identical copy of (installed from the edit by the command, as tox
    does: its lines are the edited file's); None for any other file"""
    if name in _RANGES:
        return name
    try:
        return _COPIED[name]
    except KeyError:
        pass
    found = None
    path = os.path.abspath(name)
    for target in _BY_BASE.get(os.path.basename(path), ()):
        # (a package's __init__.py: in a folder of the package's name)
        init = os.path.basename(target) == "__init__.py"
        if init and os.path.basename(os.path.dirname(target)) != os.path.basename(
            os.path.dirname(path)
        ):
            continue
        if path != target and _text(path) == _text(target) is not None:
            found = target
            break
    _COPIED[name] = found
    return found


def _index(name):
    """line -> the statements (indices into _RANGES[name]) that hold it, made once a file"""
    index = _INDEX.get(name)
    if index is None:
        index = _INDEX[name] = {}
        for i, (a, b) in enumerate(_RANGES.get(name, ())):
            for n in range(a, b + 1):
                index.setdefault(n, []).append(i)
    return index


def _pending(code):
    name = _edited(code.co_filename)
    if name is None:
        return None
    import dis  # (only once an edited file's code runs)

    index = _index(name)
    done = _DONE.get(name, ())
    out = {}
    for _, n in dis.findlinestarts(code):
        ids = tuple(i for i in index.get(n, ()) if i not in done)  # (n None: Python 3.13)
        if ids:
            out[n] = ids
    if out:
        _OPEN[code] = set(i for ids in out.values() for i in ids)
    return out or None


def _stop():
    sys.settrace(None)
    threading = sys.modules.get("threading")
    if threading is not None:
        threading.settrace(None)


def _local(frame, event, arg):
    if event != "line":
        return _local
    code = frame.f_code
    pending = _PENDING.get(code)
    line = frame.f_lineno
    if not pending or line not in pending:
        return _local
    name = _COPIED.get(code.co_filename) or code.co_filename
    done = _DONE.setdefault(name, set())
    left = _OPEN[code]
    for i in pending.pop(line):
        left.discard(i)
        if i not in done:
            done.add(i)
            _LEFT[0] -= 1
    _SEEN.setdefault(name, set()).add(line)
    if not left:  # every statement asked about in this code ran: no more line events
        pending.clear()
        frame.f_trace_lines = False
    if _LEFT[0] <= 0:  # every one ran: no more tracing at all
        _stop()
    return _local


def _global(frame, event, arg):
    code = frame.f_code
    try:
        pending = _PENDING[code]
    except KeyError:
        pending = _PENDING[code] = _pending(code)
    return _local if pending else None


# ---- a tracer that took ours over (pytest --cov, coverage run): which functions ran
_CALLED = {}  # edited file -> the first lines of its code objects called since
_PROFILED = [False]  # our profile function watches the calls


def _profile(frame, event, arg):
    if event == "call":
        code = frame.f_code
        name = _edited(code.co_filename)
        if name is not None:
            _CALLED.setdefault(name, set()).add(code.co_firstlineno)


def _fall_back():
    """Our sys.settrace function replaced by another's (coverage.py's, started by
    pytest-cov or ``coverage run``) while statements are left: watch which of the edited
    files' functions are called from now on with sys.setprofile, which the other tracer
    leaves alone (a function never called ran none of its statements)"""
    if _MONITORED or _PROFILED[0] or _LEFT[0] <= 0 or sys.gettrace() is _global:
        return
    if sys.getprofile() is not None:
        return  # a profiler's: not ours to replace
    _PROFILED[0] = True
    sys.setprofile(_profile)
    threading = sys.modules.get("threading")
    if threading is not None:
        threading.setprofile(_profile)


# ---- Python 3.12 and newer: sys.monitoring, a tool of our own beside any other
_MON = getattr(sys, "monitoring", None)
_TOOL = [None]  # our tool id, while we hold one
_WATCHED = []  # code objects given line events


def _claim():
    """A free tool id (not the debugger's 0, coverage's 1, the profiler's 2 or the
    optimizer's 5, which their tools expect), or None."""
    for tool in (4, 3):
        try:
            _MON.use_tool_id(tool, "acrouter_lines")
        except ValueError:
            continue
        return tool
    return None


def _started(code, offset):
    tool = _TOOL[0]
    if tool is not None and _edited(code.co_filename) is not None:
        if _MON.get_tool(tool) != "acrouter_lines":  # freed by the code under test
            _TOOL[0] = None
        else:
            _WATCHED.append(code)
            _MON.set_local_events(tool, code, _MON.events.LINE)
    return _MON.DISABLE


def _line(code, line):
    name = _COPIED.get(code.co_filename) or code.co_filename
    ids = _index(name).get(line)
    if ids:
        done = _DONE.setdefault(name, set())
        _SEEN.setdefault(name, set()).add(line)
        for i in ids:
            if i not in done:
                done.add(i)
                _LEFT[0] -= 1
        if _LEFT[0] <= 0:  # every one ran: no more events at all
            _unwatch()
    return _MON.DISABLE


def _unwatch():
    tool = _TOOL[0]
    if tool is None:
        return
    _TOOL[0] = None
    watched = _WATCHED[:]
    del _WATCHED[:]
    if _MON.get_tool(tool) != "acrouter_lines":
        return  # taken from us (freed, maybe another tool's now): not ours to touch
    _MON.set_events(tool, 0)
    for code in watched:
        _MON.set_local_events(tool, code, 0)
    _MON.register_callback(tool, _MON.events.PY_START, None)
    _MON.register_callback(tool, _MON.events.LINE, None)
    _MON.free_tool_id(tool)


def _watching():
    """Still watching: our tool id still ours."""
    tool = _TOOL[0]
    return tool is not None and _MON.get_tool(tool) == "acrouter_lines"


if _RANGES and _OUT:
    # ACROUTER_LINES_TRACER=settrace: the older way on any Python (benchmarks/lines_cost.py
    # compares the two)
    if _MON is not None and os.environ.get("ACROUTER_LINES_TRACER") != "settrace":
        _TOOL[0] = _claim()
    if _TOOL[0] is not None:
        _MON.register_callback(_TOOL[0], _MON.events.PY_START, _started)
        _MON.register_callback(_TOOL[0], _MON.events.LINE, _line)
        _MON.set_events(_TOOL[0], _MON.events.PY_START)
    else:
        import threading

        threading.settrace(_global)
        sys.settrace(_global)
_MONITORED = _TOOL[0] is not None
_WROTE = [None]  # the process (pid) that wrote its lines


def _begun():
    # how it traces, written at once: a process killed (at the run's timeout, a crashed
    # worker) or gone through os._exit never writes its lines, and then they are not known
    try:
        with open(os.path.join(_OUT, "lines-%d.start" % os.getpid()), "w") as f:
            f.write("monitoring" if _MONITORED else "settrace")
    except OSError:
        pass


def _quote(text):
    """text as a JSON string (without the json module)"""
    out = []
    for c in text:
        n = ord(c)
        if c in '"\\' or n < 32 or n > 126:
            if n > 0xFFFF:
                n -= 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 + (n >> 10), 0xDC00 + (n & 0x3FF)))
            else:
                out.append("\\u%04x" % n)
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _imports():
    """Of the files asked about: those this process imported as a module ("loaded"), and
    for the others, a module of the same dotted name imported from another file
    ("elsewhere": an installed copy of the workspace's package, say, or a compiled
    module built before the edit beside it), or from a copy identical to it ("copies":
    installed from the edited workspace by the test command, as tox does; one whose code
    the tracer watched as the edited file's, :func:`_edited`, counts as the file loaded:
    its lines are known)."""
    loaded, files = set(), []
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None)
        if isinstance(f, str) and isinstance(name, str) and name:
            f = os.path.abspath(f)
            loaded.add(f)
            files.append((name, f))
    elsewhere, copies = {}, {}
    watched = dict((os.path.abspath(k), v) for k, v in list(_COPIED.items()) if v)
    for target in _RANGES:
        if target in loaded:
            continue
        for name, f in files:
            # a module of that name, as a package or a single file (a calc.py imported
            # in place of the edited src/calc/__init__.py)
            tail = os.sep + name.replace(".", os.sep)
            tails = (tail + os.sep + "__init__.py", tail + ".py")
            if target.endswith(tails) and f.endswith(tails):
                if watched.get(f) == target:
                    loaded.add(target)
                    break
                if _text(target) == _text(f) is not None:
                    copies[target] = f
                    break
                if _alike(target, f):
                    elsewhere[target] = f
                    break
            if _built_before(target, name, f):
                elsewhere[target] = f
                break
    return sorted(t for t in _RANGES if t in loaded), elsewhere, copies


def _built_before(edited, name, other):
    """other is an extension module (Cython's, mypyc's) of edited's name beside it, built
    before the edit was written: Python imports it instead of the .py file"""
    stem, folder = os.path.splitext(os.path.basename(edited))[0], os.path.dirname(edited)
    if name.rpartition(".")[2] != stem or os.path.dirname(other) != folder:
        return False
    base = os.path.basename(other)
    if not (base.startswith(stem + ".") and base.endswith((".so", ".pyd"))):
        return False
    try:
        return os.stat(other).st_mtime < os.stat(edited).st_mtime
    except OSError:
        return False


def _alike(edited, other):
    """other is a copy of edited, maybe older: at least half of its code lines are
    edited's too (not some other package's module of the same name)"""
    mine, theirs = _text(edited), _text(other)
    if mine is None or theirs is None:
        return False
    lines = set(x.strip() for x in mine.splitlines())
    code = [x for x in (y.strip() for y in theirs.splitlines()) if x and not x.startswith(b"#")]
    return bool(code) and 2 * sum(1 for x in code if x in lines) >= len(code)


def _finish():
    """Write what this process saw, once (pytest's end, else the process's)."""
    if not (_RANGES and _OUT) or _WROTE[0] == os.getpid():
        return
    _WROTE[0] = os.getpid()
    off = False  # our settrace function switched off, not replaced by another's
    if _MONITORED:
        intact = _LEFT[0] <= 0 or _watching()
        _unwatch()
    else:
        intact = _LEFT[0] <= 0 or sys.gettrace() is _global
        off = not intact and sys.gettrace() is None
        _stop()
        if _PROFILED[0] and sys.getprofile() is _profile:
            sys.setprofile(None)
    lines = ", ".join(
        "%s: [%s]" % (_quote(k), ", ".join(str(n) for n in sorted(v))) for k, v in _SEEN.items()
    )
    try:
        loaded, elsewhere, copies = _imports()
    except Exception:  # (never in the way of the process)
        loaded, elsewhere, copies = list(_RANGES), {}, {}

    def pairs(found):
        return ", ".join("%s: %s" % (_quote(k), _quote(v)) for k, v in sorted(found.items()))

    called = ", ".join(
        "%s: [%s]" % (_quote(k), ", ".join(str(n) for n in sorted(v))) for k, v in _CALLED.items()
    )
    data = '{"intact": %s, "tracer": "%s", "lines": {%s}, "loaded": [%s], "elsewhere": {%s}, "copies": {%s}, "profiled": %s, "called": {%s}, "off": %s}' % (
        "true" if intact else "false",
        "monitoring" if _MONITORED else "settrace",
        lines,
        ", ".join(_quote(t) for t in loaded),
        pairs(elsewhere),
        pairs(copies),
        "true" if _PROFILED[0] else "false",
        called,
        "true" if off else "false",
    )
    try:
        with open(os.path.join(_OUT, "lines-%d.json" % os.getpid()), "w", encoding="utf-8") as f:
            f.write(data)
    except OSError:
        pass


class _Forked(object):
    """multiprocessing's forked child ends through os._exit, after its finalizers"""

    def __call__(self, _obj=None):
        util = sys.modules.get("multiprocessing.util")
        if util is not None:
            util.Finalize(None, _finish, exitpriority=-1000)


_AFTER_FORK = _Forked()


def _forked():
    # a child of subprocess's fork_exec (run with a preexec_fn) is about to exec: it is
    # the program it runs (ours again when that is Python), not a forked Python
    frame = sys._getframe().f_back
    while frame is not None:
        if frame.f_code.co_name == "_execute_child" and "subprocess" in frame.f_code.co_filename:
            return
        frame = frame.f_back
    _begun()
    util = sys.modules.get("multiprocessing.util")
    if util is not None:  # its _bootstrap clears the finalizers, then runs these
        util.register_after_fork(_AFTER_FORK, _AFTER_FORK)


if _RANGES and _OUT:
    _begun()
    atexit.register(_finish)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_forked)


def pytest_configure(config):
    # this process runs pytest (its main process or an xdist worker): not one the tests
    # started, whose failure under the tracer its output may not name (lines_trace.others)
    if _RANGES and _OUT:
        _fall_back()  # (pytest-cov starts coverage as pytest loads the first conftests)
        try:
            with open(os.path.join(_OUT, "lines-%d.pytest" % os.getpid()), "w") as f:
                f.write("pytest")
        except OSError:
            pass


def pytest_sessionstart(session):
    if _RANGES and _OUT:
        _fall_back()


def pytest_unconfigure(config):
    _finish()
'''
