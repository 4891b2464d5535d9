"""What the policy knows about a task before any model is called.

Two kinds of features, both computed from what every request carries:

- **groups** (nested, coarse to fine): everything, the kind, the source benchmark, the
  *id shape* of a benchmark task, and the user's workspace.  Statistics are kept per
  (model, group) and shrunk toward the parent group (see :mod:`.stats`).
- **hashed features** (not nested): word and code n-grams of the instruction/prompt,
  the language, a size bucket and categorical metadata (``bench``, ``difficulty``,
  ``repo``...).  They feed the retrieval memory (:mod:`.retrieval`).  Only hashes are
  kept, never the text.

The id shape is the part of a benchmark task id after its source, with digit runs
replaced by ``#``, at most :data:`MAX_SHAPE_TOKENS` ``_``-separated tokens:
``dim2_lcb_abc351_d`` -> ``abc#_d`` (an AtCoder "D" problem), ``dim7_hex_go_Go/12`` ->
``go_Go/#``.  It generalises (a new id with the same shape lands in the same group); the
digits, which identify a single problem, are dropped, so it memorises no task.
"""

from __future__ import annotations

import functools
import itertools
import re
import zlib
from collections.abc import Mapping

Group = tuple[str, str]  # (level, key), e.g. ("kind", "bug_fixing")

ALL: Group = ("all", "*")
MAX_SHAPE_TOKENS = 3
FEATURE_BITS = 22  # hashed features live in [0, 2**22)
MAX_TEXT_CHARS = 2_000  # long prompts: the head says what the task is (and keeps this fast)
META_KEYS = ("bench", "language", "difficulty", "repo", "category", "source_dataset", "kind_cue")

_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[a-z][a-z0-9]+")
_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|==|!=|<=|>=|->|=>|::|[{}()\[\];:.,=<>+\-*/%&|^!~]")
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "is",
        "are",
        "be",
        "it",
        "this",
        "that",
        "with",
        "as",
        "by",
        "at",
        "from",
        "if",
        "not",
        "can",
        "should",
        "would",
        "will",
        "when",
        "which",
        "what",
        "into",
        "then",
        "else",
        "also",
        "please",
    ]
)


def id_shape(task_id: str, source: str | None) -> str | None:
    """The id shape of a benchmark task (None when the id does not start with its source)."""
    if not source or not task_id.startswith(source):
        return None
    rest = task_id[len(source) :].lstrip("_:")
    if not rest:
        return None
    tokens = [_DIGITS.sub("#", t) for t in rest.split("_")][:MAX_SHAPE_TOKENS]
    return "_".join(tokens)


def sub_source(source: str, meta: Mapping[str, object]) -> str | None:
    """A finer benchmark label carried in the metadata (OOD ``bench``), if it adds one."""
    bench = meta.get("bench")
    if isinstance(bench, str) and bench and bench != source:
        return f"{source}:{bench}"
    return None


def task_path(
    kind: str,
    task_id: str,
    meta: Mapping[str, object],
    workspace_id: str | None,
    aliases: frozenset[Group] | set[Group] = frozenset(),
) -> list[Group]:
    """The nested groups of a task, coarse to fine.

    ``aliases`` are groups known (from the priors) to hold exactly the same tasks as
    their parent; they are skipped so that the same evidence is not counted twice.
    """
    path: list[Group] = [ALL, ("kind", kind)]
    src = meta.get("source")
    if isinstance(src, str) and src:
        path.append(("source", src))
        sub = sub_source(src, meta)
        if sub is not None:
            path.append(("sub", sub))
        shape = id_shape(task_id, src)
        if shape is not None:
            g = ("shape", f"{src}:{shape}")
            if g not in aliases:
                path.append(g)
    if workspace_id:
        path.append(("workspace", f"{workspace_id}:{kind}"))
    return path


# --------------------------------------------------------------------------- hashed features


_MASK = (1 << FEATURE_BITS) - 1
_WORD_SALT = 0x1F3A5C7
_CODE_SALT = 0x2E4B6D9


def _hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8", "replace")) & _MASK


@functools.lru_cache(maxsize=65536)
def _token_hash(token: str) -> int:
    return zlib.crc32(token.encode("utf-8", "replace"))


def _gram_hashes(tokens: list[str], salt: int, out: set[int]) -> None:
    """Hashes of the 1- and 2-grams of ``tokens`` (combined arithmetically, no strings)."""
    hs = [_token_hash(t) for t in tokens]
    for h in hs:
        out.add((h ^ salt) & _MASK)
    for a, b in itertools.pairwise(hs):
        out.add(((a * 0x9E3779B1 + b) ^ salt ^ 0x5BD1E995) & _MASK)


def size_bucket(chars: int) -> str:
    """Coarse size of a prompt/selection: 0, <200, <1k, <5k, <20k, more."""
    for limit, name in ((0, "0"), (200, "s"), (1000, "m"), (5000, "l"), (20000, "xl")):
        if chars <= limit:
            return name
    return "xxl"


def text_features(
    text: str, language: str | None = None, meta: Mapping[str, object] | None = None
) -> tuple[int, ...]:
    """Hashed features of a request: word 1-2-grams, code-token 1-2-grams, language, size,
    categorical metadata.  Sorted, unique; empty when the task has no text and no metadata."""
    out: set[int] = set()
    if text:
        body = text[:MAX_TEXT_CHARS]
        words = [w for w in _WORD.findall(body.lower()) if w not in _STOP]
        _gram_hashes(words, _WORD_SALT, out)
        _gram_hashes(_CODE.findall(body), _CODE_SALT, out)
        out.add(_hash("size:" + size_bucket(len(text))))
    if language:
        out.add(_hash("lang:" + language.lower()))
    for key in META_KEYS:
        value = (meta or {}).get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "":
            out.add(_hash(f"meta:{key}={str(value).lower()}"))
    return tuple(sorted(out))
