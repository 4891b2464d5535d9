"""The server code a benchmark compares: this checkout's, and another revision's when
asked (``--rev REV``), extracted with ``git archive`` so that both run in one session
under the same load (``definitions_cost.py``, ``request_reads.py``)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def server_sides(repo: Path, rev: str | None, tmp: Path) -> dict[str, Path]:
    """The ``server`` folder (for ``PYTHONPATH``) per side: ``now``, this checkout's, and
    ``rev``'s, extracted into ``tmp/rev``, first when ``rev`` is given."""
    sides = {"now": repo / "server"}
    if rev:
        archive = subprocess.run(
            ["git", "-C", str(repo), "archive", rev, "server/acrouter"],
            capture_output=True,
            check=True,
        ).stdout
        (tmp / "rev").mkdir()
        subprocess.run(["tar", "-x", "-C", str(tmp / "rev")], input=archive, check=True)
        sides = {rev: tmp / "rev" / "server", **sides}
    return sides
