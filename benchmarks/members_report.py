"""What the ``*_members.py`` benchmarks print the same way: a count of differences and
the first of them."""

from __future__ import annotations


def listed(title: str, items: list[str], show: int) -> None:
    """``title``: how many ``items``, and the first ``show`` of them."""
    print(f"{title}: {len(items)}")
    for line in items[:show]:
        print("   ", line)
