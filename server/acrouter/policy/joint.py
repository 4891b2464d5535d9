"""Joint outcomes of the benchmark models, for escalation: what to expect from model m
on a task on which the models in F already failed.

Per prior group we keep, over the group's benchmark tasks, one bitmask per model of the
tasks it passed and ``LEVELS`` bitmasks of the tasks where its score reached each
threshold (0.05, 0.15, ..., 0.95).  For a failed set F the tasks "all of F failed" are
one AND of masks, and every quantity below is a handful of popcounts:

- ``n``: tasks on which all of F failed;
- ``best``: sum over them of max_{a in F} score (what the best failed attempt is worth);
- ``oracle``: sum over them of the best score of any model (what calling all would get);
- per model m not in F: passes ``k``, and over the tasks m also failed, the sum of
  max(best of F, score of m) (``fmax``) and of m's own score (``own``).

Scores are discretised to 0.1 for the sums (error <= 0.05 per task, the same for every
model).  Results are cached per (group, F): a cascade visits few distinct failed sets.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence

import attrs

from .features import Group

LEVELS = 10
STEP = 1.0 / LEVELS
MAX_CACHE = 128  # failed sets cached per group (a cascade visits few)


def _popcount(x: int) -> int:
    return x.bit_count()  # Python >= 3.10


def score_level(score: float) -> int:
    """How many thresholds (0.05, 0.15, ..., 0.95) ``score`` reaches."""
    return max(0, min(LEVELS, int(score * LEVELS + 0.5)))


@attrs.frozen
class ModelCond:
    k: int  # passes among the tasks where all of F failed
    nf: int  # tasks where m failed too
    fmax: float  # sum over those of max(best of F, score of m)
    own: float  # sum over those of m's score


@attrs.frozen
class Cond:
    n: int
    best: float
    oracle: float  # sum over the tasks of the best score of any model
    models: Mapping[str, ModelCond]


class GroupJoint:
    """Bitmasks of one prior group (local task indices)."""

    __slots__ = ("_cache", "full", "ge", "ge_any", "n", "passes")

    def __init__(
        self, n: int, passes: Mapping[str, int], ge: Mapping[str, tuple[int, ...]]
    ) -> None:
        self.n = n
        self.full = (1 << n) - 1
        self.passes = dict(passes)
        self.ge = dict(ge)
        any_ = [0] * LEVELS
        for g in self.ge.values():
            for t in range(LEVELS):
                any_[t] |= g[t]
        self.ge_any = tuple(any_)
        self._cache: OrderedDict[tuple[str, ...], Cond] = OrderedDict()

    @classmethod
    def build(cls, models: Sequence[str], rows: Sequence[Sequence[float]]) -> GroupJoint:
        """``rows``: per task of the group, the models' scores (``models`` order)."""
        n = len(rows)
        passes: dict[str, int] = {}
        ge: dict[str, tuple[int, ...]] = {}
        for j, m in enumerate(models):
            lv = [score_level(r[j]) for r in rows]
            # bit i = task i; build each mask from a binary string (fast, O(n))
            passes[m] = _mask(r[j] >= 1.0 for r in rows)
            ge[m] = tuple(_mask(v > t for v in lv) for t in range(LEVELS))
        return cls(n, passes, ge)

    def cond(self, failed: tuple[str, ...]) -> Cond:
        hit = self._cache.get(failed)
        if hit is not None:
            return hit
        mask = self.full
        for a in failed:
            pa = self.passes.get(a)
            if pa is not None:
                mask &= ~pa
        n = _popcount(mask)
        ge_f = [0] * LEVELS
        for a in failed:
            ga = self.ge.get(a)
            if ga is None:
                continue
            for t in range(LEVELS):
                ge_f[t] |= ga[t]
        best = STEP * sum(_popcount(mask & g) for g in ge_f) if failed else 0.0
        models: dict[str, ModelCond] = {}
        for m, pm in self.passes.items():
            if m in failed:
                continue
            k = _popcount(mask & pm)
            fm = mask & ~pm
            gm = self.ge[m]
            own = STEP * sum(_popcount(fm & g) for g in gm)
            if failed:
                fmax = STEP * sum(_popcount(fm & (gf | g)) for gf, g in zip(ge_f, gm))
            else:
                fmax = own
            models[m] = ModelCond(k, n - k, fmax, own)
        oracle = STEP * sum(_popcount(mask & g) for g in self.ge_any)
        out = Cond(n, best, oracle, models)
        self._cache[failed] = out
        if len(self._cache) > MAX_CACHE:
            self._cache.popitem(last=False)
        return out


def _mask(bits) -> int:  # type: ignore[no-untyped-def]
    s = "".join("1" if b else "0" for b in bits)
    return int(s[::-1], 2) if s else 0


@attrs.frozen
class CondEstimate:
    models: Mapping[str, tuple[float, float, float]]  # benchmark model -> (q, own, fmax)
    best: float  # expected best failing score of the failed set
    oracle: float  # expected best score of any model (what calling all would reach)


class JointTables:
    """The joint tables of every prior group, combined along a task's path."""

    def __init__(self, joints: Mapping[Group, GroupJoint]) -> None:
        self.joints = dict(joints)

    def __len__(self) -> int:
        return len(self.joints)

    def conditional(
        self, path: Sequence[Group], failed: tuple[str, ...], shrink: float
    ) -> CondEstimate | None:
        """Given that the benchmark models ``failed`` failed: per other model its pass
        probability, failing score and best-so-far-if-it-fails, each level shrunk toward
        the level above with pseudo-count ``shrink`` (None: no group has a table)."""
        models: dict[str, list[float]] = {}  # bm -> [q, own, fmax]
        best = oracle = 0.0
        seen = False
        for g in path:
            joint = self.joints.get(g)
            if joint is None:
                continue
            cond = joint.cond(failed)
            k = shrink if seen else 1.0
            seen = True
            best = (cond.best + k * best) / (cond.n + k)
            oracle = (cond.oracle + k * (oracle if oracle else 0.5)) / (cond.n + k)
            for m, mc in cond.models.items():
                cur = models.get(m)
                if cur is None:
                    cur = models[m] = [0.3, 0.3, 0.3]
                cur[0] = (mc.k + k * cur[0]) / (cond.n + k)
                cur[1] = (mc.own + k * cur[1]) / (mc.nf + k)
                cur[2] = (mc.fmax + k * cur[2]) / (mc.nf + k)
        if not seen:
            return None
        return CondEstimate({m: (v[0], v[1], v[2]) for m, v in models.items()}, best, oracle)
