"""``FakeGateway``: canned replies per configured model name, for tests of the other stages."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from acrouter.domain import CancelToken, Completion, ModelSpec, Task, check_cancelled
from acrouter.errors import GatewayError

Reply = (
    str
    | Completion
    | BaseException
    | Callable[[ModelSpec, Sequence[Mapping[str, str]], Task], str | Completion]
)


class FakeGateway:
    """Canned replies per configured model name, for tests of the other stages.

    ``replies[name]`` is a reply text, a ready ``Completion`` (its ``model`` is set to
    the spec's name), an exception to raise, or a callable ``(spec, messages, task)``
    returning either.  ``costs[name]`` gives the cost of a text reply (default: None,
    unknown).  Every call is recorded in ``calls`` as ``(name, messages, task)``.
    """

    def __init__(
        self,
        replies: Mapping[str, Reply],
        costs: Mapping[str, float | None] | None = None,
        latency_ms: float = 1.0,
        windows: Mapping[str, int] | None = None,
    ) -> None:
        self.windows = dict(windows or {})
        self.replies = dict(replies)
        self.costs = dict(costs or {})
        self.latency_ms = latency_ms
        self.calls: list[tuple[str, list[dict[str, str]], Task]] = []

    def context_window(self, spec: ModelSpec) -> int | None:
        return self.windows.get(spec.name)

    def complete(
        self,
        spec: ModelSpec,
        messages: Sequence[Mapping[str, str]],
        task: Task,
        cancel: CancelToken | None = None,
    ) -> Completion:
        check_cancelled(cancel)
        self.calls.append((spec.name, [dict(m) for m in messages], task))
        if spec.name in self.replies:
            reply = self.replies[spec.name]
        elif spec.model in self.replies:
            reply = self.replies[spec.model]
        else:
            raise GatewayError(
                f"config: no fake reply configured for model {spec.name!r}", kind="config"
            )
        if isinstance(reply, BaseException):
            raise reply
        if callable(reply):
            reply = reply(spec, messages, task)
        if isinstance(reply, Completion):
            return Completion(
                model=spec.name,
                text=reply.text,
                input_tokens=reply.input_tokens,
                output_tokens=reply.output_tokens,
                cost_usd=reply.cost_usd,
                latency_ms=reply.latency_ms,
            )
        text = str(reply)
        tokens_in = sum(len(m.get("content", "").split()) for m in messages)
        tokens_out = len(text.split())
        return Completion(
            model=spec.name,
            text=text,
            input_tokens=tokens_in,
            output_tokens=tokens_out,
            cost_usd=self.costs.get(spec.name),
            latency_ms=self.latency_ms,
        )
