"""The optional abilities of the pipeline's stages are declared Protocols: the product's
implementations must satisfy them (an isinstance check that silently failed would turn
an ability off), and a stage without them still works."""

from __future__ import annotations

from pathlib import Path

from acrouter.domain import (
    BudgetedPolicy,
    ModelSpec,
    PersonalPolicy,
    Policy,
    WarmableGateway,
)
from acrouter.gateway import LiteLLMGateway
from acrouter.memory import InMemoryMemory, TinyDBMemory
from acrouter.policy import make_policy

from tests.policy.helpers import make_dataset


def test_the_product_declares_its_optional_abilities(tmp_path: Path) -> None:
    prior = make_dataset([("dim1_x_1", "bug_fixing", (1.0, 0.0))], ["a", "b"])
    policy = make_policy(prior, [ModelSpec(name="a", model="m/a", benchmark_model="a")])
    assert isinstance(policy, BudgetedPolicy) and isinstance(policy, PersonalPolicy)
    assert isinstance(LiteLLMGateway(), WarmableGateway)
    for memory in (InMemoryMemory(), TinyDBMemory(tmp_path / "memory.json")):
        assert isinstance(memory.export(), dict)


def test_a_policy_without_optional_abilities_is_not_mistaken_for_one() -> None:
    class OneShot:
        name = "one-shot"

        def plan(self, task, models, tried):  # pragma: no cover - not called
            raise NotImplementedError

        def learn(self, task, outcome) -> None:  # pragma: no cover - not called
            pass

    policy: Policy = OneShot()
    assert not isinstance(policy, BudgetedPolicy)
    assert not isinstance(policy, PersonalPolicy)
