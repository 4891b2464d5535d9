"""Gittins indices (:mod:`acrouter.policy.gittins`) and the one-call choice that uses
them (``explore_index="gittins"``, measured in docs/adaptation.md, not the default)."""

from __future__ import annotations

import itertools
import random

import attrs
import numpy as np
import pytest
from acrouter.policy import DEFAULT_PARAMS, gittins
from acrouter.policy.params import parse_override

from .helpers import held_out_single_calls


@pytest.mark.parametrize(
    ("gamma", "published"),
    # the index of a Bernoulli arm with a uniform Beta(1, 1) prior, as Gittins' tables
    # of Bernoulli indices give it (to 4 decimals)
    [(0.9, 0.7029), (0.99, 0.8699)],
)
def test_the_index_of_a_uniform_prior_is_the_published_one(gamma, published):
    mid = list(gittins.MEAN_GRID).index(0.5)
    assert gittins._indices_at(2.0, gamma)[mid] == pytest.approx(published, abs=2e-4)


@pytest.fixture
def coarse_grid(monkeypatch):
    """A coarse grid of evidences keeps a table's computation short (the grid's
    interpolation, not its resolution, is what these tests check)."""
    monkeypatch.setattr(gittins, "N_GRID", np.geomspace(0.5, 2000.0, 9))
    gittins.table.cache_clear()
    yield
    gittins.table.cache_clear()


def test_the_bonus_shrinks_with_evidence_and_grows_with_the_horizon(coarse_grid):
    for mean in (0.1, 0.4, 0.8):
        idx = [gittins.index(mean, n, 0.9) for n in (0.5, 2.0, 10.0, 100.0, 1000.0)]
        assert all(a > b for a, b in itertools.pairwise(idx))  # more evidence, less to learn
        assert idx[-1] == pytest.approx(mean, abs=0.01)
        assert all(i >= mean for i in idx)
    assert gittins.index(0.4, 1e6, 0.9) == 0.4  # beyond the grid: no bonus
    far = gittins.index(0.4, 5.0, 0.95)
    assert far > gittins.index(0.4, 5.0, 0.9)


def test_an_unknown_exploration_rule_is_refused():
    with pytest.raises(ValueError, match="explore_index"):
        parse_override(DEFAULT_PARAMS, "explore_index=ucb")


def test_the_gittins_choice_takes_no_draws_and_says_why(coarse_grid):
    """Same stream, different seeds: the same calls (the index is deterministic); a choice
    that is not the best expected value says it is the index's."""
    params = attrs.evolve(DEFAULT_PARAMS, explore_index="gittins", explore_discount=0.9)

    def run(seed):
        return held_out_single_calls(params, seed)

    calls, reasons = run(0)
    assert run(random.Random(7).randrange(1, 1000))[0] == calls
    assert len(set(calls)) > 1  # it did try more than one model
    assert any("highest Gittins index" in r for r in reasons)
