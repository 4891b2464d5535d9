"""The value of calling one more model in a verify-and-escalate loop.

The loop ends at the first attempt the verifier passes; without a pass the final answer
is the best-verified attempt (the one that passed most tests).  For a candidate model we
know (estimates, see :mod:`.estimator`; the loop that uses this: :mod:`.escalation`):

- ``q``: probability it truly passes, given that the earlier attempts failed;
- ``fail_score``: its expected score when it does not pass;
- ``fail_max``: expected best score over the attempts so far and it, when it does not pass;
- ``cost``: its expected cost, already multiplied by the cost weight (score points).

With verdict noise ``eps`` (the verifier lies with this probability), a true pass is
kept either way (a missed pass is still the best-verified attempt), a false pass ends
the loop with the model's own failing score, and a true fail adds to the best-so-far.

Which model first: the order of Weitzman's "Pandora's box" rule, by *reservation
value* sigma with E[(X - sigma)^+] = cost, X the value the call can bring.  It opens
cheap boxes with a good chance of passing first and expensive ones only when they are
worth it.  Weitzman's boxes never end the search against the player's will, but a
false pass does: the future value it forfeits (``risk``) is added to the cost in the
index, so under noisy verdicts models whose passes are more trustworthy come first.
When to stop: when no remaining model's expected gain exceeds its cost.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs


@attrs.frozen
class Option:
    model: str
    q: float
    fail_score: float
    fail_max: float
    cost: float  # cost weight x expected USD (score points)
    risk: float = 0.0  # expected future value lost to a false pass (ends the loop early)

    def outcomes(self, eps: float) -> list[tuple[float, float]]:
        """(value, probability) of what the call brings."""
        q = self.q
        return [
            (1.0, q),
            (self.fail_score, (1.0 - q) * eps),
            (self.fail_max, (1.0 - q) * (1.0 - eps)),
        ]

    def value(self, eps: float) -> float:
        """Expected final score if this is the last call (before its cost)."""
        return sum(v * p for v, p in self.outcomes(eps))

    def gain(self, best: float, eps: float, p_have_pass: float) -> float:
        """Expected improvement of the final score over stopping now, minus the cost.

        ``best``: expected final score when stopping now; ``p_have_pass``: probability
        that an earlier attempt truly passed (its verdict was flipped).
        """
        fresh = self.value(eps) - best
        # with a hidden pass in hand, a false pass of this model would replace it
        lost = (1.0 - self.q) * eps * (1.0 - self.fail_score)
        return (1.0 - p_have_pass) * fresh - p_have_pass * lost - self.cost

    def reservation(self, eps: float) -> float:
        return reservation_value(self.outcomes(eps), self.cost + self.risk)


def reservation_value(outcomes: Sequence[tuple[float, float]], cost: float) -> float:
    """sigma with sum_i p_i (v_i - sigma)^+ = cost (piecewise linear, decreasing in sigma).

    Below the smallest value the equation is E[X] - sigma = cost.
    """
    pts = sorted(((v, p) for v, p in outcomes if p > 0.0), reverse=True)
    if not pts:
        return -cost
    mass = 0.0  # probability of the values above the current segment
    acc = 0.0  # sum of p_i v_i above
    for i, (v, p) in enumerate(pts):
        mass += p
        acc += p * v
        lower = pts[i + 1][0] if i + 1 < len(pts) else float("-inf")
        # on [lower, v]: g(sigma) = acc - mass * sigma
        sigma = (acc - cost) / mass
        if sigma >= lower:
            return min(sigma, pts[0][0])
    return (acc - cost) / mass if mass > 0 else -cost
