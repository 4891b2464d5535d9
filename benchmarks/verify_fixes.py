"""Fixes on real projects: the path ``verify_trust.py`` does not take (its catalogue edits
suites that pass), where tests fail before the edit and the edit fixes them, so a pass
counts them as fixed and is confirmed by a second run (the verifier's ``confirm.py``;
with pytest, of the fixed tests alone: ``subset.py``).

For each project of :data:`FIXES` (a set-up of ``real_projects``) this breaks one line of
its code in the set-up folder (``bad`` in place of ``old``: a few tests fail), verifies
through ``verifier.cli.verify_edit`` (``acrouter verify``'s function) the fix (the file as
it was: expected a counted pass, confirmed) and a wrong fix (``wrong`` in place of
``old``: expected a fail), ``--times`` times each, and puts the line back (also when
stopped).  A project whose tests run in another order every run (apig-wsgi's
pytest-randomly) takes another order in each of the runs with and without the edit and
in the confirmation's runs.

    .venv/bin/python benchmarks/verify_fixes.py [--work DIR] [--only NAME ...] [--times N]
        [--sandbox none]

Prints a line per verdict and exits 1 when a fix is not a counted pass or a wrong fix
passes.  The network is used only by the set-up (``real_projects.fetch``).
"""

from __future__ import annotations

import argparse
import sys

from acrouter.domain import Edit
from acrouter.verifier import ProjectVerifier
from acrouter.verifier.cli import verify_edit
from real_projects import PROJECTS, fetch, prepare_work, project_arguments

#: project -> (file, the line as released, the line broken, a wrong fix of it)
FIXES = {
    # get_body decodes a base64 body: two tests post one (TestV1Events / TestV2Events)
    "apig-wsgi": (
        "src/apig_wsgi/__init__.py",
        "        return b64decode(body)\n",
        "        return body.encode()\n",
        "        return b64decode(body)[1:]\n",
    ),
    # a negative offset's minutes: the hypothesis property test over every offset, and
    # the examples with one (a fixed test run alone writes .hypothesis/ too)
    "iso8601": (
        "iso8601/iso8601.py",
        "        minutes = -minutes\n",
        "        minutes = minutes\n",
        "        minutes = 0\n",
    ),
}


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    project_arguments(ap, "verify-fixes")
    ap.add_argument("--times", type=int, default=2, help="verdicts of each edit (default 2)")
    ap.add_argument("--sandbox", choices=("bwrap", "none"), default="bwrap")
    args = ap.parse_args()
    prepare_work(args.work)
    bad_verdicts = 0
    for project in PROJECTS:
        if project.name not in FIXES or (args.only and project.name not in args.only):
            continue
        root = fetch(project, args.work).resolve()
        rel, old, bad, wrong = FIXES[project.name]
        path = root / rel
        released = path.read_text(encoding="utf-8")
        if old not in released:
            raise SystemExit(f"{rel} in {root} no longer holds {old!r}")
        cache = args.work / ("verify-fixes-cache" + ("-none" if args.sandbox == "none" else ""))
        try:
            path.write_text(released.replace(old, bad, 1), encoding="utf-8")
            for i in range(args.times):
                for name, text in (("fix", released), ("wrong fix", released.replace(old, wrong))):
                    verifier = ProjectVerifier(
                        test_command=project.command,
                        timeout_s=args.timeout,
                        sandbox=args.sandbox,
                        cache_dir=cache,
                        bwrap=args.bwrap,
                    )
                    v = verify_edit(verifier, str(root), Edit(files={rel: text}), project.command)
                    # a fix: a counted pass; a wrong fix: anything but a pass
                    right = (
                        v.verdict == "pass" and v.counted if name == "fix" else v.verdict != "pass"
                    )
                    bad_verdicts += not right
                    print(
                        f"{project.name} | {name} #{i + 1} | {v.verdict}"
                        f"{'' if v.counted else ' (not counted)'}"
                        f"{'' if right else ' **WRONG**'} | {v.detail[:400]}",
                        flush=True,
                    )
        finally:
            path.write_text(released, encoding="utf-8")
    print(f"wrong verdicts: {bad_verdicts}")
    sys.exit(1 if bad_verdicts else 0)


if __name__ == "__main__":
    main()
