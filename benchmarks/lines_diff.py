"""What reading an edit's changed lines costs on large files: ``acrouter.linediff``
(anchors at lines found once in each side, then difflib on the gaps) against difflib on
the whole changed middle (what it did before), on files made here.

    nice -n 5 .venv/bin/python benchmarks/lines_diff.py [--functions 4000] [--repeat 3]

Prints, per case, the median seconds of each and their ratio, and checks that both
opcode lists rebuild the new text from the old one.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from acrouter.linediff import EXACT_LINES, line_opcodes


def whole_middle(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """The former line_opcodes: head and tail set aside, difflib on the middle."""
    lo = 0
    while lo < len(a) and lo < len(b) and a[lo] == b[lo]:
        lo += 1
    hi = 0
    while hi < len(a) - lo and hi < len(b) - lo and a[-1 - hi] == b[-1 - hi]:
        hi += 1
    mid_a, mid_b = a[lo : len(a) - hi], b[lo : len(b) - hi]
    exact = max(len(mid_a), len(mid_b)) <= EXACT_LINES
    matcher = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=not exact)
    return [
        (op, i1 + lo, i2 + lo, j1 + lo, j2 + lo)
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    ]


def rebuilt(a: list[str], b: list[str], ops: list[tuple[str, int, int, int, int]]) -> list[str]:
    out, i = [], 0
    for _op, i1, i2, j1, j2 in ops:
        out += a[i:i1] + b[j1:j2]
        i = i2
    return out + a[i:]


def cases(n: int) -> dict[str, tuple[list[str], list[str]]]:
    py = "".join(f"def f{i}(x):\n    y = x + {i}\n    return y * 2\n\n\n" for i in range(n))
    js = "".join(
        f"function f{i}(x) {{\n  const y = x + {i};\n  return y * 2;\n}}\n\n" for i in range(n)
    )
    moved = py.splitlines()
    block = moved[: 5 * (n // 10)]
    return {
        f"python, {n} functions, every return changed": (
            py.splitlines(),
            py.replace("return y * 2", "return y * 3").splitlines(),
        ),
        f"javascript, {n} functions, every return changed": (
            js.splitlines(),
            js.replace("return y * 2", "return y * 3").splitlines(),
        ),
        f"python, {n} functions, a tenth moved to the end, one line changed": (
            moved,
            moved[len(block) :] + block[:-3] + ["    return y * 4"] + block[-2:],
        ),
        f"python, {n} functions, one line changed": (
            moved,
            [*moved[:100], "    y = x - 1", *moved[101:]],
        ),
    }


def timed(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--functions", type=int, default=4000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{'case':68} {'lines':>6} {'before':>8} {'now':>8} {'ratio':>7} {'changed':>13}")
    for name, (a, b) in cases(args.functions).items():
        new_ops, old_ops = line_opcodes(a, b), whole_middle(a, b)
        assert rebuilt(a, b, new_ops) == b and rebuilt(a, b, old_ops) == b, name
        before = timed(functools.partial(whole_middle, a, b), args.repeat)
        now = timed(functools.partial(line_opcodes, a, b), args.repeat)
        changed = (
            sum(i2 - i1 for _, i1, i2, _, _ in old_ops),
            sum(i2 - i1 for _, i1, i2, _, _ in new_ops),
        )
        print(
            f"{name:68} {len(a):>6} {before:>7.3f}s {now:>7.3f}s {now / before:>6.3f}x "
            f"{changed[0]:>6}/{changed[1]:<6}"
        )
    print("changed: old lines the opcodes replace or delete, before / now")


if __name__ == "__main__":
    main()
