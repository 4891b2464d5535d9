"""What a request is, before any model is called: the models the user configured, the
editor document and selection, and the ``Task`` a router sees (with the
CodeRouterBench kinds of coding request and benchmark models it is described by).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

#: The 9 CodeRouterBench dimensions ("kinds" of coding request), in a fixed order.
DIMENSIONS: tuple[str, ...] = (
    "algorithm",
    "bug_fixing",
    "code_completion",
    "code_generation",
    "code_refactoring",
    "code_understanding",
    "data_science",
    "multi_language",
    "test_generation",
)

#: The 8 CodeRouterBench models, in the order of ``models.json``.
BENCHMARK_MODELS: tuple[str, ...] = (
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "gpt-5.4",
    "glm-5",
    "kimi-k2.5",
    "MiniMax-M2.7",
    "Qwen3-Max",
    "qwen3.5-plus",
)


@attrs.frozen
class ModelSpec:
    """One model the user configured (settings key ``acrouter.models``)."""

    name: str  # the user's name for it; every report uses this
    model: str  # litellm model string, e.g. "openai/gpt-4o-mini"
    api_base: str | None = None
    api_key_env: str | None = None  # name of the env var that holds the key (never the key)
    input_cost_per_1m: float | None = None
    output_cost_per_1m: float | None = None
    benchmark_model: str | None = None  # one of BENCHMARK_MODELS: its statistics are the prior


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_END = re.compile(r"(?:\r\n|\r|\n)\Z")


def document_lines(text: str, keepends: bool = False) -> list[str]:
    """``text``'s lines as the editor counts them (LSP): a line ends only at CRLF, LF or
    CR.  ``str.splitlines`` also ends one at a form feed, U+2028 and the like, which
    shifts every line after them (a selection would be read from the wrong lines)."""
    lines = _LINE.findall(text)
    return lines if keepends else [_END.sub("", line) for line in lines]


@attrs.frozen
class Position:
    line: int  # 0-based, LSP convention (``document_lines``)
    character: int  # code points (the LSP layer converts from the client's positionEncoding)


@attrs.frozen
class Range:
    start: Position
    end: Position


@attrs.frozen
class Document:
    """The editor buffer a request was built from (text as the editor had it)."""

    uri: str
    path: str  # absolute filesystem path
    text: str
    version: int | None = None
    language_id: str | None = None
    range: Range | None = None  # the selection; None = whole file


@attrs.frozen
class Task:
    """Everything a router may see about one request, before any model is called.

    For editor requests ``task_id`` is the request id and ``document``/``workspace``
    are set; for benchmark tasks only ``task_id``, ``kind`` and ``meta`` (and
    ``text`` when the benchmark ships a prompt) are set.

    ``buffers``: the editor's unsaved buffers, by workspace-relative path (``/``): every
    document open in the editor inside ``workspace`` whose text differs from the file on
    disk (the requested document too).  The workspace a request is made, tested and
    edited against is the files on disk with these texts in their place; empty for the
    command line and the benchmark.  ``buffers_left_out``: unsaved buffers of workspace
    files that could not be used (the file on disk is not UTF-8, the buffer is too
    large), with why: for those the files on disk were used, and the why says so.
    ``python``: the Python the editor has selected for the workspace (VS Code's Python
    extension's active interpreter), which runs a Python project's detected tests when
    the project has no virtualenv of its own; None for the command line and the benchmark.
    """

    task_id: str
    kind: str  # one of DIMENSIONS
    text: str = ""  # instruction or prompt
    language: str | None = None
    meta: Mapping[str, Any] = attrs.field(factory=dict)  # e.g. source, bench, difficulty
    document: Document | None = None
    workspace: str | None = None  # absolute workspace root
    test_command: str | None = None
    buffers: Mapping[str, str] = attrs.field(factory=dict)
    buffers_left_out: Mapping[str, str] = attrs.field(factory=dict)
    python: str | None = None
