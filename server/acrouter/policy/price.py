"""A domain's pooled pass rate as a function of each model's price per token.

Where a domain's outcomes discredit the benchmark prior, a model's estimates give way
to what every model did there (the pooled means, :mod:`.estimator`).  Pooled flat, an
untried model starts where the average call ended, whatever the model.  Here the pool
is a logistic regression of the domain's outcomes on the log of each model's price per
token (input + 3 x output per million, the prices the user configured), one intercept
and one slope shared by the models and learned from the calls made in the domain
(bandit feedback).  The slope's prior is centred on 0: price says nothing until the
domain's own calls show that the dearer models pass more (or less) often there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from .shrinkage import logit


def log_price(input_per_1m: float | None, output_per_1m: float | None) -> float | None:
    """The covariate: log of a blended price per million tokens (None: unknown)."""
    if input_per_1m is None or output_per_1m is None:
        return None
    blended = input_per_1m + 3.0 * output_per_1m
    return math.log(blended) if blended > 0 else None


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def fit(
    cells: Sequence[tuple[float, float, float]],
    slope_sd: float,
    base: float,
    intercept_sd: float = 3.0,
    iters: int = 25,
) -> tuple[float, float]:
    """MAP (intercept, slope) of logit P(pass) = a + b x from (passes, calls, x) per
    model, x centred by the caller; priors a ~ N(logit(base), intercept_sd^2),
    b ~ N(0, slope_sd^2).  Newton's method on a concave objective."""
    a, b = logit(base), 0.0
    a0 = a
    for _ in range(iters):
        ga = -(a - a0) / intercept_sd**2
        gb = -b / slope_sd**2
        haa = -1.0 / intercept_sd**2
        hbb = -1.0 / slope_sd**2
        hab = 0.0
        for k, n, x in cells:
            p = _sigmoid(a + b * x)
            r = k - n * p
            ga += r
            gb += r * x
            w = n * p * (1.0 - p)
            haa -= w
            hab -= w * x
            hbb -= w * x * x
        det = haa * hbb - hab * hab
        if det <= 0:
            break
        da = (hbb * ga - hab * gb) / det
        db = (haa * gb - hab * ga) / det
        a -= da
        b -= db
        if abs(da) + abs(db) < 1e-8:
            break
    return a, b


def pooled_by_price(
    cells: Mapping[str, tuple[float, float]],
    prices: Mapping[str, float | None],
    slope_sd: float,
    pool_pass: float,
) -> tuple[dict[str, float], float]:
    """Per model, the pooled pass rate its price predicts, and the fitted slope.

    ``cells``: model -> (passes, calls) in the domain; ``prices``: model -> log price
    for every configured model (None: unknown, such a model keeps ``pool_pass``)."""
    known = [x for x in prices.values() if x is not None]
    if not known or slope_sd <= 0:
        return {}, 0.0
    centre = sum(known) / len(known)
    obs = [
        (k, n, x - centre)
        for m, (k, n) in cells.items()
        if n > 0 and (x := prices.get(m)) is not None
    ]
    if not obs:
        return {}, 0.0
    a, b = fit(obs, slope_sd, pool_pass)
    out = {m: _sigmoid(a + b * (x - centre)) for m, x in prices.items() if x is not None}
    return out, b
