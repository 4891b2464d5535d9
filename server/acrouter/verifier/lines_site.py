"""The ``sitecustomize`` :mod:`.lines_trace` writes beside the tracer (:mod:`.lines_plugin`)
so that every Python process of the run with an edit traces, not only pytest's: a
``python -m unittest`` run in an interpreter without pytest, a ``python tests/run.py``,
the ``python -m mypkg.cli`` a test starts with ``subprocess``.

Python imports ``sitecustomize`` as it starts (``site``), the first one on ``sys.path``;
the tracer's folder is on ``PYTHONPATH``, before the interpreter's own folders, so ours
is that one unless a folder before it on ``PYTHONPATH`` holds another (then the run's
processes are not traced but pytest's, which loads the tracer with ``-p``).  It imports
the tracer (``acrouter_lines``: started, its lines written at the process's exit), then
the ``sitecustomize`` the process would have imported without it, the next one on
``sys.path`` after our folder (a venv's, Debian's ``/etc/python3.x``'s), under the same
name, so ``import sitecustomize`` finds it; an error there is the one Python would have
reported.  Like the tracer, it uses the standard library only (what ``site`` has already
loaded: a test that checks what a fresh process imports sees nothing more of ours) and
no syntax newer than Python 3.8's.

Not traced: a process started with ``-S``, ``-I`` or ``-E`` (no ``site`` or no
``PYTHONPATH``) or with an environment that drops ``PYTHONPATH`` or
``ACROUTER_LINES_OUT``."""

#: the module name Python imports as it starts
SITE_MODULE = "sitecustomize"

SITE = r'''"""ACRouter's verifier: its line tracer in every Python process of the run, then the
sitecustomize the process would have imported without this one."""
import os
import sys


def _acrouter_lines_start():
    try:
        import acrouter_lines  # noqa: F401  (starts the tracer; writes at exit)
    except Exception:  # never in the way of the process: its lines are then not known
        pass
    here = os.path.dirname(os.path.abspath(__file__))
    entries = list(sys.path)
    after = []
    for i, entry in enumerate(entries):
        if os.path.abspath(entry or os.curdir) == here:
            after = entries[i + 1 :]
            break
    else:
        after = [e for e in entries if os.path.abspath(e or os.curdir) != here]
    finder = sys.modules.get("_frozen_importlib_external")
    boot = sys.modules.get("_frozen_importlib")
    if finder is None or boot is None:
        import importlib.machinery as finder
        import importlib.util as boot
    spec = finder.PathFinder.find_spec("sitecustomize", after)
    if spec is None or spec.loader is None:
        return
    module = boot.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop("sitecustomize", None)
        raise


_acrouter_lines_start()
del _acrouter_lines_start
'''
