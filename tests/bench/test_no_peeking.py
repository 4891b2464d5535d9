"""NO-PEEKING: a router's decisions may depend only on the cells it called.

Every (task, model) cell a router did not call is randomised (score, cost and OOD
flags) and the stream is replayed with the same seed: the decisions must not change.
Only the truth-reading bounds (oracle, hindsight-*) may, and the oracle must (else this
check would have no teeth).
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence

import attrs
import pytest
from acrouter.bench.metrics import TaskRecord, decision_line
from acrouter.bench.protocols import run_router
from acrouter.bench.registry import default_routers, uses_truth
from acrouter.coderouterbench import Dataset


def randomise_uncalled(stream: Dataset, records: Sequence[TaskRecord], seed: int) -> Dataset:
    rng = random.Random(seed)
    called = {r.task_id: {m for m, _ in r.calls} for r in records}
    scores, costs, extras = {}, {}, {}
    for t in stream.tasks:
        s, c, e = (
            list(stream.scores[t.task_id]),
            list(stream.costs[t.task_id]),
            list(stream.extras[t.task_id]),
        )
        for j, model in enumerate(stream.models):
            if model in called[t.task_id]:
                continue
            s[j] = rng.choice((0.0, 1.0, rng.random()))
            c[j] = rng.random() * 0.05
            if e[j]:
                e[j] = {**e[j], "apply_ok": rng.randint(0, 1), "resolved": int(s[j] >= 1)}
        scores[t.task_id], costs[t.task_id], extras[t.task_id] = tuple(s), tuple(c), tuple(e)
    return attrs.evolve(stream, scores=scores, costs=costs, extras=extras)


def decisions(records: Sequence[TaskRecord]) -> list[dict[str, object]]:
    out = []
    for r in records:
        line = decision_line(r)
        del line["regret"]  # the oracle reward changes with the randomised cells
        out.append(line)
    return out


def check(
    prior: Dataset, stream: Dataset, protocol: str, routers: Sequence[str], seed: int
) -> None:
    changed = {}
    for name in routers:
        before = run_router(name, prior, stream, protocol=protocol, seed=seed, noise=0.1)
        shuffled = randomise_uncalled(stream, before.records, seed=zlib.crc32(name.encode()))
        after = run_router(name, prior, shuffled, protocol=protocol, seed=seed, noise=0.1)
        changed[name] = decisions(before.records) != decisions(after.records)
    peeking = sorted(n for n, c in changed.items() if c and not uses_truth(n))
    assert peeking == [], f"decisions depend on cells the router never called: {peeking}"
    if "oracle" in changed:
        assert changed["oracle"], "randomising uncalled cells should move the oracle"


@pytest.fixture(scope="module")
def stream_300(val: Dataset) -> Dataset:
    keep = {t.task_id for t in val.tasks[:300]}
    return val.where(lambda t: t.task_id in keep)


@pytest.mark.parametrize("protocol", ["single", "escalate"])
def test_no_router_peeks_at_uncalled_cells(
    protocol: str, train: Dataset, stream_300: Dataset
) -> None:
    routers = default_routers(protocol, train.models)  # every router (cascades: escalate)
    assert "acrouter" in routers and "linucb" in routers and "knn" in routers
    assert ("paper-ood-cascade" in routers) == (protocol == "escalate")
    check(train, stream_300, protocol, routers, seed=7)


def test_no_peeking_on_ood_flags(probing: Dataset, ood: Dataset) -> None:
    check(
        probing,
        ood,
        "escalate",
        ["oracle", "paper-ood-cascade", "acrouter", "knn"],
        seed=3,
    )
