"""Retrieval of similar past tasks: how each model did on requests that looked alike.

A record keeps a bottom-k sketch of a task's hashed features (:func:`.features.
text_features`; never text) and, per model that was called, its *residual*: the observed
score (and pass) minus what the group statistics expected at the time.  A query finds
records that share sketch features (an inverted index, capped postings), weights them by
the Jaccard similarity of the sketches, and returns per model the shrunk mean residual:

    correction = sum_i w_i r_i / (sum_i w_i + prior_weight)

So similar tasks move an estimate only as far as their evidence allows, and a memory of
unrelated tasks changes nothing.  Memory is bounded: ``capacity`` records in a ring.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping, Sequence

import attrs

SKETCH = 32  # features kept per record (the smallest hashes)
POSTING_CAP = 64  # records indexed per feature (the most recent)


@attrs.frozen
class Correction:
    score: float
    pass_rate: float
    n: int  # similar past tasks on which the model was called
    weight: float


class RetrievalMemory:
    def __init__(
        self,
        capacity: int = 2000,
        *,
        min_similarity: float = 0.2,
        neighbours: int = 16,
        prior_weight: float = 3.0,
    ) -> None:
        self.capacity = capacity
        self.min_similarity = min_similarity
        self.neighbours = neighbours
        self.prior_weight = prior_weight
        self._sketches: list[tuple[int, ...] | None] = [None] * capacity
        self._results: list[Mapping[str, tuple[float, float]] | None] = [None] * capacity
        self._postings: dict[int, deque[int]] = {}
        self._next = 0
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @staticmethod
    def sketch(features: Sequence[int]) -> tuple[int, ...]:
        if len(features) <= SKETCH:
            return tuple(sorted(set(features)))
        return tuple(sorted(set(features))[:SKETCH])

    def clear(self) -> None:
        self._sketches = [None] * self.capacity
        self._results = [None] * self.capacity
        self._postings.clear()
        self._next = 0
        self._count = 0

    def add(self, features: Sequence[int], residuals: Mapping[str, tuple[float, float]]) -> None:
        """Remember one task: per called model, (score residual, pass residual)."""
        if not features or not residuals or self.capacity <= 0:
            return
        slot = self._next
        self._next = (slot + 1) % self.capacity
        old = self._sketches[slot]
        if old is not None:
            for f in old:
                post = self._postings.get(f)
                if post is not None:
                    try:
                        post.remove(slot)
                    except ValueError:
                        pass
                    if not post:
                        del self._postings[f]
        else:
            self._count += 1
        sk = self.sketch(features)
        self._sketches[slot] = sk
        self._results[slot] = dict(residuals)
        for f in sk:
            post = self._postings.get(f)
            if post is None:
                post = self._postings[f] = deque(maxlen=POSTING_CAP)
            post.append(slot)

    def query(self, features: Sequence[int]) -> dict[str, Correction]:
        if not features or self._count == 0:
            return {}
        sk = self.sketch(features)
        shared: Counter[int] = Counter()
        postings = self._postings
        for f in sk:
            post = postings.get(f)
            if post is not None:
                shared.update(post)
        if not shared:
            return {}
        la = len(sk)
        sketches = self._sketches
        scored: list[tuple[float, int]] = []
        # Jaccard c / (la + lb - c) <= c / la: fewer shared features cannot reach the bar
        need = self.min_similarity * la
        for slot, c in shared.items():
            if c < need:
                continue
            other = sketches[slot]
            if other is None:
                continue
            sim = c / (la + len(other) - c)
            if sim >= self.min_similarity:
                scored.append((sim, slot))
        if not scored:
            return {}
        scored.sort(reverse=True)
        sums: dict[str, list[float]] = {}
        for sim, slot in scored[: self.neighbours]:
            res = self._results[slot]
            if res is None:
                continue
            w = sim * sim
            for m, (rs, rp) in res.items():
                acc = sums.get(m)
                if acc is None:
                    acc = sums[m] = [0.0, 0.0, 0.0, 0.0]
                acc[0] += w * rs
                acc[1] += w * rp
                acc[2] += w
                acc[3] += 1
        k = self.prior_weight
        return {
            m: Correction(a[0] / (a[2] + k), a[1] / (a[2] + k), int(a[3]), a[2])
            for m, a in sums.items()
        }
