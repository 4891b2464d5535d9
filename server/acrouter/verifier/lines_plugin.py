"""The pytest plugin :mod:`.lines` loads into the run with an edit (``-p acrouter_lines``),
as the text written beside the run's report: it runs in the project's interpreter, so it
uses the standard library only and no syntax newer than Python 3.8's.

It reads the statements to ask about (line ranges by file, ``ACROUTER_LINES_TARGETS``)
and traces, with ``sys.settrace``, a function only while it holds one not yet seen run;
once every one has run it stops tracing.  At the end it writes what ran to
``ACROUTER_LINES_OUT/lines-<pid>.json``, and whether its tracer was still in place (or
done)."""

PLUGIN = '''"""ACRouter's verifier: which of the statements it asks about the tests ran."""
import dis
import json
import os
import sys
import threading

_RANGES = {k: [tuple(r) for r in v] for k, v in json.loads(os.environ.get("ACROUTER_LINES_TARGETS") or "{}").items()}
_OUT = os.environ.get("ACROUTER_LINES_OUT") or ""
_SEEN = {}  # file -> the lines seen run
_DONE = {}  # file -> the statements (indices into _RANGES[file]) seen run
_LEFT = [sum(len(v) for v in _RANGES.values())]
_INDEX = {}  # file -> {line: the statements holding it}
_PENDING = {}  # code object -> {line: the statements it belongs to}, for statements not seen run


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
    if code.co_filename not in _RANGES:
        return None
    index = _index(code.co_filename)
    done = _DONE.get(code.co_filename, ())
    out = {}
    for _, n in dis.findlinestarts(code):
        ids = tuple(i for i in index.get(n, ()) if i not in done)  # (n None: Python 3.13)
        if ids:
            out[n] = ids
    return out or None


def _stop():
    sys.settrace(None)
    threading.settrace(None)


def _local(frame, event, arg):
    if event != "line":
        return _local
    code = frame.f_code
    pending = _PENDING.get(code)
    line = frame.f_lineno
    if not pending or line not in pending:
        return _local
    done = _DONE.setdefault(code.co_filename, set())
    for i in pending.pop(line):
        if i not in done:
            done.add(i)
            _LEFT[0] -= 1
    _SEEN.setdefault(code.co_filename, set()).add(line)
    for n in [n for n, ids in pending.items() if all(i in done for i in ids)]:
        del pending[n]
    if not pending:  # every statement asked about in this code ran: no more line events
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


if _RANGES and _OUT:
    threading.settrace(_global)
    sys.settrace(_global)


def pytest_unconfigure(config):
    if not (_RANGES and _OUT):
        return
    intact = _LEFT[0] <= 0 or sys.gettrace() is _global
    _stop()
    data = {"intact": intact, "lines": {k: sorted(v) for k, v in _SEEN.items()}}
    path = os.path.join(_OUT, "lines-%d.json" % os.getpid())
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f)
'''
