"""``--set NAME=VALUE`` of the policy benchmarks (``policy.params.parse_override``), as
docs/adaptation.md writes it."""

from __future__ import annotations

import pytest
from acrouter.policy.params import DEFAULT_PARAMS, parse_override


def test_literals_are_read_as_python() -> None:
    p = parse_override(DEFAULT_PARAMS, "novel_pool=False")
    p = parse_override(p, "after_fail_shrink=1e9")
    p = parse_override(p, 'domain_prior_weight="beta-binomial"')
    assert (p.novel_pool, p.after_fail_shrink, p.domain_prior_weight) == (
        False,
        1e9,
        "beta-binomial",
    )


def test_a_text_parameter_takes_its_value_without_quotes() -> None:
    """In a shell, ``--set domain_prior_weight="off"`` arrives without the quotes; it used
    to stop the script with "malformed node or string"."""
    assert parse_override(DEFAULT_PARAMS, "domain_prior_weight=off").domain_prior_weight == "off"


def test_a_bad_value_or_name_is_named() -> None:
    with pytest.raises(ValueError, match="after_fail_shrink: 'lots' is not a Python literal"):
        parse_override(DEFAULT_PARAMS, "after_fail_shrink=lots")
    with pytest.raises(ValueError, match="unknown policy parameter 'no_such'"):
        parse_override(DEFAULT_PARAMS, "no_such=1")
